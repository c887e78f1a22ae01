package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.tests.models.KilnBiClassifier;
import io.kiln.tests.models.KilnBiSeries;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finite-difference checks of bidirectional recurrent layers: every step's output of a stacked
 * bidirectional LSTM and GRU (the second reading both directions of the first), and the last states
 * of a bidirectional LSTM after a bidirectional RNN, at sequence lengths below and at the maximum
 * (the reverse direction starts at the call's last step, not the declared maximum's).
 */
class BidirectionalGradientTest {

  @ParameterizedTest
  @CsvSource({"1, 1", "2, 4", "3, 6"})
  void everyStepOfStackedLstmAndGru(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(31 * batch + steps);
    KilnBiSeries model = KilnBiSeries.create(5);
    float[] frames = FiniteDifferences.inputs(rng, batch * steps * 3);
    float[] target = FiniteDifferences.inputs(rng, batch * steps * 2);
    model.computeGradients(frames, steps, target);
    int n = FiniteDifferences.check("BiSeries", model.parameters(), () -> model.loss(frames, steps, target));
    assertThat(n).isEqualTo(KilnBiSeries.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @CsvSource({"1, 2", "2, 3", "4, 5"})
  void lastStatesOfRnnThenLstm(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(17 * batch + steps);
    KilnBiClassifier model = KilnBiClassifier.create(3);
    float[] frames = FiniteDifferences.inputs(rng, batch * steps * 2);
    int[] labels = rng.ints(batch, 0, 3).toArray();
    model.computeGradients(frames, steps, labels);
    int n = FiniteDifferences.check("BiClassifier", model.parameters(), () -> model.loss(frames, steps, labels));
    assertThat(n).isEqualTo(KilnBiClassifier.PARAMETER_COUNT);
  }
}
