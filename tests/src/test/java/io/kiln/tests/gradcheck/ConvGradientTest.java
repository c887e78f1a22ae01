package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.tests.models.KilnConvStack;
import io.kiln.tests.models.KilnPerAxisConvStack;
import io.kiln.tests.models.KilnReluPool;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference checks of generated convolution and pooling backward passes: stride 1 and 2,
 * SAME, VALID and explicit padding, square and non-square kernels, max and average pooling,
 * several channels, per-axis strides, padding, dilation and pool windows, through the whole chain
 * down to the first layer's weights.
 */
class ConvGradientTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void convolutionAndPoolingChain(int batch) {
    SplittableRandom rng = new SplittableRandom(101 + batch);
    KilnConvStack model = KilnConvStack.create(3);
    for (var p : model.parameters()) {
      if (p.name().endsWith(".bias")) {
        float[] b = new float[p.size()];
        for (int i = 0; i < b.length; i++) {
          b[i] = (float) (rng.nextDouble() - 0.5);
        }
        p.copyFrom(b);
      }
    }
    float[] x = new float[batch * 2 * 9 * 9];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    int[] labels = rng.ints(batch, 0, 3).toArray();
    model.computeGradients(x, labels);
    int n = FiniteDifferences.check("ConvStack", model.parameters(), () -> model.loss(x, labels));
    assertThat(n).isEqualTo(KilnConvStack.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void reluFusedIntoMaxPool(int batch) {
    SplittableRandom rng = new SplittableRandom(7 + batch);
    KilnReluPool model = KilnReluPool.create(5);
    float[] x = new float[batch * 2 * 7 * 7];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    int[] labels = rng.ints(batch, 0, 3).toArray();
    model.computeGradients(x, labels);
    int n = FiniteDifferences.check("ReluPool", model.parameters(), () -> model.loss(x, labels));
    assertThat(n).isEqualTo(KilnReluPool.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void perAxisStridePaddingAndDilation(int batch) {
    SplittableRandom rng = new SplittableRandom(31 + batch);
    KilnPerAxisConvStack model = KilnPerAxisConvStack.create(11);
    for (var p : model.parameters()) {
      if (p.name().endsWith(".bias")) {
        float[] b = new float[p.size()];
        for (int i = 0; i < b.length; i++) {
          b[i] = (float) (rng.nextDouble() - 0.5);
        }
        p.copyFrom(b);
      }
    }
    float[] x = new float[batch * 2 * 9 * 11];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    int[] labels = rng.ints(batch, 0, 3).toArray();
    model.computeGradients(x, labels);
    int n = FiniteDifferences.check("PerAxisConvStack", model.parameters(), () -> model.loss(x, labels));
    assertThat(n).isEqualTo(KilnPerAxisConvStack.PARAMETER_COUNT);
  }
}
