package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import io.kiln.processor.KilnProcessor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Declarations that used to compile into a model computing something other than what they read
 * as; each is now one error on the line at fault, and the fix its message gives compiles.
 */
class SilentModelsTest {

  private static final List<String> TEXT = List.of(
      "  @Tokens(maxLength = 8) abstract IntTensor src();",
      "  @Embedding(vocab = 10, dim = 4) abstract Tensor se(IntTensor src);");

  /** A block repeated twice that keeps its input's width: the output of the model. */
  private static final String[] WIDTH_KEEPING_BLOCK = {
      "  @Repeat(block = Inner.class, times = 2) abstract Tensor b(Tensor se);",
      "  @Block abstract static class Inner {",
      "    @BlockInput abstract Tensor x();",
      "    @Dense(units = 4) abstract Tensor d(Tensor x);",
      "  }"};

  private static List<String> with(List<String> prefix, String... lines) {
    List<String> all = new ArrayList<>(prefix);
    all.addAll(List.of(lines));
    return all;
  }

  @Test
  void flattenAfterARecurrentLayerIsRefusedWithTheLastStateFix() {
    NetSnippets.assertOnlyError(NetSnippets.net(with(TEXT,
        "  @Lstm(units = 6) abstract Tensor enc(Tensor se);",
        "  @Flatten abstract Tensor flat(Tensor enc);",
        "  @Dense(units = 1) abstract Tensor o(Tensor flat);",
        "  @Loss(LossKind.SIGMOID_BINARY_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels Tensor y);")),
        "[Kiln/ShapeMismatch] flat: @Flatten cannot fold the steps of the sequence enc [B, T, 6] into one vector (T varies per call),"
            + " and keeping them apart would make the next layer run per step; to read the whole sequence, use enc's last state instead:"
            + " @Lstm(units = 6, returnSequences = false) gives [B, 6], and drop @Flatten",
        "@Flatten");
    // The fix, applied: the sentiment classifier it was meant to be.
    NetSnippets.assertCompiles(with(TEXT,
        "  @Lstm(units = 6, returnSequences = false) abstract Tensor enc(Tensor se);",
        "  @Dense(units = 1) abstract Tensor o(Tensor enc);",
        "  @Loss(LossKind.SIGMOID_BINARY_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels Tensor y);"));
  }

  @Test
  void flattenOfAnEmbeddingIsRefused() {
    NetSnippets.assertOnlyError(NetSnippets.net(with(TEXT,
        "  @Flatten abstract Tensor flat(Tensor se);",
        "  @Dense(units = 3) abstract Tensor o(Tensor flat);")),
        "flat: @Flatten cannot fold the steps of the sequence se [B, T, 4]",
        "@Flatten");
  }

  @Test
  void aRepeatedBlockThatChangesItsWidthIsRefused() {
    NetSnippets.assertOnlyError(NetSnippets.net(with(TEXT,
        "  @Repeat(",
        "      block = Inner.class, times = 2) abstract Tensor b(Tensor se);",
        "  @Block abstract static class Inner {",
        "    @BlockInput abstract Tensor x();",
        "    @Dense(units = 5) abstract Tensor d(Tensor x);",
        "  }")),
        "[Kiln/ShapeMismatch] b.0.d: the output of Inner, which @Repeat b (times = 2) feeds to its next copy, is [B, T, 5] but the"
            + " block's input se is [B, T, 4]; make d return its input's shape (units = 4 for a @Dense), or repeat the block once (times = 1)",
        "@Dense(units = 5)"); // reported once, on the block member to change
    NetSnippets.assertCompiles(with(TEXT, WIDTH_KEEPING_BLOCK));
  }

  @Test
  void aBlockThatChangesItsWidthOnceIsFine() {
    NetSnippets.assertCompiles(with(TEXT,
        "  @Repeat(block = Inner.class, times = 1) abstract Tensor b(Tensor se);",
        "  @Block abstract static class Inner {",
        "    @BlockInput abstract Tensor x();",
        "    @Dense(units = 5) abstract Tensor d(Tensor x);",
        "  }"));
  }

  @Test
  void aMistakeInsideARepeatedBlockIsReportedOnce() {
    Compilation c = Compiler.javac().withProcessors(new KilnProcessor()).compile(NetSnippets.net(with(TEXT,
        "  @Repeat(block = Inner.class, times = 3) abstract Tensor b(Tensor se);",
        "  @Block abstract static class Inner {",
        "    @BlockInput abstract Tensor x();",
        "    @Dropout(rate = 1.5f) abstract Tensor d(Tensor x);",
        "  }")));
    assertThat(c).failed();
    assertThat(c).hadErrorContaining("b.0.d: @Dropout(rate = 1.5)");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aDecodedModelWithMoreClassesThanItsVocabularyIsRefused() {
    List<String> lm = List.of(
        "  @Tokens(maxLength = 8, decoded = true) abstract IntTensor text();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor text);",
        "  @Lstm(units = 6) abstract Tensor h(Tensor e);");
    NetSnippets.assertOnlyError(NetSnippets.net(with(lm,
        "  @Dense(",
        "      units = 12) abstract Tensor logits(Tensor h);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor logits, @Labels IntTensor next);")),
        "[Kiln/ShapeMismatch] logits: greedy decoding feeds the argmax of logits's 12 classes back into text, but e has rows for"
            + " ids 0..9 only (vocab = 10); give logits 10 classes (units = 10) or e vocab = 12",
        "units = 12");
    NetSnippets.assertCompiles(with(lm,
        "  @Dense(units = 10) abstract Tensor logits(Tensor h);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor logits, @Labels IntTensor next);"));
  }

  /** A model whose output is a @Repeat node crashed the processor (the node was taken for a broken one). */
  @Test
  void aRepeatedBlockCanBeTheOutput() {
    NetSnippets.assertCompiles(with(TEXT, WIDTH_KEEPING_BLOCK));
  }

  @Test
  void twoOutputsNameTheRepeatNodeNotItsLastCopy() {
    NetSnippets.assertOnlyError(NetSnippets.net(with(TEXT,
        "  @Dense(units = 3) abstract Tensor other(Tensor se);",
        "  @Repeat(block = Inner.class, times = 2) abstract Tensor b(Tensor se);",
        "  @Block abstract static class Inner {",
        "    @BlockInput abstract Tensor x();",
        "    @Dense(units = 4) abstract Tensor d(Tensor x);",
        "  }")),
        "several nodes that nothing reads (other, b)",
        "@Model");
  }
}
