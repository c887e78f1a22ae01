package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.runtime.Parameter;
import io.kiln.tests.models.KilnConv1dStack;
import io.kiln.tests.models.KilnConvStack;
import io.kiln.tests.models.KilnPerAxisConvStack;
import io.kiln.tests.models.KilnReluPool;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.ToDoubleBiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference checks of generated convolution and pooling backward passes: stride 1 and 2,
 * SAME, VALID and explicit padding, square and non-square kernels, max and average pooling,
 * several channels, per-axis strides, padding, dilation and pool windows, and the 1-D layers
 * ({@code @Conv1d}, {@code @MaxPool1d}, {@code @AvgPool1d}, {@code @GlobalAvgPool}), through the
 * whole chain down to the first layer's weights.
 */
class ConvGradientTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void convolutionAndPoolingChain(int batch) {
    KilnConvStack model = KilnConvStack.create(3);
    int n = checkChain("ConvStack", model.parameters(), true, batch, 2 * 9 * 9, new SplittableRandom(101 + batch),
        model::computeGradients, model::loss);
    assertThat(n).isEqualTo(KilnConvStack.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void reluFusedIntoMaxPool(int batch) {
    KilnReluPool model = KilnReluPool.create(5);
    int n = checkChain("ReluPool", model.parameters(), false, batch, 2 * 7 * 7, new SplittableRandom(7 + batch),
        model::computeGradients, model::loss);
    assertThat(n).isEqualTo(KilnReluPool.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void perAxisStridePaddingAndDilation(int batch) {
    KilnPerAxisConvStack model = KilnPerAxisConvStack.create(11);
    int n = checkChain("PerAxisConvStack", model.parameters(), true, batch, 2 * 9 * 11, new SplittableRandom(31 + batch),
        model::computeGradients, model::loss);
    assertThat(n).isEqualTo(KilnPerAxisConvStack.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void oneDimensionalChain(int batch) {
    KilnConv1dStack model = KilnConv1dStack.create(3);
    int n = checkChain("Conv1dStack", model.parameters(), true, batch, 2 * 17, new SplittableRandom(211 + batch),
        model::computeGradients, model::loss);
    assertThat(n).isEqualTo(KilnConv1dStack.PARAMETER_COUNT);
  }

  /**
   * Draws a batch of inputs in [-1, 1) and three-class labels (and, with {@code randomBiases},
   * biases in [-0.5, 0.5), so no bias gradient hides behind a zero bias), computes the model's
   * gradients and compares every parameter's with central differences of its loss.
   */
  private static int checkChain(String name, List<Parameter> parameters, boolean randomBiases, int batch, int sampleSize,
      SplittableRandom rng, BiConsumer<float[], int[]> computeGradients, ToDoubleBiFunction<float[], int[]> loss) {
    if (randomBiases) {
      for (Parameter p : parameters) {
        if (p.name().endsWith(".bias")) {
          float[] b = new float[p.size()];
          for (int i = 0; i < b.length; i++) {
            b[i] = (float) (rng.nextDouble() - 0.5);
          }
          p.copyFrom(b);
        }
      }
    }
    float[] x = new float[batch * sampleSize];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    int[] labels = rng.ints(batch, 0, 3).toArray();
    computeGradients.accept(x, labels);
    return FiniteDifferences.check(name, parameters, () -> loss.applyAsDouble(x, labels));
  }
}
