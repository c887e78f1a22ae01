package io.kiln.tests.attention;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import io.kiln.processor.KilnProcessor;
import io.kiln.tests.compile.NetSnippets;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Build-time errors for attention, Transformer layers and repeated blocks: exact text, right line. */
class AttentionDiagnosticsTest {

  private static final List<String> SEQ2SEQ = List.of(
      "  @Tokens(maxLength = 8) abstract IntTensor src();",
      "  @Tokens(maxLength = 8) abstract IntTensor tgt();",
      "  @Embedding(vocab = 10, dim = 4) abstract Tensor se(IntTensor src);",
      "  @Embedding(vocab = 10, dim = 4) abstract Tensor te(IntTensor tgt);");

  private static final List<String> ONE = List.of(SEQ2SEQ.get(0), SEQ2SEQ.get(2));

  private static JavaFileObject source(List<String> prefix, String... lines) {
    List<String> all = new ArrayList<>(prefix);
    all.addAll(List.of(lines));
    return NetSnippets.net(all);
  }

  private static void assertError(JavaFileObject src, String message, String token) {
    NetSnippets.assertOnlyError(src, message, token);
  }

  @Test
  void queryAndKeyWidthsDiffer() {
    assertError(source(SEQ2SEQ,
        "  @Lstm(units = 6) abstract Tensor enc(Tensor se);",
        "  @Lstm(units = 5) abstract Tensor dec(Tensor te);",
        "  @Attention abstract Tensor ctx(Tensor dec, Tensor enc);",
        "  @Dense(units = 10) abstract Tensor o(Tensor ctx);"),
        "[Kiln/ShapeMismatch] ctx: @Attention scores decoder states dec [B, T, 5] against encoder states enc [B, T, 6] but their widths differ;"
            + " give the decoder and the encoder the same number of units",
        "@Attention");
  }

  @Test
  void decoderStateDiffersFromEncoderState() {
    assertError(source(SEQ2SEQ,
        "  @Lstm(units = 6) abstract Tensor enc(Tensor se);",
        "  @Lstm(units = 5) abstract Tensor dec(Tensor te, @InitialState Tensor enc);",
        "  @Dense(units = 10) abstract Tensor o(Tensor dec);"),
        "[Kiln/ShapeMismatch] dec: @InitialState enc is @Lstm(units = 6) but dec is @Lstm(units = 5); the state handed over must be the same kind of cell with the same units",
        "@Lstm(units = 5)");
  }

  @Test
  void attentionOverALastState() {
    assertError(source(SEQ2SEQ,
        "  @Lstm(units = 6, returnSequences = false) abstract Tensor enc(Tensor se);",
        "  @Lstm(units = 6) abstract Tensor dec(Tensor te);",
        "  @Attention abstract Tensor ctx(Tensor dec, Tensor enc);",
        "  @Dense(units = 10) abstract Tensor o(Tensor ctx);"),
        "[Kiln/ShapeMismatch] ctx: @Attention needs a sequence of vectors [B, T, n] but enc is [B, 6];"
            + " feed it an @Embedding, a recurrent layer with returnSequences = true, or another sequence layer",
        "@Attention");
  }

  @Test
  void attentionWithOneInput() {
    assertError(source(SEQ2SEQ,
        "  @Attention abstract Tensor ctx(Tensor se);",
        "  @Dense(units = 10) abstract Tensor o(Tensor ctx);"),
        "[Kiln/Arity] ctx: @Attention reads 2 nodes but the method has 1 (se); declare 2 Tensor parameters naming the nodes it reads",
        "@Attention");
  }

  @Test
  void unitsOnADotScore() {
    assertError(source(SEQ2SEQ,
        "  @Attention(units = 8) abstract Tensor ctx(Tensor te, Tensor se);",
        "  @Dense(units = 10) abstract Tensor o(Tensor ctx);"),
        "[Kiln/BadAttribute] ctx: @Attention(units = 8) is only used by Score.ADDITIVE, not DOT; remove it",
        "units = 8");
  }

  @Test
  void headsNotDividingTheWidth() {
    assertError(source(ONE,
        "  @MultiHeadAttention(heads = 3) abstract Tensor a(Tensor se);",
        "  @Dense(units = 10) abstract Tensor o(Tensor a);"),
        "[Kiln/ShapeMismatch] a: @MultiHeadAttention(heads = 3) must divide the model width 4 of se [B, T, 4]; use a number of heads that divides 4 (e.g. 2)",
        "heads = 3");
  }

  @Test
  void contextLongerThanThePositionTable() {
    assertError(source(ONE,
        "  @PositionEmbedding(maxLength = 6) abstract Tensor p(Tensor se);",
        "  @Dense(units = 10) abstract Tensor o(Tensor p);"),
        "[Kiln/ShapeMismatch] p: @PositionEmbedding(maxLength = 6) holds 6 positions but se may be 8 steps long (its @Tokens maxLength);"
            + " raise maxLength to at least 8 or shorten the input",
        "maxLength = 6");
  }

  @Test
  void multiHeadAttentionOnAVector() {
    assertError(source(List.of(),
        "  @Input(shape = 8) abstract Tensor x();",
        "  @MultiHeadAttention(heads = 2) abstract Tensor a(Tensor x);"),
        "[Kiln/ShapeMismatch] a: @MultiHeadAttention needs a sequence of vectors [B, T, n] but x is [B, 8]",
        "@MultiHeadAttention");
  }

  @Test
  void addOfDifferentShapes() {
    assertError(source(ONE,
        "  @Dense(units = 5) abstract Tensor d(Tensor se);",
        "  @Add abstract Tensor r(Tensor se, Tensor d);"),
        "[Kiln/ShapeMismatch] r: @Add needs inputs of the same shape but se is [B, T, 4] and d is [B, T, 5]",
        "@Dense(units = 5)"); // the residual branch's @Dense is the line to change
  }

  @Test
  void addOfOneInput() {
    assertError(source(SEQ2SEQ,
        "  @Add abstract Tensor r(Tensor se);"),
        "[Kiln/Arity] r: @Add reads two or more nodes but the method has only se; declare a Tensor parameter per node it joins",
        "@Add");
  }

  @Test
  void concatOfASequenceAndAVector() {
    assertError(source(SEQ2SEQ,
        "  @Lstm(units = 3, returnSequences = false) abstract Tensor last(Tensor se);",
        "  @Concat abstract Tensor j(Tensor te, Tensor last);"),
        "[Kiln/ShapeMismatch] j: @Concat needs inputs that are vectors per sample or per step, all sequences of the same length or none"
            + " but te is [B, T, 4] and last is [B, 3]",
        "@Concat");
  }

  @Test
  void layerNormEpsilonNotPositive() {
    assertError(source(ONE,
        "  @LayerNorm(epsilon = 0) abstract Tensor n(Tensor se);"),
        "[Kiln/BadAttribute] n: @LayerNorm(epsilon = 0.0) must be positive; the default 1e-5 is PyTorch's",
        "epsilon = 0");
  }

  @Test
  void geluOnAConvolution() {
    assertError(source(List.of(),
        "  @Input(shape = {1, 8, 8}) abstract Tensor x();",
        "  @Conv(filters = 2, kernel = 3, activation = Activation.GELU) abstract Tensor c(Tensor x);"),
        "[Kiln/BadAttribute] c: @Conv(activation = GELU) is not supported; GELU is available on @Dense (add one after this layer)",
        "GELU");
  }

  @Test
  void decodedInputOfAClassifier() {
    assertError(source(List.of(),
        "  @Tokens(maxLength = 8, decoded = true) abstract IntTensor ids();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor ids);",
        "  @Lstm(units = 4, returnSequences = false) abstract Tensor l(Tensor e);",
        "  @Dense(units = 3) abstract Tensor o(Tensor l);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor y);"),
        "[Kiln/BadAttribute] ids: @Tokens(decoded = true) feeds the model's predictions back, so the output o must be per-step class scores"
            + " [B, T, classes] under a SOFTMAX_CROSS_ENTROPY loss, but it is [B, 3]",
        "decoded = true");
  }

  @Test
  void repeatOfAClassWithoutBlock() {
    assertError(source(SEQ2SEQ,
        "  @Repeat(block = Inner.class, times = 2) abstract Tensor b(Tensor se);",
        "  abstract static class Inner {",
        "    @BlockInput abstract Tensor x();",
        "    @LayerNorm abstract Tensor n(Tensor x);",
        "  }"),
        "[Kiln/BadAttribute] b: @Repeat(block = Inner.class) names a class without @Block; annotate Inner with @Block",
        "@Repeat");
  }

  @Test
  void repeatZeroTimes() {
    assertError(source(SEQ2SEQ,
        "  @Repeat(block = Inner.class, times = 0) abstract Tensor b(Tensor se);",
        "  @Block abstract static class Inner {",
        "    @BlockInput abstract Tensor x();",
        "    @LayerNorm abstract Tensor n(Tensor x);",
        "  }"),
        "[Kiln/BadAttribute] b: @Repeat(times = 0) must be at least 1; times is the number of copies, e.g. times = 1",
        "times = 0");
  }

  @Test
  void blockWithTwoOutputs() {
    assertError(source(SEQ2SEQ,
        "  @Repeat(block = Inner.class, times = 2) abstract Tensor b(Tensor se);",
        "  @Block abstract static class Inner {",
        "    @BlockInput abstract Tensor x();",
        "    @LayerNorm abstract Tensor n(Tensor x);",
        "    @Dense(units = 4) abstract Tensor d(Tensor x);",
        "  }"),
        "[Kiln/NoOutput] @Block Inner must have exactly one output (a node no other block node reads) but has 2 (n, d); make every other node feed the last one",
        "abstract static class Inner");
  }

  @Test
  void blockWithoutInput() {
    assertError(source(SEQ2SEQ,
        "  @Repeat(block = Inner.class, times = 2) abstract Tensor b(Tensor se);",
        "  @Block abstract static class Inner {",
        "    @LayerNorm abstract Tensor n(Tensor se);",
        "  }"),
        "[Kiln/ModelDeclaration] @Block Inner has no @BlockInput; declare exactly one, e.g. @BlockInput abstract Tensor x();",
        "abstract static class Inner");
  }

  @Test
  void shapeErrorInsideARepeatedBlockNamesTheCopy() {
    Compilation c = Compiler.javac().withProcessors(new KilnProcessor()).compile(source(ONE,
        "  @Repeat(block = Inner.class, times = 2) abstract Tensor b(Tensor se);",
        "  @Block abstract static class Inner {",
        "    @BlockInput abstract Tensor x();",
        "    @MultiHeadAttention(heads = 3) abstract Tensor a(Tensor x);",
        "  }"));
    assertThat(c).failed();
    // The first copy fails; the second reads it and is skipped rather than reported again.
    assertThat(c).hadErrorContaining("b.0.a: @MultiHeadAttention(heads = 3) must divide the model width 4");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void sharedTableOfAnotherSize() {
    assertError(source(List.of(),
        "  @Tokens(maxLength = 8) abstract IntTensor src();",
        "  @Tokens(maxLength = 8) abstract IntTensor tgt();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor se(IntTensor src);",
        "  @Embedding(vocab = 10, dim = 5, shares = \"se\") abstract Tensor te(IntTensor tgt);",
        "  @Concat abstract Tensor j(Tensor se, Tensor te);"),
        "[Kiln/ShapeMismatch] te: @Embedding(vocab = 10, dim = 5) shares se's table, which is [10, 4]; declare the same vocab and dim",
        "shares");
  }

  @Test
  void sharedTableOfADenseLayer() {
    assertError(source(List.of(),
        "  @Tokens(maxLength = 8) abstract IntTensor src();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor se(IntTensor src);",
        "  @Dense(units = 4) abstract Tensor d(Tensor se);",
        "  @Tokens(maxLength = 8) abstract IntTensor tgt();",
        "  @Embedding(vocab = 10, dim = 4, shares = \"d\") abstract Tensor te(IntTensor tgt);",
        "  @Concat abstract Tensor j(Tensor d, Tensor te);"),
        "[Kiln/BadAttribute] te: @Embedding(shares = \"d\") must name another @Embedding node with a table of its own, but 'd' is @Dense",
        "shares");
  }

  @Test
  void decodedInputThroughUnmaskedSelfAttention() {
    assertError(source(List.of(),
        "  @Tokens(maxLength = 8, decoded = true) abstract IntTensor text();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor text);",
        "  @MultiHeadAttention(heads = 2) abstract Tensor a(Tensor e);",
        "  @Dense(units = 10) abstract Tensor o(Tensor a);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);"),
        "[Kiln/BadAttribute] a: @MultiHeadAttention lets step t see later steps of text, which is @Tokens(decoded = true) and decoded one"
            + " step at a time; make it causal (@MultiHeadAttention(causal = true); @Attention over states that do not depend on text) or drop"
            + " decoded on text",
        "@MultiHeadAttention");
  }
}
