package io.kiln.dsl;

import java.util.Arrays;

/**
 * An integer tensor: in a model declaration, the handle type of class labels and token ids; at
 * run time, a row-major view of ints.
 */
public final class IntTensor {
  private final int[] data;
  private final int offset;
  private final int[] shape;
  private final int size;

  public IntTensor(int[] data, int offset, int... shape) {
    this.data = data;
    this.offset = offset;
    this.shape = shape.clone();
    this.size = Shapes.checkedSize(this.shape);
    if (offset < 0 || offset + size > data.length) {
      throw new IllegalArgumentException(
          "tensor " + Arrays.toString(shape) + " at offset " + offset + " needs " + size
              + " ints but the array holds " + data.length);
    }
  }

  public int[] shape() {
    return shape.clone();
  }

  public int size() {
    return size;
  }

  public int get(int... index) {
    return data[offset + Shapes.flatIndex(shape, index)];
  }

  public int[] toArray() {
    return Arrays.copyOfRange(data, offset, offset + size);
  }

  @Override
  public String toString() {
    return "IntTensor" + Arrays.toString(shape);
  }
}
