package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.kiln.tests.compile.DiagnosticsTest.compile;
import static io.kiln.tests.compile.DiagnosticsTest.source;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated classes of a conv net, an LSTM language model and a Transformer block, each
 * compared token by token with a reviewed golden file in {@code src/test/resources/golden}, as the
 * MLP's is (here too, so one update run refreshes all four). These files are where a reader sees what
 * Kiln writes for each family: every kernel call commented with the nodes it covers and their shapes.
 *
 * <p>After a deliberate change to the generated code, regenerate them with {@code
 * -Dkiln.golden.update=true} and review the diff before committing.
 */
class GoldenFilesTest {

  private static final boolean UPDATE = Boolean.getBoolean("kiln.golden.update");

  static JavaFileObject model(String name) {
    return switch (name) {
      case "GoldenMlp" -> GeneratedCodeTest.goldenMlp();
      case "GoldenLeNet" -> source(
          "test.GoldenLeNet",
          "/** A LeNet-like conv net: conv, pooling, batch norm, dropout and dense layers. */",
          "@Model(maxBatch = 8)",
          "abstract class GoldenLeNet {",
          "  @Input(shape = {1, 12, 12}) abstract Tensor image();",
          "  @Conv(filters = 4, kernel = 3, padding = Padding.SAME, activation = Activation.RELU) abstract Tensor c1(Tensor image);",
          "  @MaxPool(size = 2) abstract Tensor p1(Tensor c1);",
          "  @Conv(filters = 8, kernel = 3) abstract Tensor c2(Tensor p1);",
          "  @BatchNorm abstract Tensor bn(Tensor c2);",
          "  @AvgPool(size = 2) abstract Tensor p2(Tensor bn);",
          "  @Flatten abstract Tensor flat(Tensor p2);",
          "  @Dense(units = 16, activation = Activation.RELU) abstract Tensor f1(Tensor flat);",
          "  @Dropout(rate = 0.25) abstract Tensor d1(Tensor f1);",
          "  @Dense(units = 10) abstract Tensor logits(Tensor d1);",
          "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor logits, @Labels IntTensor label);",
          "}");
      case "GoldenLstm" -> source(
          "test.GoldenLstm",
          "/** A character-level LSTM language model: embedding, LSTM, per-step dense. */",
          "@Model(maxBatch = 4)",
          "abstract class GoldenLstm {",
          "  @Tokens(maxLength = 8) abstract IntTensor text();",
          "  @Embedding(vocab = 12, dim = 6) abstract Tensor e(IntTensor text);",
          "  @Lstm(units = 10) abstract Tensor l(Tensor e);",
          "  @Dense(units = 12) abstract Tensor o(Tensor l);",
          "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);",
          "}");
      case "GoldenTransformer" -> source(
          "test.GoldenTransformer",
          "/** One pre-norm Transformer block over token and position embeddings, decoded greedily. */",
          "@Model(maxBatch = 4)",
          "abstract class GoldenTransformer {",
          "  @Tokens(maxLength = 8, decoded = true) abstract IntTensor text();",
          "  @Embedding(vocab = 12, dim = 8) abstract Tensor e(IntTensor text);",
          "  @PositionEmbedding abstract Tensor p(Tensor e);",
          "  @LayerNorm abstract Tensor norm1(Tensor p);",
          "  @MultiHeadAttention(heads = 2, causal = true) abstract Tensor attn(Tensor norm1);",
          "  @Add abstract Tensor r1(Tensor p, Tensor attn);",
          "  @LayerNorm abstract Tensor norm2(Tensor r1);",
          "  @Dense(units = 16, activation = Activation.GELU) abstract Tensor up(Tensor norm2);",
          "  @Dense(units = 8) abstract Tensor down(Tensor up);",
          "  @Add abstract Tensor r2(Tensor r1, Tensor down);",
          "  @LayerNorm abstract Tensor n(Tensor r2);",
          "  @Dense(units = 12) abstract Tensor o(Tensor n);",
          "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);",
          "}");
      default -> throw new IllegalArgumentException("no golden model " + name);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"GoldenMlp", "GoldenLeNet", "GoldenLstm", "GoldenTransformer"})
  void generatedClassMatchesGoldenFile(String name) throws IOException {
    Compilation compilation = compile(model(name));
    assertThat(compilation).succeededWithoutWarnings();
    // Read from the source tree (the module's directory is the working directory under Surefire),
    // so an update is compared with what was just written rather than a stale copy on the classpath.
    Path golden = Path.of("src/test/resources/golden/Kiln" + name + ".java");
    if (UPDATE) {
      JavaFileObject generated =
          compilation.generatedFile(StandardLocation.SOURCE_OUTPUT, "test", "Kiln" + name + ".java").orElseThrow();
      Files.writeString(golden, generated.getCharContent(true).toString(), StandardCharsets.UTF_8);
    }
    assertThat(compilation)
        .generatedSourceFile("test.Kiln" + name)
        .hasSourceEquivalentTo(JavaFileObjects.forSourceString("test.Kiln" + name, Files.readString(golden)));
  }
}
