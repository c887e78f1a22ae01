package io.kiln.tests.behaviour;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.runtime.train.Sgd;
import io.kiln.tests.models.KilnPerceptron2;
import org.junit.jupiter.api.Test;

/** The notes' perceptron facts, reproduced exactly by a generated model. */
class PerceptronRuleTest {

  private static KilnPerceptron2 perceptron(float w1, float w2, float b) {
    KilnPerceptron2 p = KilnPerceptron2.create(1);
    p.parameter("y.weight").copyFrom(new float[] {w1, w2});
    p.parameter("y.bias").set(b, 0);
    return p;
  }

  @Test
  void workedExamplesFromTheNotes() {
    // w = (0.5, −0.6), b = 0.2, x = (1, 2) → z = −0.5 → y = 0
    assertThat(perceptron(0.5f, -0.6f, 0.2f).forward(new float[] {1, 2}).get(0, 0)).isEqualTo(0f);
    // w = (0.5, −1), b = 0.5, x = (2, 3) → z = −1.5 → y = 0
    assertThat(perceptron(0.5f, -1f, 0.5f).forward(new float[] {2, 3}).get(0, 0)).isEqualTo(0f);
    // step is 1 iff z ≥ 0: z = 0 exactly gives 1
    assertThat(perceptron(1f, -1f, 0f).forward(new float[] {2, 2}).get(0, 0)).isEqualTo(1f);
  }

  @Test
  void oneStepAppliesThePerceptronRule() {
    KilnPerceptron2 p = perceptron(0.5f, -0.6f, 0.2f);
    // ŷ = 0 but y = 1: w += η(y − ŷ)x = 0.25·(1, 2); b += 0.25
    float wrong = p.trainStep(new float[] {1, 2}, new float[] {1}, new Sgd(0.25f));
    assertThat(wrong).isEqualTo(1f);
    assertThat(p.parameter("y.weight").toArray()).usingExactEquality().containsExactly(0.5f + 0.25f, -0.6f + 0.5f).inOrder();
    assertThat(p.parameter("y.bias").get(0)).isEqualTo(0.2f + 0.25f);
    // now ŷ = step(0.75 − 0.2 + 0.45) = 1 = y: nothing changes
    float right = p.trainStep(new float[] {1, 2}, new float[] {1}, new Sgd(0.25f));
    assertThat(right).isEqualTo(0f);
    assertThat(p.parameter("y.weight").toArray()).usingExactEquality().containsExactly(0.5f + 0.25f, -0.6f + 0.5f).inOrder();
  }

  @Test
  void aMisclassifiedNegativeMovesWeightsAway() {
    KilnPerceptron2 p = perceptron(1f, 1f, 0f);
    p.trainStep(new float[] {2, 3}, new float[] {0}, new Sgd(0.5f)); // ŷ = 1, y = 0: w −= 0.5·(2, 3)
    assertThat(p.parameter("y.weight").toArray()).usingExactEquality().containsExactly(0f, -0.5f).inOrder();
    assertThat(p.parameter("y.bias").get(0)).isEqualTo(-0.5f);
  }
}
