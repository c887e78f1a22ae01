package io.kiln.dsl;

import java.util.Arrays;

/**
 * A float tensor: in a model declaration, the handle type of a node; at run time, a row-major
 * view of floats that a generated model returns from {@code forward}.
 *
 * <p>A view returned by a model points into that model's memory and is valid until the model's
 * next call; copy it with {@link #toArray()} to keep it.
 */
public final class Tensor {
  private final float[] data;
  private final int offset;
  private final int[] shape;
  private final int size;

  /** Wraps {@code data[offset ..]} as a tensor of {@code shape}, which must fit in it. */
  public Tensor(float[] data, int offset, int... shape) {
    this.data = data;
    this.offset = offset;
    this.shape = shape.clone();
    this.size = Shapes.checkedSize(this.shape);
    if (offset < 0 || offset + size > data.length) {
      throw new IllegalArgumentException(
          "tensor " + Arrays.toString(shape) + " at offset " + offset + " needs " + size
              + " floats but the array holds " + data.length);
    }
  }

  /** The shape, outermost first; the first entry is the batch for model outputs. */
  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** Number of elements. */
  public int size() {
    return size;
  }

  /** The element at {@code index} (one entry per dimension). */
  public float get(int... index) {
    return data[offset + Shapes.flatIndex(shape, index)];
  }

  /** A copy of the elements in row-major order. */
  public float[] toArray() {
    return Arrays.copyOfRange(data, offset, offset + size);
  }

  /** Copies the elements into {@code dst} starting at {@code dstOffset}. */
  public void copyTo(float[] dst, int dstOffset) {
    System.arraycopy(data, offset, dst, dstOffset, size);
  }

  /** Index of the largest element of row {@code row} of a rank-2 tensor (a predicted class). */
  public int argmax(int row) {
    if (shape.length != 2) {
      throw new IllegalStateException("argmax(row) needs a [B, n] tensor but this is " + Arrays.toString(shape));
    }
    int n = shape[1];
    int base = offset + Shapes.flatIndex(shape, row, 0);
    int best = 0;
    for (int j = 1; j < n; j++) {
      if (data[base + j] > data[base + best]) {
        best = j;
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }
}
