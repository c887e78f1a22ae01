package io.kiln.dsl;

import java.util.Arrays;

/** Index arithmetic shared by {@link Tensor} and {@link IntTensor}. */
final class Shapes {
  private Shapes() {}

  static int checkedSize(int[] shape) {
    long size = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      size *= d;
    }
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31 elements");
    }
    return (int) size;
  }

  static int flatIndex(int[] shape, int... index) {
    if (index.length != shape.length) {
      throw new IndexOutOfBoundsException(
          "index " + Arrays.toString(index) + " has " + index.length + " entries but the tensor "
              + Arrays.toString(shape) + " has rank " + shape.length);
    }
    int flat = 0;
    for (int i = 0; i < shape.length; i++) {
      if (index[i] < 0 || index[i] >= shape[i]) {
        throw new IndexOutOfBoundsException(
            "index " + Arrays.toString(index) + " is outside shape " + Arrays.toString(shape));
      }
      flat = flat * shape[i] + index[i];
    }
    return flat;
  }
}
