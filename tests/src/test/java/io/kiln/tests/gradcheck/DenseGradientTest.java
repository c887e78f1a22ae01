package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.runtime.Parameter;
import io.kiln.tests.models.KilnEveryBce;
import io.kiln.tests.models.KilnEveryCe;
import io.kiln.tests.models.KilnEveryMse;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference checks of the generated backward pass: dense with every activation (ReLU,
 * sigmoid, tanh, none; with and without bias) and a flatten view, under every differentiable loss,
 * at full and ragged batch sizes.
 */
class DenseGradientTest {

  private static float[] gaussian(SplittableRandom rng, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (scale * (rng.nextDouble() * 2 - 1) * 1.7);
    }
    return v;
  }

  /** Biases are zero at creation; random ones exercise the bias gradients properly. */
  private static void randomizeBiases(Iterable<Parameter> params, SplittableRandom rng) {
    for (Parameter p : params) {
      if (p.name().endsWith(".bias")) {
        p.copyFrom(gaussian(rng, p.size(), 0.3));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 8})
  void softmaxCrossEntropy(int batch) {
    SplittableRandom rng = new SplittableRandom(11 + batch);
    KilnEveryCe model = KilnEveryCe.create(5);
    randomizeBiases(model.parameters(), rng);
    float[] x = gaussian(rng, batch * 6, 1.0);
    int[] labels = rng.ints(batch, 0, 4).toArray();
    model.computeGradients(x, labels);
    int n = FiniteDifferences.check("EveryCe", model.parameters(), () -> model.loss(x, labels));
    assertThat(n).isEqualTo(KilnEveryCe.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 8})
  void sigmoidBinaryCrossEntropy(int batch) {
    SplittableRandom rng = new SplittableRandom(23 + batch);
    KilnEveryBce model = KilnEveryBce.create(6);
    randomizeBiases(model.parameters(), rng);
    float[] x = gaussian(rng, batch * 6, 1.0);
    float[] targets = new float[batch * 3];
    for (int i = 0; i < targets.length; i++) {
      targets[i] = (float) rng.nextDouble(); // soft targets in [0, 1] are valid for BCE
    }
    model.computeGradients(x, targets);
    int n = FiniteDifferences.check("EveryBce", model.parameters(), () -> model.loss(x, targets));
    assertThat(n).isEqualTo(KilnEveryBce.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 7})
  void meanSquaredError(int batch) {
    SplittableRandom rng = new SplittableRandom(37 + batch);
    KilnEveryMse model = KilnEveryMse.create(7);
    randomizeBiases(model.parameters(), rng);
    float[] x = gaussian(rng, batch * 6, 1.0);
    float[] targets = gaussian(rng, batch * 3, 1.0);
    model.computeGradients(x, targets);
    int n = FiniteDifferences.check("EveryMse", model.parameters(), () -> model.loss(x, targets));
    assertThat(n).isEqualTo(KilnEveryMse.PARAMETER_COUNT);
  }
}
