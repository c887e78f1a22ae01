package io.kiln.processor.shape;

import java.util.Arrays;
import java.util.stream.Collectors;

/** One sample's shape (the batch dimension excluded); a loss is the scalar shape {@code []}. */
public record Shape(int[] dims) {
  public Shape {
    dims = dims.clone();
  }

  public static Shape of(int... dims) {
    return new Shape(dims);
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int i) {
    return dims[i];
  }

  /** Elements per sample. */
  public int size() {
    int s = 1;
    for (int d : dims) {
      s = Math.multiplyExact(s, d);
    }
    return s;
  }

  /** As users see it in messages: with the batch, e.g. {@code [B, 16, 5, 5]}. */
  public String withBatch() {
    return "[B" + Arrays.stream(dims).mapToObj(d -> ", " + d).collect(Collectors.joining()) + "]";
  }

  /** Without the batch, e.g. {@code [16, 5, 5]}. */
  @Override
  public String toString() {
    return Arrays.toString(dims);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }
}
