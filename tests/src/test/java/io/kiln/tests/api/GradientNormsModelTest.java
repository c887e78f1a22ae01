package io.kiln.tests.api;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static io.kiln.dsl.Activation.RELU;
import static io.kiln.dsl.Activation.SIGMOID;
import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;

import io.kiln.dsl.Dense;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;
import io.kiln.runtime.GradientNorms;
import io.kiln.runtime.Parameter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Gradient norms read from a generated model after {@code computeGradients}: they agree with the raw
 * gradient slab, and they show the notes' vanishing gradient (a sigmoid stack's first layer gets a
 * far smaller gradient than its last; a ReLU stack with He initialization does not).
 */
class GradientNormsModelTest {

  @Model(maxBatch = 32)
  abstract static class SigmoidStack {
    @Input(shape = 16) abstract Tensor x();
    @Dense(units = 16, activation = SIGMOID) abstract Tensor l1(Tensor x);
    @Dense(units = 16, activation = SIGMOID) abstract Tensor l2(Tensor l1);
    @Dense(units = 16, activation = SIGMOID) abstract Tensor l3(Tensor l2);
    @Dense(units = 16, activation = SIGMOID) abstract Tensor l4(Tensor l3);
    @Dense(units = 16, activation = SIGMOID) abstract Tensor l5(Tensor l4);
    @Dense(units = 16, activation = SIGMOID) abstract Tensor l6(Tensor l5);
    @Dense(units = 4) abstract Tensor out(Tensor l6);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor y);
  }

  @Model(maxBatch = 32)
  abstract static class ReluStack {
    @Input(shape = 16) abstract Tensor x();
    @Dense(units = 16, activation = RELU) abstract Tensor l1(Tensor x);
    @Dense(units = 16, activation = RELU) abstract Tensor l2(Tensor l1);
    @Dense(units = 16, activation = RELU) abstract Tensor l3(Tensor l2);
    @Dense(units = 16, activation = RELU) abstract Tensor l4(Tensor l3);
    @Dense(units = 16, activation = RELU) abstract Tensor l5(Tensor l4);
    @Dense(units = 16, activation = RELU) abstract Tensor l6(Tensor l5);
    @Dense(units = 4) abstract Tensor out(Tensor l6);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor y);
  }

  private static float[] inputs(Random random) {
    float[] x = new float[32 * 16];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  private static int[] labels(Random random) {
    int[] y = new int[32];
    for (int i = 0; i < y.length; i++) {
      y[i] = random.nextInt(4);
    }
    return y;
  }

  @Test
  void normsAgreeWithTheRawGradientSlab() {
    Random random = new Random(5);
    KilnGradientNormsModelTest_SigmoidStack model = KilnGradientNormsModelTest_SigmoidStack.create(1);
    model.computeGradients(inputs(random), labels(random));
    float[] slab = model.gradientSlab();
    double all = 0;
    for (float g : slab) {
      all += (double) g * g;
    }
    assertThat(GradientNorms.global(model)).isWithin(1e-9 * Math.sqrt(all)).of(Math.sqrt(all));
    for (Parameter p : model.parameters()) {
      double sum = 0;
      for (int i = p.offset(); i < p.offset() + p.size(); i++) {
        sum += (double) slab[i] * slab[i];
      }
      assertWithMessage(p.name()).that(p.gradientNorm()).isWithin(1e-12 + 1e-9 * Math.sqrt(sum)).of(Math.sqrt(sum));
    }
    assertThat(GradientNorms.byLayer(model).keySet()).containsExactly("l1", "l2", "l3", "l4", "l5", "l6", "out").inOrder();
  }

  @Test
  void aSigmoidStackVanishesAndAReluStackWithHeDoesNot() {
    Random random = new Random(5);
    float[] x = inputs(random);
    int[] y = labels(random);
    KilnGradientNormsModelTest_SigmoidStack sigmoid = KilnGradientNormsModelTest_SigmoidStack.create(1);
    sigmoid.computeGradients(x, y);
    Map<String, Double> s = GradientNorms.byLayer(sigmoid);
    KilnGradientNormsModelTest_ReluStack relu = KilnGradientNormsModelTest_ReluStack.create(1);
    relu.computeGradients(x, y);
    Map<String, Double> r = GradientNorms.byLayer(relu);
    // Each sigmoid layer multiplies the backward signal by at most 1/4 (σ' ≤ 1/4).
    assertWithMessage("sigmoid %s", s).that(s.get("l1") * 100).isLessThan(s.get("l6"));
    assertWithMessage("relu %s", r).that(r.get("l1") * 10).isGreaterThan(r.get("l6"));
    assertWithMessage("relu %s", r).that(r.get("l6") * 10).isGreaterThan(r.get("l1"));
  }
}
