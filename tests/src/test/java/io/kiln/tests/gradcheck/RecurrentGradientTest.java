package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.tests.models.KilnLastState;
import io.kiln.tests.models.KilnSeqStack;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finite-difference checks of generated backpropagation through time: embedding, LSTM, GRU and
 * tanh/ReLU RNNs stacked, a per-step dense layer, a per-step loss with ignored positions, and a
 * last-state classifier, over several sequence lengths.
 */
class RecurrentGradientTest {

  @ParameterizedTest
  @CsvSource({"1, 1", "2, 4", "3, 6"})
  void stackedCellsWithPerStepLoss(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(31 * batch + steps);
    KilnSeqStack model = KilnSeqStack.create(9);
    int[] ids = rng.ints(batch * steps, 0, 7).toArray();
    int[] next = rng.ints(batch * steps, 0, 4).toArray();
    if (next.length > 1) {
      next[1] = -1; // padding: no loss, no gradient
    }
    model.computeGradients(ids, steps, next);
    int n = FiniteDifferences.check("SeqStack", model.parameters(), () -> model.loss(ids, steps, next));
    assertThat(n).isEqualTo(KilnSeqStack.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @CsvSource({"1, 1", "2, 3", "4, 5"})
  void lastStateClassifier(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(17 * batch + steps);
    KilnLastState model = KilnLastState.create(4);
    int[] ids = rng.ints(batch * steps, 0, 6).toArray();
    int[] labels = rng.ints(batch, 0, 3).toArray();
    model.computeGradients(ids, steps, labels);
    int n = FiniteDifferences.check("LastState", model.parameters(), () -> model.loss(ids, steps, labels));
    assertThat(n).isEqualTo(KilnLastState.PARAMETER_COUNT);
  }
}
