package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.tests.models.KilnConv1dStack;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference checks of the generated 1-D convolution and pooling backward passes
 * ({@code @Conv1d} with stride 2 SAME, explicit padding and a 1-wide kernel, {@code @MaxPool1d}
 * with the ReLU fused in, {@code @AvgPool1d}, {@code @GlobalAvgPool}), through the whole chain down
 * to the first layer's weights.
 */
class Conv1dGradientTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void convolutionAndPoolingChain(int batch) {
    SplittableRandom rng = new SplittableRandom(211 + batch);
    KilnConv1dStack model = KilnConv1dStack.create(3);
    for (var p : model.parameters()) {
      if (p.name().endsWith(".bias")) {
        float[] b = new float[p.size()];
        for (int i = 0; i < b.length; i++) {
          b[i] = (float) (rng.nextDouble() - 0.5);
        }
        p.copyFrom(b);
      }
    }
    float[] x = new float[batch * 2 * 17];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    int[] labels = rng.ints(batch, 0, 3).toArray();
    model.computeGradients(x, labels);
    int n = FiniteDifferences.check("Conv1dStack", model.parameters(), () -> model.loss(x, labels));
    assertThat(n).isEqualTo(KilnConv1dStack.PARAMETER_COUNT);
  }
}
