package io.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ParameterTest {
  private final float[] values = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  private final float[] grads = {0, -1, -2, -3, -4, -5, -6, -7, -8, -9};
  private final Parameter w = new Parameter("h.weight", new int[] {2, 3}, values, grads, 2);

  @Test
  void viewsTheSlabsAtItsOffset() {
    assertThat(w.name()).isEqualTo("h.weight");
    assertThat(w.shape()).isEqualTo(new int[] {2, 3});
    assertThat(w.size()).isEqualTo(6);
    assertThat(w.offset()).isEqualTo(2);
    assertThat(w.get(1, 0)).isEqualTo(5f);
    assertThat(w.values().get(0, 2)).isEqualTo(4f);
    assertThat(w.gradient().get(1, 2)).isEqualTo(-7f);
    assertThat(w.toArray()).usingExactEquality().containsExactly(2f, 3f, 4f, 5f, 6f, 7f).inOrder();
    assertThat(w.toString()).isEqualTo("h.weight[2, 3]");
  }

  @Test
  void writesGoToTheModel() {
    w.set(42f, 1, 1);
    assertThat(values[6]).isEqualTo(42f);
    assertThat(w.values().get(1, 1)).isEqualTo(42f);
    w.copyFrom(new float[] {9, 8, 7, 6, 5, 4});
    assertThat(values).usingExactEquality().containsExactly(0f, 1f, 9f, 8f, 7f, 6f, 5f, 4f, 8f, 9f).inOrder();
  }

  @Test
  void shapeIsDefensivelyCopied() {
    int[] shape = w.shape();
    shape[0] = 99;
    assertThat(w.shape()[0]).isEqualTo(2);
  }

  @Test
  void clearErrors() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.copyFrom(new float[5]));
    assertThat(e).hasMessageThat().isEqualTo("h.weight[2, 3] holds 6 floats but the source array has 5");
    assertThrows(IndexOutOfBoundsException.class, () -> w.get(2, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> w.get(0));
    assertThrows(IllegalArgumentException.class, () -> new Parameter("b", new int[] {20}, values, grads, 0));
    assertThrows(IllegalArgumentException.class, () -> new Parameter("b", new int[] {4}, values, new float[2], 0));
    Parameter noGrad = new Parameter("b", new int[] {2}, values, null, 0);
    assertThrows(IllegalStateException.class, noGrad::gradient);
  }
}
