package io.kiln.runtime.data;

/**
 * Images read from an IDX file: {@code count} images of {@code rows × cols} pixels, stored
 * row-major as {@code [count, rows * cols]} floats in [0, 1] (the file's bytes divided by 255).
 *
 * @param count the number of images
 * @param rows the height of an image
 * @param cols the width of an image
 * @param pixels {@code count * rows * cols} values in [0, 1]; image {@code i} starts at
 *     {@code i * rows * cols}
 */
public record IdxImages(int count, int rows, int cols, float[] pixels) {
  /** @throws IllegalArgumentException if a size is negative or {@code pixels} has the wrong length */
  public IdxImages {
    if (count < 0 || rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException(
          "count must be >= 0 and rows, cols > 0, got count " + count + ", rows " + rows + ", cols " + cols);
    }
    if ((long) count * rows * cols != pixels.length) {
      throw new IllegalArgumentException("pixels has " + pixels.length + " values but " + count + " images of "
          + rows + "x" + cols + " need " + (long) count * rows * cols);
    }
  }

  /** Pixels per image: {@code rows * cols}. */
  public int pixelsPerImage() {
    return rows * cols;
  }
}
