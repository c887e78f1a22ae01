package io.kiln.tests.compile;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.tests.compile.DiagnosticsTest.compile;
import static io.kiln.tests.compile.DiagnosticsTest.source;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.CompilationSubject;
import java.io.IOException;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The generated Javadoc of a recurrent model states what the code does: how the batch follows from
 * an input's length and {@code steps}, how each parameter is initialized, what the loss averages and
 * what the typed methods accept.
 */
class GeneratedJavadocTest {

  private static String generatedTagger() throws IOException {
    JavaFileObject tagger = source("test.Tagger",
        "@Model(maxBatch = 4)",
        "abstract class Tagger {",
        "  @Tokens(maxLength = 12) abstract IntTensor words();",
        "  @Embedding(vocab = 50, dim = 8) abstract Tensor e(IntTensor words);",
        "  @Lstm(units = 16) abstract Tensor l(Tensor e);",
        "  @Dense(units = 5) abstract Tensor tags(Tensor l);",
        "  @Loss(value = LossKind.SOFTMAX_CROSS_ENTROPY, ignoreIndex = -1) abstract Tensor loss(Tensor tags, @Labels IntTensor gold);",
        "}");
    Compilation compilation = compile(tagger);
    CompilationSubject.assertThat(compilation).succeeded();
    return compilation.generatedSourceFile("test.KilnTagger").orElseThrow().getCharContent(true).toString();
  }

  @Test
  void theBatchOfASequenceInputIsItsLengthOverSteps() throws IOException {
    String code = generatedTagger();
    assertThat(code).contains("@param words [B, T] row-major token ids with T = steps, B = length / steps\n");
    assertThat(code).contains("@param steps T, the sequence length of this call, in [1, {@link #MAX_STEPS_WORDS}]\n");
    assertThat(code).doesNotContainMatch("B = length / (12|maxLength)");
  }

  @Test
  void createNamesEachInitializationAndRecurrentBiasesAreNotZero() throws IOException {
    String code = generatedTagger();
    assertThat(code).doesNotContain("zero biases");
    // PyTorch's nn.LSTM draws every weight and bias from U(±1/√hidden_size)
    assertThat(code).contains("<li>uniform U(±1/√16): l.weight_ih_l0, l.weight_hh_l0, l.bias_ih_l0, l.bias_hh_l0\n");
    assertThat(code).contains("Initializers.fill(Init.XAVIER_UNIFORM, model.params, P_L_BIAS_IH_L0, 64, 48, 48, rng);");
    assertThat(code).contains("<li>normal N(0, 1): e.weight\n");
    assertThat(code).contains("<li>zeros: tags.bias\n");
  }

  @Test
  void theLossAndClassifyDocsSayWhatIsAveragedAndReturned() throws IOException {
    String code = generatedTagger();
    assertThat(code).contains("the mean over the positions (batch × steps) whose label is not -1 (0 when every one is)");
    assertThat(code).contains("@param gold [B, T] class ids in [0, 5), or -1 (the ignore index) for a position the loss skips\n");
    assertThat(code).contains("Returns the most likely class (argmax of tags) at every step, [B, steps] row-major.");
    assertThat(code).contains("a token id is outside the vocabulary");
    assertThat(code).contains("public record Batch(int[] words, int steps, int[] gold) implements LabeledBatch<Input>");
  }
}
