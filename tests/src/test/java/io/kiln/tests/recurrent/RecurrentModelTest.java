package io.kiln.tests.recurrent;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.dsl.Tensor;
import io.kiln.runtime.train.Adam;
import io.kiln.samples.charlstm.KilnCharLstm;
import io.kiln.tests.models.KilnSeqStack;
import org.junit.jupiter.api.Test;

/** Generated recurrent models: shapes, bad input, padding, parameter names. */
class RecurrentModelTest {

  @Test
  void charLstmHasPyTorchsParametersAndShapes() {
    KilnCharLstm model = KilnCharLstm.create(1);
    assertThat(KilnCharLstm.PARAMETER_COUNT).isEqualTo(360544); // nn.Embedding(96, 64) + nn.LSTM(64, 256) + nn.Linear(256, 96)
    assertThat(model.parameters().stream().map(p -> p.name()).toList()).containsExactly(
        "e.weight", "l.weight_ih_l0", "l.weight_hh_l0", "l.bias_ih_l0", "l.bias_hh_l0", "o.weight", "o.bias").inOrder();
    assertThat(model.parameter("l.weight_ih_l0").shape()).isEqualTo(new int[] {1024, 64});
    Tensor out = model.forward(new int[3 * 5], 5);
    assertThat(out.shape()).isEqualTo(new int[] {3, 5, 96});
  }

  @Test
  void badTokenIdsAndLengthsAreNamed() {
    KilnCharLstm model = KilnCharLstm.create(1);
    int[] ids = new int[2 * 4];
    ids[6] = 120;
    IllegalArgumentException id = assertThrows(IllegalArgumentException.class, () -> model.forward(ids, 4));
    assertThat(id).hasMessageThat().isEqualTo("CharLstm.forward: input 'text': id 120 at [1, 2] is outside the vocabulary [0, 96)");
    IllegalArgumentException length = assertThrows(IllegalArgumentException.class, () -> model.forward(new int[65], 65));
    assertThat(length).hasMessageThat().isEqualTo(
        "CharLstm.forward: input 'text' has 65 steps but sequences must have 1 to 64 (the declared maximum); split longer ones");
    IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class, () -> model.forward(new int[10], 4));
    assertThat(ragged).hasMessageThat().contains("not a whole number of samples of 4 steps");
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> model.trainStep(new int[4], 4, new int[] {1, 2, 96, 0}, new Adam(1e-3f)));
    assertThat(label).hasMessageThat().contains("next[2] = 96 is outside [0, 96)");
  }

  @Test
  void ignoredPositionsDoNotChangeTheLoss() {
    KilnSeqStack model = KilnSeqStack.create(2);
    int[] ids = {1, 2, 3, 4};
    float all = model.loss(ids, 4, new int[] {0, 1, 2, 3});
    float firstTwo = model.loss(new int[] {1, 2}, 2, new int[] {0, 1});
    // ignoring the last two positions leaves the mean over the first two, which do not depend on later steps
    assertThat(model.loss(ids, 4, new int[] {0, 1, -1, -1})).isWithin(1e-6f).of(firstTwo);
    assertThat(all).isNotEqualTo(firstTwo);
  }
}
