package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.kiln.tests.compile.Conv1dDiagnosticsTest.assertError;
import static io.kiln.tests.compile.Conv1dDiagnosticsTest.net;

import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The build-time errors for misused per-axis attributes of {@code @Conv} and the pools
 * ({@code stride}, {@code pad}, {@code dilation}, {@code size}): each exactly once, on the line of
 * the layer at fault; and the one-value forms written before per-axis attributes existed still
 * compile (GoldenFilesTest shows they generate the same code).
 */
class PerAxisConvDiagnosticsTest {

  private static final String IMAGE = "@Input(shape = {1, 8, 8}) abstract Tensor x();";

  @Test
  void strideWithThreeValues() {
    assertError(net(IMAGE, "@Conv(filters = 4, kernel = 3, stride = {1, 2, 3})"),
        "[Kiln/BadAttribute] c: @Conv(stride = {1, 2, 3}) gives 3 values for 2 axes; give one for both (stride = 1) or one per axis,"
            + " height then width (stride = {1, 1})");
  }

  @Test
  void emptyPad() {
    assertError(net(IMAGE, "@Conv(filters = 4, kernel = 3, padding = Padding.EXPLICIT, pad = {})"),
        "[Kiln/BadAttribute] c: @Conv(pad = {}) gives 0 values for 2 axes; give one for both (pad = 1) or one per axis,"
            + " height then width (pad = {1, 1})");
  }

  @Test
  void dilationBelowOne() {
    assertError(net(IMAGE, "@Conv(filters = 4, kernel = 3, dilation = {1, 0})"),
        "[Kiln/BadAttribute] c: @Conv(dilation = 0) must be at least 1; dilation = 1 reads adjacent positions, 2 every other one");
  }

  @Test
  void negativePadOnOneAxis() {
    assertError(net(IMAGE, "@Conv(filters = 4, kernel = 3, padding = Padding.EXPLICIT, pad = {1, -1})"),
        "[Kiln/BadAttribute] c: @Conv(pad = -1) must be 0 or more");
  }

  @Test
  void strideBelowOneOnOneAxis() {
    assertError(net(IMAGE, "@Conv(filters = 4, kernel = 3, stride = {0, 2})"),
        "[Kiln/BadAttribute] c: @Conv(stride = 0) must be at least 1; leave it out to step by 1");
  }

  @Test
  void dilatedKernelLargerThanThePaddedInput() {
    assertError(net(IMAGE, "@Conv(filters = 4, kernel = 3, dilation = {4, 1})"),
        "[Kiln/ShapeMismatch] c: @Conv kernel 3×3 with dilation 4×1 spans 9×3 and is larger than x [B, 1, 8, 8] padded to 8×8 (padding VALID);"
            + " use a smaller kernel or dilation or padding = SAME");
  }

  @Test
  void dilatedConv1dLongerThanTheSeries() {
    assertError(net("@Input(shape = {2, 6}) abstract Tensor x();", "@Conv1d(filters = 4, kernel = 3, dilation = 3)"),
        "[Kiln/ShapeMismatch] c: @Conv1d kernel 3 with dilation 3 spans 7 and is larger than x [B, 2, 6] padded to length 6 (padding VALID);"
            + " use a smaller kernel or padding = SAME");
  }

  @Test
  void poolSizeWithThreeValues() {
    assertError(net(IMAGE, "@MaxPool(size = {2, 2, 2})"),
        "[Kiln/BadAttribute] c: @MaxPool(size = {2, 2, 2}) gives 3 values for 2 axes; give one for both (size = 1) or one per axis,"
            + " height then width (size = {1, 1})");
  }

  @Test
  void poolWindowTallerThanTheInput() {
    assertError(net("@Input(shape = {1, 3, 8}) abstract Tensor x();", "@AvgPool(size = {4, 2})"),
        "[Kiln/ShapeMismatch] c: @AvgPool(size = {4, 2}) window is larger than x [B, 1, 3, 8], so the output would be empty;"
            + " use a smaller size or pool earlier");
  }

  @Test
  void negativePoolStrideOnOneAxis() {
    assertError(net(IMAGE, "@MaxPool(size = 2, stride = {1, -2})"),
        "[Kiln/BadAttribute] c: @MaxPool(stride = -2) must be at least 1; leave it out to step by the window size");
  }

  /** One value for both axes, as written before the attributes took arrays, is the same model as the pair. */
  @Test
  void oneValueFormsStillCompile() {
    JavaFileObject src = DiagnosticsTest.source(
        "test.Net",
        "@Model",
        "abstract class Net {",
        "  @Input(shape = {3, 16, 16}) abstract Tensor x();",
        "  @Conv(filters = 8, kernel = 3, stride = 2, padding = Padding.EXPLICIT, pad = 1) abstract Tensor c(Tensor x);",
        "  @MaxPool(size = 2, stride = 2) abstract Tensor p(Tensor c);",
        "  @Flatten abstract Tensor f(Tensor p);",
        "  @Dense(units = 2) abstract Tensor out(Tensor f);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor label);",
        "}");
    assertThat(DiagnosticsTest.compile(src)).succeededWithoutWarnings();
  }
}
