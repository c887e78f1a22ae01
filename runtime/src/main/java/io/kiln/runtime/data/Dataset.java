package io.kiln.runtime.data;

/**
 * Labelled images, e.g. one split of MNIST or Fashion-MNIST as read by {@link Idx#load}.
 *
 * @param images the images, {@code [size, rows * cols]} floats in [0, 1]
 * @param labels one label per image
 */
public record Dataset(IdxImages images, int[] labels) implements Examples {
  /** @throws IllegalArgumentException if there is not exactly one label per image */
  public Dataset {
    if (labels.length != images.count()) {
      throw new IllegalArgumentException(
          labels.length + " labels for " + images.count() + " images; there must be one label per image");
    }
  }

  @Override
  public int size() {
    return labels.length;
  }

  /** Pixels per image. */
  @Override
  public int featureSize() {
    return images.pixelsPerImage();
  }

  /** Image height. */
  public int rows() {
    return images.rows();
  }

  /** Image width. */
  public int cols() {
    return images.cols();
  }

  @Override
  public void copyFeatures(int index, float[] dst, int offset) {
    int n = featureSize();
    System.arraycopy(images.pixels(), index * n, dst, offset, n);
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  /**
   * A new data set holding copies of the examples at {@code indices}, in that order.
   *
   * @throws IndexOutOfBoundsException if an index is outside {@code [0, size())}
   */
  public Dataset select(int[] indices) {
    int n = featureSize();
    float[] pixels = new float[Math.multiplyExact(indices.length, n)];
    int[] sel = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int j = indices[i];
      if (j < 0 || j >= size()) {
        throw new IndexOutOfBoundsException("index " + j + " outside [0, " + size() + ")");
      }
      System.arraycopy(images.pixels(), j * n, pixels, i * n, n);
      sel[i] = labels[j];
    }
    return new Dataset(new IdxImages(indices.length, rows(), cols(), pixels), sel);
  }

  /** Examples {@code [from, to)} as a new data set. */
  public Dataset slice(int from, int to) {
    if (from < 0 || to > size() || from > to) {
      throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + size() + " examples");
    }
    int[] idx = new int[to - from];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = from + i;
    }
    return select(idx);
  }

  /** The number of images labelled {@code c}, for each {@code c} in {@code [0, max label]}. */
  public int[] classCounts() {
    int max = -1;
    for (int l : labels) {
      max = Math.max(max, l);
    }
    int[] counts = new int[max + 1];
    for (int l : labels) {
      if (l >= 0) {
        counts[l]++;
      }
    }
    return counts;
  }
}
