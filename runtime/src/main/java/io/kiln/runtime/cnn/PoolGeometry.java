package io.kiln.runtime.cnn;

/**
 * Geometry of a 2-D pooling over one sample {@code [C, H, W] → [C, OH, OW]} (NCHW) with
 * {@code windowHeight × windowWidth} windows, a stride per axis and no padding; windows that would
 * cross the bottom/right edge are dropped (floor rounding, PyTorch's default), so
 * {@code OH = (H − windowHeight) / strideHeight + 1}, likewise OW. The 2×2 stride-2 pool of a 4×4
 * image is 2×2; a 1-D pool over {@code [C, T]} is the {@code H = 1}, {@code 1 × size} case.
 *
 * @param channels C (the pool runs per channel)
 * @param height H
 * @param width W
 * @param windowHeight rows of a window
 * @param windowWidth columns of a window
 * @param strideHeight rows between windows (commonly {@code windowHeight})
 * @param strideWidth columns between windows (commonly {@code windowWidth})
 * @param outHeight OH, must equal {@code (H − windowHeight) / strideHeight + 1}
 * @param outWidth OW, must equal {@code (W − windowWidth) / strideWidth + 1}
 */
public record PoolGeometry(int channels, int height, int width, int windowHeight, int windowWidth, int strideHeight,
    int strideWidth, int outHeight, int outWidth) {

  /** Validates every field; throws {@link IllegalArgumentException} naming the inconsistent one. */
  public PoolGeometry {
    positive("channels", channels);
    positive("height", height);
    positive("width", width);
    positive("windowHeight", windowHeight);
    positive("windowWidth", windowWidth);
    positive("strideHeight", strideHeight);
    positive("strideWidth", strideWidth);
    if (windowHeight > height || windowWidth > width) {
      throw new IllegalArgumentException("pool window " + windowHeight + "×" + windowWidth + " is larger than the "
          + height + "×" + width + " input");
    }
    int oh = (height - windowHeight) / strideHeight + 1;
    int ow = (width - windowWidth) / strideWidth + 1;
    if (outHeight != oh || outWidth != ow) {
      throw new IllegalArgumentException("pool output " + outHeight + "×" + outWidth + " is inconsistent with input "
          + height + "×" + width + ", window " + windowHeight + "×" + windowWidth + ", stride " + strideHeight + "×"
          + strideWidth + ": expected " + oh + "×" + ow + " = (I − window) / stride + 1");
    }
    if ((long) channels * height * width > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("inputSize = " + (long) channels * height * width
          + " exceeds the largest Java array (2^31 - 1 floats)");
    }
  }

  /** Square {@code size × size} windows with the same stride along both axes. */
  public PoolGeometry(int channels, int height, int width, int size, int stride, int outHeight, int outWidth) {
    this(channels, height, width, size, size, stride, stride, outHeight, outWidth);
  }

  /** A pool with {@code size × size} windows at the given stride; computes the output size. */
  public static PoolGeometry of(int channels, int height, int width, int size, int stride) {
    return of(channels, height, width, size, size, stride, stride);
  }

  /** A pool with {@code windowHeight × windowWidth} windows and a stride per axis; computes the output size. */
  public static PoolGeometry of(int channels, int height, int width, int windowHeight, int windowWidth, int strideHeight,
      int strideWidth) {
    positive("windowHeight", windowHeight);
    positive("windowWidth", windowWidth);
    positive("strideHeight", strideHeight);
    positive("strideWidth", strideWidth);
    positive("height", height);
    positive("width", width);
    return new PoolGeometry(channels, height, width, windowHeight, windowWidth, strideHeight, strideWidth,
        height >= windowHeight ? (height - windowHeight) / strideHeight + 1 : 0,
        width >= windowWidth ? (width - windowWidth) / strideWidth + 1 : 0);
  }

  /** Non-overlapping {@code size × size} windows (stride = size), the usual max/avg pool. */
  public static PoolGeometry of(int channels, int height, int width, int size) {
    return of(channels, height, width, size, size);
  }

  /** {@code C·H·W}: floats per input sample. */
  public int inputSize() {
    return channels * height * width;
  }

  /** {@code C·OH·OW}: floats per output sample. */
  public int outputSize() {
    return channels * outHeight * outWidth;
  }

  /** The common 2×2 stride-2 pool, which has its own loop. */
  boolean isTwoByTwo() {
    return windowHeight == 2 && windowWidth == 2 && strideHeight == 2 && strideWidth == 2;
  }

  private static void positive(String name, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be positive but was " + v);
    }
  }
}
