package io.kiln.runtime.cnn;

/**
 * Geometry of a 2-D pooling over one sample {@code [C, H, W] → [C, OH, OW]} (NCHW) with square
 * {@code size × size} windows, the same stride along both axes and no padding; windows that would
 * cross the bottom/right edge are dropped (floor rounding, PyTorch's default), so
 * {@code out = (I − size) / stride + 1}. The 2×2 stride-2 pool of a 4×4 image is 2×2.
 *
 * @param channels C (the pool runs per channel)
 * @param height H
 * @param width W
 * @param size window side
 * @param stride step between windows (commonly {@code size})
 * @param outHeight OH, must equal {@code (H − size) / stride + 1}
 * @param outWidth OW, must equal {@code (W − size) / stride + 1}
 */
public record PoolGeometry(int channels, int height, int width, int size, int stride, int outHeight, int outWidth) {

  /** Validates every field; throws {@link IllegalArgumentException} naming the inconsistent one. */
  public PoolGeometry {
    positive("channels", channels);
    positive("height", height);
    positive("width", width);
    positive("size", size);
    positive("stride", stride);
    if (size > height || size > width) {
      throw new IllegalArgumentException(
          "pool size " + size + " is larger than the " + height + "×" + width + " input");
    }
    int oh = (height - size) / stride + 1;
    int ow = (width - size) / stride + 1;
    if (outHeight != oh || outWidth != ow) {
      throw new IllegalArgumentException("pool output " + outHeight + "×" + outWidth + " is inconsistent with input "
          + height + "×" + width + ", size " + size + ", stride " + stride + ": expected " + oh + "×" + ow
          + " = (I − size) / stride + 1");
    }
    if ((long) channels * height * width > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("inputSize = " + (long) channels * height * width
          + " exceeds the largest Java array (2^31 - 1 floats)");
    }
  }

  /** A pool with {@code size × size} windows at the given stride; computes the output size. */
  public static PoolGeometry of(int channels, int height, int width, int size, int stride) {
    positive("size", size);
    positive("stride", stride);
    positive("height", height);
    positive("width", width);
    return new PoolGeometry(channels, height, width, size, stride,
        height >= size ? (height - size) / stride + 1 : 0, width >= size ? (width - size) / stride + 1 : 0);
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

  private static void positive(String name, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be positive but was " + v);
    }
  }
}
