package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.tests.models.KilnFloatSeries;
import io.kiln.tests.models.KilnSeriesClassifier;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finite-difference checks of backpropagation through time from float frames
 * ({@code @Input(maxLength)}): every cell stacked with a per-step dense regression, and a GRU
 * last-state classifier, at several batch sizes and sequence lengths below and at the maximum.
 */
class FloatSequenceGradientTest {

  @ParameterizedTest
  @CsvSource({"1, 1", "2, 4", "3, 6"})
  void stackedCellsWithPerStepRegression(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(13 * batch + steps);
    KilnFloatSeries model = KilnFloatSeries.create(5);
    float[] frames = FiniteDifferences.inputs(rng, batch * steps * 3);
    float[] target = FiniteDifferences.inputs(rng, batch * steps * 2);
    model.computeGradients(frames, steps, target);
    int n = FiniteDifferences.check("FloatSeries", model.parameters(), () -> model.loss(frames, steps, target));
    assertThat(n).isEqualTo(KilnFloatSeries.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @CsvSource({"1, 2", "2, 3", "4, 5"})
  void lastStateClassifier(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(7 * batch + steps);
    KilnSeriesClassifier model = KilnSeriesClassifier.create(3);
    float[] frames = FiniteDifferences.inputs(rng, batch * steps * 2);
    int[] labels = rng.ints(batch, 0, 3).toArray();
    model.computeGradients(frames, steps, labels);
    int n = FiniteDifferences.check("SeriesClassifier", model.parameters(), () -> model.loss(frames, steps, labels));
    assertThat(n).isEqualTo(KilnSeriesClassifier.PARAMETER_COUNT);
  }
}
