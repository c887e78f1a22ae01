package io.kiln.runtime.cnn;

/**
 * Geometry of a 2-D convolution over one sample {@code [C, H, W] → [F, OH, OW]} (NCHW, row-major).
 * {@code padTop}/{@code padLeft} may differ from the bottom/right padding (TF's SAME with even
 * kernels puts the extra row and column at the bottom and right); the bottom/right padding is
 * implied by {@code outHeight}/{@code outWidth}: {@code padBottom = (OH − 1)·strideHeight + span − H − padTop}
 * with {@code span = (KH − 1)·dilationHeight + 1}, which may be negative when the last rows are never
 * reached (floor rounding, as PyTorch does). Stride and dilation may differ per axis ({@link Steps}).
 *
 * <p>Output size (the reference notes): {@code out = (I − K + 2P) / S + 1}; a 3×3 kernel over a 5×5
 * image gives 3×3 with VALID padding and 5×5 with SAME (P = 1).
 *
 * @param channels input channels C
 * @param height input height H
 * @param width input width W
 * @param filters output channels F
 * @param kernelHeight KH
 * @param kernelWidth KW
 * @param steps stride and dilation per axis
 * @param padTop zero rows above the image
 * @param padLeft zero columns left of the image
 * @param outHeight OH
 * @param outWidth OW
 */
public record ConvGeometry(int channels, int height, int width, int filters, int kernelHeight, int kernelWidth,
    Steps steps, int padTop, int padLeft, int outHeight, int outWidth) {

  /**
   * How a window moves and spreads along each axis: PyTorch's {@code stride=(sh, sw)} and
   * {@code dilation=(dh, dw)}; a dilated window reads every {@code dilation}-th position.
   */
  public record Steps(int strideHeight, int strideWidth, int dilationHeight, int dilationWidth) {
    public Steps {
      positive("strideHeight", strideHeight);
      positive("strideWidth", strideWidth);
      positive("dilationHeight", dilationHeight);
      positive("dilationWidth", dilationWidth);
    }

    /** The same stride along both axes, no dilation. */
    public static Steps of(int stride) {
      return new Steps(stride, stride, 1, 1);
    }
  }

  /** The same stride along both axes, no dilation. */
  public ConvGeometry(int channels, int height, int width, int filters, int kernelHeight, int kernelWidth,
      int stride, int padTop, int padLeft, int outHeight, int outWidth) {
    this(channels, height, width, filters, kernelHeight, kernelWidth, Steps.of(stride), padTop, padLeft, outHeight, outWidth);
  }

  /** Validates every field; throws {@link IllegalArgumentException} naming the inconsistent one. */
  public ConvGeometry {
    positive("channels", channels);
    positive("height", height);
    positive("width", width);
    positive("filters", filters);
    positive("kernelHeight", kernelHeight);
    positive("kernelWidth", kernelWidth);
    java.util.Objects.requireNonNull(steps, "steps");
    positive("outHeight", outHeight);
    positive("outWidth", outWidth);
    int spanH = span(kernelHeight, steps.dilationHeight());
    int spanW = span(kernelWidth, steps.dilationWidth());
    String spanHName = steps.dilationHeight() == 1 ? "kernelHeight" : "(kernelHeight − 1)·dilationHeight + 1";
    String spanWName = steps.dilationWidth() == 1 ? "kernelWidth" : "(kernelWidth − 1)·dilationWidth + 1";
    pad("padTop", padTop, spanHName, spanH);
    pad("padLeft", padLeft, spanWName, spanW);
    implied("outHeight", outHeight, "height", height, spanHName, spanH, steps.strideHeight(), "padTop", padTop, "padBottom");
    implied("outWidth", outWidth, "width", width, spanWName, spanW, steps.strideWidth(), "padLeft", padLeft, "padRight");
    fits("inputSize", (long) channels * height * width);
    fits("outputSize", (long) filters * outHeight * outWidth);
    fits("patchSize", (long) channels * kernelHeight * kernelWidth);
    fits("weight size (filters·patchSize)", (long) filters * channels * kernelHeight * kernelWidth);
    fits("colsSize", (long) channels * kernelHeight * kernelWidth * outHeight * outWidth);
  }

  // ---------------------------------------------------------------------------------------------
  // Factories and size helpers

  /**
   * VALID padding (none): {@code out = (I − K) / S + 1}.
   *
   * @throws IllegalArgumentException if the kernel is larger than the image
   */
  public static ConvGeometry valid(int channels, int height, int width, int filters, int kernelHeight, int kernelWidth,
      int stride) {
    return explicit(channels, height, width, filters, kernelHeight, kernelWidth, stride, 0, 0);
  }

  /**
   * SAME padding, TF-style: {@code out = ceil(I / S)}, {@code padTotal = max((out − 1)·S + K − I, 0)},
   * {@code padTop = padTotal / 2} (the odd row goes to the bottom; likewise for columns).
   */
  public static ConvGeometry same(int channels, int height, int width, int filters, int kernelHeight, int kernelWidth,
      int stride) {
    positive("stride", stride);
    positive("height", height);
    positive("width", width);
    positive("kernelHeight", kernelHeight);
    positive("kernelWidth", kernelWidth);
    int oh = sameOutputSize(height, stride);
    int ow = sameOutputSize(width, stride);
    return new ConvGeometry(channels, height, width, filters, kernelHeight, kernelWidth, stride,
        samePadTotal(height, kernelHeight, stride) / 2, samePadTotal(width, kernelWidth, stride) / 2, oh, ow);
  }

  /** Symmetric explicit padding {@code pad} on all four sides (PyTorch's {@code padding=pad}, floor rounding). */
  public static ConvGeometry explicit(int channels, int height, int width, int filters, int kernelHeight,
      int kernelWidth, int stride, int pad) {
    return explicit(channels, height, width, filters, kernelHeight, kernelWidth, stride, pad, pad);
  }

  /** Explicit padding {@code padH} above and below, {@code padW} left and right (floor rounding). */
  public static ConvGeometry explicit(int channels, int height, int width, int filters, int kernelHeight,
      int kernelWidth, int stride, int padH, int padW) {
    int oh = outputSize(height, kernelHeight, stride, 2 * padH);
    int ow = outputSize(width, kernelWidth, stride, 2 * padW);
    return new ConvGeometry(channels, height, width, filters, kernelHeight, kernelWidth, stride, padH, padW, oh, ow);
  }

  /**
   * Explicit padding {@code padH} above and below, {@code padW} left and right, with a stride and
   * dilation per axis (PyTorch's {@code nn.Conv2d(stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw))}).
   */
  public static ConvGeometry explicit(int channels, int height, int width, int filters, int kernelHeight,
      int kernelWidth, Steps steps, int padH, int padW) {
    int oh = outputSize(height, span(kernelHeight, steps.dilationHeight()), steps.strideHeight(), 2 * padH);
    int ow = outputSize(width, span(kernelWidth, steps.dilationWidth()), steps.strideWidth(), 2 * padW);
    return new ConvGeometry(channels, height, width, filters, kernelHeight, kernelWidth, steps, padH, padW, oh, ow);
  }

  /**
   * {@code (input + padTotal − kernel) / stride + 1} (floor), the output length along one axis.
   *
   * @throws IllegalArgumentException if an argument is out of range or the kernel does not fit
   */
  public static int outputSize(int input, int kernel, int stride, int padTotal) {
    positive("input", input);
    positive("kernel", kernel);
    positive("stride", stride);
    if (padTotal < 0) {
      throw new IllegalArgumentException("padTotal must be >= 0 but was " + padTotal);
    }
    long span = (long) input + padTotal - kernel;
    if (span < 0) {
      throw new IllegalArgumentException("kernel " + kernel + " is larger than the padded input " + input
          + " + " + padTotal + "; use SAME padding or a smaller kernel");
    }
    return (int) (span / stride + 1);
  }

  /** SAME padding's output length, {@code ceil(input / stride)}. */
  public static int sameOutputSize(int input, int stride) {
    positive("input", input);
    positive("stride", stride);
    return (int) (((long) input + stride - 1) / stride);
  }

  /** SAME padding's total along one axis (TF): {@code max((out − 1)·S + K − I, 0)}; the top/left gets half, rounded down. */
  public static int samePadTotal(int input, int kernel, int stride) {
    positive("kernel", kernel);
    long total = (long) (sameOutputSize(input, stride) - 1) * stride + kernel - input;
    return (int) Math.max(total, 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Derived sizes

  /** {@code C·KH·KW}: the rows of the im2col matrix and the columns of the weight matrix. */
  public int patchSize() {
    return channels * kernelHeight * kernelWidth;
  }

  /** {@code OH·OW}. */
  public int outPixels() {
    return outHeight * outWidth;
  }

  /** {@code C·H·W}: floats per input sample. */
  public int inputSize() {
    return channels * height * width;
  }

  /** {@code F·OH·OW}: floats per output sample. */
  public int outputSize() {
    return filters * outHeight * outWidth;
  }

  /** {@code F·C·KH·KW}: floats in the weight tensor {@code [F, C, KH, KW]}. */
  public int weightSize() {
    return filters * patchSize();
  }

  /** {@code patchSize·outPixels}: the scratch im2col (and col2im) needs, per sample. */
  public int colsSize() {
    return patchSize() * outPixels();
  }

  public int strideHeight() {
    return steps.strideHeight();
  }

  public int strideWidth() {
    return steps.strideWidth();
  }

  public int dilationHeight() {
    return steps.dilationHeight();
  }

  public int dilationWidth() {
    return steps.dilationWidth();
  }

  /** Zero rows below the image implied by outHeight (negative when the last rows are unused). */
  public int padBottom() {
    return (outHeight - 1) * strideHeight() + span(kernelHeight, dilationHeight()) - height - padTop;
  }

  /** Zero columns right of the image implied by outWidth (negative when the last columns are unused). */
  public int padRight() {
    return (outWidth - 1) * strideWidth() + span(kernelWidth, dilationWidth()) - width - padLeft;
  }

  /** True for a 1×1, stride-1, unpadded convolution, whose im2col matrix is the input itself. */
  public boolean isPointwise() {
    return kernelHeight == 1 && kernelWidth == 1 && strideHeight() == 1 && strideWidth() == 1 && padTop == 0 && padLeft == 0
        && outHeight == height && outWidth == width;
  }

  /** The positions a dilated window covers along one axis: {@code (kernel − 1)·dilation + 1}. */
  private static int span(int kernel, int dilation) {
    return (int) Math.min(Integer.MAX_VALUE, (long) (kernel - 1) * dilation + 1);
  }

  // ---------------------------------------------------------------------------------------------
  // Validation helpers

  private static void positive(String name, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be positive but was " + v);
    }
  }

  private static void pad(String name, int pad, String kernelName, int kernel) {
    if (pad < 0 || pad >= kernel) {
      throw new IllegalArgumentException(
          name + " must be in [0, " + kernelName + " = " + kernel + ") but was " + pad
              + " (a window entirely in the padding sees only zeros)");
    }
  }

  private static void implied(String outName, int out, String inName, int in, String kName, int k, int stride,
      String padName, int pad, String impliedName) {
    long implied = (long) (out - 1) * stride + k - in - pad;
    if (implied >= k || implied <= -stride) {
      long lo = Math.max(1, ceilDivL((long) in + pad - k + 1, stride));
      long hi = ((long) in + pad - 1) / stride + 1;
      throw new IllegalArgumentException(outName + " = " + out + " is inconsistent with " + inName + " = " + in
          + ", " + kName + " = " + k + ", stride = " + stride + ", " + padName + " = " + pad + ": it implies "
          + impliedName + " = " + implied + ", which must be in (-stride, " + kName + "); expected " + outName
          + " in [" + lo + ", " + hi + "]");
    }
  }

  private static long ceilDivL(long x, long y) {
    return Math.floorDiv(x + y - 1, y);
  }

  private static void fits(String name, long size) {
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " = " + size + " exceeds the largest Java array (2^31 - 1 floats)");
    }
  }
}
