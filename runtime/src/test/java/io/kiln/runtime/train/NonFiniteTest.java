package io.kiln.runtime.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.Checks;
import org.junit.jupiter.api.Test;

/** The non-finite guard helpers the generated code calls. */
class NonFiniteTest {

  @Test
  void firstNonFiniteFindsTheFirstNanOrInfinity() {
    float[] a = {1f, -0f, Float.MAX_VALUE, -Float.MIN_VALUE, Float.NaN, Float.POSITIVE_INFINITY};
    assertThat(Checks.firstNonFinite(a, 0, 4)).isEqualTo(-1);
    assertThat(Checks.firstNonFinite(a, 0, 6)).isEqualTo(4);
    assertThat(Checks.firstNonFinite(a, 5, 1)).isEqualTo(0);
    assertThat(Checks.firstNonFinite(new float[] {0f, Float.NEGATIVE_INFINITY}, 0, 2)).isEqualTo(1);
    assertThat(Checks.firstNonFinite(a, 3, 0)).isEqualTo(-1);
    float[] big = new float[1000];
    big[777] = Float.intBitsToFloat(0x7fc00123); // a NaN with a payload
    assertThat(Checks.firstNonFinite(big, 0, 1000)).isEqualTo(777);
    assertThat(Checks.firstNonFinite(big, 700, 300)).isEqualTo(77);
    assertThrows(IndexOutOfBoundsException.class, () -> Checks.firstNonFinite(a, 4, 3));
    assertThrows(IndexOutOfBoundsException.class, () -> Checks.firstNonFinite(a, -1, 1));
  }

  @Test
  void theMessageNamesStepNodeShapeAndPhase() {
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> Checks.finiteLoss(
        "LeNet", Float.NaN, 17, "c2", Checks.shapeText(new int[] {16, 10, 10}, true), NonFiniteLossException.Phase.FORWARD));
    assertThat(e).hasMessageThat().isEqualTo("LeNet: the loss became NaN at training step 17; the first non-finite value"
        + " appeared in node 'c2' [B, 16, 10, 10] (forward); lower the learning rate, clip gradients or check the inputs");
    assertThat(e.node()).hasValue("c2");
    assertThat(e.nodeShape()).hasValue("[B, 16, 10, 10]");
    assertThat(e.phase()).hasValue(NonFiniteLossException.Phase.FORWARD);
    assertThat(e.step()).isEqualTo(17);
    assertThat(e.model()).isEqualTo("LeNet");
    assertThat(e.loss()).isNaN();

    NonFiniteLossException back = new NonFiniteLossException("Net", Float.NEGATIVE_INFINITY, 3, "f1.weight",
        Checks.shapeText(new int[] {120, 400}, false), NonFiniteLossException.Phase.BACKWARD);
    assertThat(back).hasMessageThat().contains("the loss became -Infinity at training step 3; the first non-finite"
        + " value appeared in node 'f1.weight' [120, 400] (backward)");

    Checks.finiteLoss("LeNet", 0.5f, 1, "c2", "[B]", NonFiniteLossException.Phase.FORWARD); // finite: no throw
    NonFiniteLossException plain = new NonFiniteLossException("XorNet", Float.NaN, 2);
    assertThat(plain.node()).isEmpty();
    assertThat(plain.phase()).isEmpty();
    assertThat(plain.nodeShape()).isEmpty();
    assertThat(Checks.shapeText(new int[0], true)).isEqualTo("[B]");
    assertThat(Checks.shapeText(new int[0], false)).isEqualTo("[]");
  }
}
