package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import io.kiln.processor.KilnProcessor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Messages that used to mislead: advice that could not work, shapes shown alike although they
 * differ, arithmetic overflow shown as a shape, and fixes that were missing. Each is one error on the
 * right line, and where the fix is mechanical, the fixed declaration compiles.
 */
class MessageFixesTest {

  @Test
  void anIntTensorInputIsPointedAtTokens() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of("  @Input(shape = 4) abstract IntTensor x();")),
        "[Kiln/NodeDeclaration] x: @Input is a float input (Tensor), but this returns IntTensor; for token ids declare"
            + " @Tokens(maxLength = ...) abstract IntTensor x() and read it with an @Embedding; for float features declare abstract Tensor x()",
        "IntTensor x()");
  }

  @Test
  void aDenseOnTokenIdsIsPointedAtAnEmbedding() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 8) abstract IntTensor t();",
        "  @Dense(units = 4) abstract Tensor d(IntTensor t);")),
        "[Kiln/ShapeMismatch] d: @Dense needs [B, n] but t is [B, T]; token ids are read by an @Embedding:"
            + " @Embedding(vocab = ..., dim = ...) abstract Tensor emb(IntTensor t), then @Dense over emb",
        "@Dense");
  }

  @Test
  void anInputWithAParameterIsAnArityErrorWhateverTheParameterNames() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Input(shape = 4) abstract Tensor x(Tensor y);",
        "  @Dense(units = 4) abstract Tensor d(Tensor x);")),
        "[Kiln/Arity] x: @Input reads no nodes but the method has 1 (y); remove the parameter",
        "abstract Tensor x(Tensor y)");
  }

  @Test
  void sequencesThatDifferOnlyInMaxLengthAreShownDifferently() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 8) abstract IntTensor a();",
        "  @Tokens(maxLength = 12) abstract IntTensor b();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor ea(IntTensor a);",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor eb(IntTensor b);",
        "  @Add abstract Tensor s(Tensor ea, Tensor eb);")),
        "[Kiln/ShapeMismatch] s: @Add needs inputs of the same shape but ea is [B, T ≤ 8, 4] and eb is [B, T ≤ 12, 4];"
            + " give the sequences' @Tokens inputs the same maxLength",
        "@Add");
  }

  @Test
  void aResidualOfAnotherWidthSaysWhichWidth() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Input(shape = 4) abstract Tensor x();",
        "  @Dense(units = 5) abstract Tensor d(Tensor x);",
        "  @Add abstract Tensor r(Tensor x, Tensor d);")),
        "[Kiln/ShapeMismatch] r: @Add needs inputs of the same shape but x is [B, 4] and d is [B, 5];"
            + " a residual branch must keep the width: end d's branch with a @Dense(units = 4)",
        "@Dense(units = 5)"); // the branch's @Dense is the line to change, not the @Add
    NetSnippets.assertCompiles(List.of(
        "  @Input(shape = 4) abstract Tensor x();",
        "  @Dense(units = 4) abstract Tensor d(Tensor x);",
        "  @Add abstract Tensor r(Tensor x, Tensor d);"));
  }

  @Test
  void hugeAttributesAreBadAttributesNotOverflowedShapes() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Input(shape = {1, 28, 28}) abstract Tensor x();",
        "  @Conv(filters = 4, kernel = 3, padding = Padding.EXPLICIT,",
        "      pad = 2147483647) abstract Tensor c(Tensor x);")),
        "[Kiln/BadAttribute] c: @Conv(pad = 2147483647) is larger than any tensor may be (2^25 floats); use a value that fits the input",
        "pad = 2147483647");
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Input(shape = {1, 28, 28}) abstract Tensor x();",
        "  @Conv(filters = 4, kernel = 3, padding = Padding.SAME,",
        "      stride = 2147483647) abstract Tensor c(Tensor x);")),
        "c: @Conv(stride = 2147483647) is larger than any tensor may be",
        "stride = 2147483647");
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(",
        "      maxLength = 2147483647) abstract IntTensor t();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor t);")),
        "t: @Tokens(maxLength = 2147483647) is larger than any tensor may be",
        "maxLength = 2147483647");
  }

  @Test
  void weightsOverTheLimitAreRefusedForEveryLayerThatHasThem() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 8) abstract IntTensor t();",
        "  @Embedding(",
        "      vocab = 2147483647, dim = 4) abstract Tensor e(IntTensor t);")),
        "[Kiln/BadAttribute] e: @Embedding(vocab = 2147483647) needs a weight of [2147483647, 4], more than 2^25 floats; use a smaller vocab",
        "vocab = 2147483647");
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 8) abstract IntTensor t();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor t);",
        "  @Lstm(",
        "      units = 100000) abstract Tensor l(Tensor e);")),
        "[Kiln/BadAttribute] l: @Lstm(units = 100000) needs a weight of [400000, 100000], more than 2^25 floats",
        "units = 100000");
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 8) abstract IntTensor t();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor t);",
        "  @PositionEmbedding(",
        "      maxLength = 2147483647) abstract Tensor p(Tensor e);")),
        "p: @PositionEmbedding(maxLength = 2147483647) needs a weight of [2147483647, 4]",
        "maxLength = 2147483647");
  }

  @Test
  void aChannelsLastImageIsWarnedAboutWhenAKernelStillFits() {
    Compilation c = Compiler.javac().withProcessors(new KilnProcessor()).compile(NetSnippets.net(List.of(
        "  @Input(shape = {64, 64, 3}) abstract Tensor x();",
        "  @Conv(filters = 4, kernel = 3) abstract Tensor c(Tensor x);")));
    assertThat(c).succeeded();
    assertThat(c).hadWarningContaining("[Kiln/ChannelsLast] x: @Input(shape = {64, 64, 3}) reads as 64 channels of 64×3 pixels:"
        + " Kiln, like PyTorch, is channels-first [C, H, W]; for a 64×64 image with 3 channels write shape = {3, 64, 64}");
    assertThat(c).hadWarningCount(1);
  }

  @Test
  void aChannelsLastImageWhoseKernelDoesNotFitIsAnErrorOnTheInput() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Input(shape = {64, 64, 3}) abstract Tensor x();",
        "  @Conv(filters = 4, kernel = 5) abstract Tensor c(Tensor x);")),
        "[Kiln/ShapeMismatch] x: @Input(shape = {64, 64, 3}) reads as 64 channels of 64×3 pixels, too small for the image layers after it:"
            + " Kiln, like PyTorch, is channels-first [C, H, W]; for a 64×64 image with 3 channels write shape = {3, 64, 64}",
        "@Input");
    NetSnippets.assertCompiles(List.of(
        "  @Input(shape = {3, 64, 64}) abstract Tensor x();",
        "  @Conv(filters = 4, kernel = 5) abstract Tensor c(Tensor x);"));
  }
}
