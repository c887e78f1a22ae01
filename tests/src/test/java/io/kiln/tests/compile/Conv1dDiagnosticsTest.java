package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The build-time errors for misused 1-D convolution and pooling layers ({@code @Conv1d},
 * {@code @MaxPool1d}, {@code @AvgPool1d}, {@code @GlobalAvgPool}): each exactly once, on the line
 * of the layer at fault, and a correct 1-D model compiles cleanly.
 */
class Conv1dDiagnosticsTest {

  /** A model reading {@code input} (a whole node line) with one layer {@code layer} (an annotation) named {@code c}. */
  static JavaFileObject net(String input, String layer) {
    return DiagnosticsTest.source(
        "test.Net",
        "@Model",
        "abstract class Net {",
        "  " + input,
        "  " + layer + " abstract Tensor c(Tensor x);",
        "}");
  }

  /** {@code src} fails with exactly one error, {@code message}, on the line of the node {@code c}. */
  static void assertError(JavaFileObject src, String message) {
    Compilation compilation = DiagnosticsTest.compile(src);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining(message).inFile(src).onLineContaining("abstract Tensor c(");
    assertThat(compilation).hadErrorCount(1);
  }

  @Test
  void conv1dOnAnImage() {
    assertError(net("@Input(shape = {1, 28, 28}) abstract Tensor x();", "@Conv1d(filters = 4, kernel = 3)"),
        "[Kiln/ShapeMismatch] c: @Conv1d needs [B, C, T] but x is [B, 1, 28, 28]; for an image use @Conv, or read a series,"
            + " e.g. @Input(shape = {1, 784})");
  }

  @Test
  void conv1dOnAVector() {
    assertError(net("@Input(shape = 100) abstract Tensor x();", "@Conv1d(filters = 4, kernel = 3)"),
        "[Kiln/ShapeMismatch] c: @Conv1d needs [B, C, T] but x is [B, 100]; give x a channel axis: [B, 1, 100], e.g. @Input(shape = {1, 100})");
  }

  @Test
  void conv1dOnATokenSequence() {
    JavaFileObject src = DiagnosticsTest.source(
        "test.Net",
        "@Model",
        "abstract class Net {",
        "  @Tokens(maxLength = 8) abstract IntTensor ids();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor x(IntTensor ids);",
        "  @Conv1d(filters = 4, kernel = 3) abstract Tensor c(Tensor x);",
        "}");
    assertError(src, "[Kiln/ShapeMismatch] c: @Conv1d needs [B, C, T] but x is [B, T, 4]; a sequence's T varies, but @Conv1d reads a fixed length,"
        + " channels first: a series @Input(shape = {C, T})");
  }

  @Test
  void conv1dKernelLargerThanThePaddedSeries() {
    assertError(net("@Input(shape = {2, 5}) abstract Tensor x();", "@Conv1d(filters = 4, kernel = 9, padding = Padding.EXPLICIT, pad = 1)"),
        "[Kiln/ShapeMismatch] c: @Conv1d kernel 9 is larger than x [B, 2, 5] padded to length 7 (padding EXPLICIT); use a smaller kernel or padding = SAME");
  }

  @Test
  void conv1dKernelBelowOne() {
    assertError(net("@Input(shape = {2, 5}) abstract Tensor x();", "@Conv1d(filters = 4, kernel = 0)"),
        "[Kiln/BadAttribute] c: @Conv1d(kernel = 0) must be at least 1; kernel is the window size, e.g. kernel = 3");
  }

  @Test
  void conv1dPadWithoutExplicitPadding() {
    assertError(net("@Input(shape = {2, 5}) abstract Tensor x();", "@Conv1d(filters = 4, kernel = 3, pad = 1)"),
        "[Kiln/BadAttribute] c: @Conv1d(pad = 1) is only used with padding = EXPLICIT, but padding is VALID; add padding = EXPLICIT or remove pad");
  }

  @Test
  void conv1dStrideBelowOne() {
    assertError(net("@Input(shape = {2, 5}) abstract Tensor x();", "@Conv1d(filters = 4, kernel = 3, stride = 0)"),
        "[Kiln/BadAttribute] c: @Conv1d(stride = 0) must be at least 1; leave it out to step by 1");
  }

  @Test
  void pool1dWindowLargerThanTheSeries() {
    assertError(net("@Input(shape = {2, 5}) abstract Tensor x();", "@MaxPool1d(size = 8)"),
        "[Kiln/ShapeMismatch] c: @MaxPool1d(size = 8) window is larger than x [B, 2, 5], so the output would be empty; use a smaller size or pool earlier");
  }

  @Test
  void pool1dOnAnImage() {
    assertError(net("@Input(shape = {3, 4, 4}) abstract Tensor x();", "@AvgPool1d(size = 2)"),
        "[Kiln/ShapeMismatch] c: @AvgPool1d needs [B, C, T] but x is [B, 3, 4, 4]; for an image use @AvgPool, or read a series,"
            + " e.g. @Input(shape = {3, 16})");
  }

  @Test
  void pool1dNegativeStride() {
    assertError(net("@Input(shape = {2, 5}) abstract Tensor x();", "@AvgPool1d(size = 2, stride = -1)"),
        "[Kiln/BadAttribute] c: @AvgPool1d(stride = -1) must be at least 1; leave it out to step by the window size");
  }

  @Test
  void globalPoolOnAVector() {
    assertError(net("@Input(shape = 100) abstract Tensor x();", "@GlobalAvgPool"),
        "[Kiln/ShapeMismatch] c: @GlobalAvgPool needs [B, C, T] or [B, C, H, W] but x is [B, 100]; pool the output of @Conv1d or @Conv,"
            + " e.g. @Input(shape = {8, 100}) → @Conv1d → @GlobalAvgPool");
  }

  @Test
  void aOneDimensionalModelCompilesCleanly() {
    JavaFileObject src = DiagnosticsTest.source(
        "test.Net",
        "@Model",
        "abstract class Net {",
        "  @Input(shape = {3, 50}) abstract Tensor x();",
        "  @Conv1d(filters = 8, kernel = 5, padding = Padding.SAME, activation = Activation.RELU) abstract Tensor c(Tensor x);",
        "  @MaxPool1d(size = 2) abstract Tensor p(Tensor c);",
        "  @GlobalAvgPool abstract Tensor g(Tensor p);",
        "  @Flatten abstract Tensor f(Tensor g);",
        "  @Dense(units = 2) abstract Tensor out(Tensor f);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor label);",
        "}");
    Compilation compilation = DiagnosticsTest.compile(src);
    assertThat(compilation).succeededWithoutWarnings();
  }
}
