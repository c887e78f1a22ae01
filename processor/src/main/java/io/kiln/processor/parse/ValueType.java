package io.kiln.processor.parse;

/** The element type of a tensor handle: {@code Tensor} (float) or {@code IntTensor}. */
public enum ValueType {
  TENSOR("Tensor"),
  INT_TENSOR("IntTensor");

  private final String javaName;

  ValueType(String javaName) {
    this.javaName = javaName;
  }

  public String javaName() {
    return javaName;
  }
}
