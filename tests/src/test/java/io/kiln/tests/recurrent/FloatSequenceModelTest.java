package io.kiln.tests.recurrent;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.dsl.Tensor;
import io.kiln.tests.models.KilnFloatSeries;
import io.kiln.tests.models.KilnSeriesClassifier;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Generated models over float frames ({@code @Input(shape, maxLength)}): dynamic steps, the typed API, bad input. */
class FloatSequenceModelTest {

  @Test
  void stepsArePerCallAndShapesFollowThem() {
    KilnFloatSeries model = KilnFloatSeries.create(1);
    assertThat(KilnFloatSeries.MAX_STEPS_FRAMES).isEqualTo(6);
    Tensor out = model.forward(new float[2 * 4 * 3], 4);
    assertThat(out.shape()).isEqualTo(new int[] {2, 4, 2});
    assertThat(model.parameters().stream().map(p -> p.name()).toList()).containsAtLeast(
        "lstm.weight_ih_l0", "gru.weight_ih_l0", "rnn.weight_ih_l0", "out.weight").inOrder();
    assertThat(model.parameter("lstm.weight_ih_l0").shape()).isEqualTo(new int[] {16, 3}); // nn.LSTM(3, 4)
  }

  @Test
  void aShorterCallIsThePrefixOfALongerOne() {
    // Each step reads only the frames up to it, so the first 3 outputs of a 5-step call are a 3-step call's.
    KilnFloatSeries model = KilnFloatSeries.create(2);
    SplittableRandom rng = new SplittableRandom(4);
    int batch = 2;
    float[] five = new float[batch * 5 * 3];
    for (int i = 0; i < five.length; i++) {
      five[i] = (float) rng.nextDouble(-1, 1);
    }
    float[] three = new float[batch * 3 * 3];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(five, b * 15, three, b * 9, 9);
    }
    float[] long5 = model.predict(five, 5);
    float[] short3 = model.predict(three, 3);
    for (int b = 0; b < batch; b++) {
      assertThat(Arrays.copyOfRange(short3, b * 6, b * 6 + 6))
          .usingTolerance(1e-6).containsExactly(Arrays.copyOfRange(long5, b * 10, b * 10 + 6)).inOrder();
    }
    assertThat(Arrays.copyOfRange(long5, 6, 10)).isNotEqualTo(new float[4]);
  }

  @Test
  void theTypedApiCarriesSteps() {
    KilnSeriesClassifier model = KilnSeriesClassifier.create(3);
    float[] frames = {0.5f, -1, 2, 0.25f, 1, 1, -0.5f, 0};
    int[] expected = model.classify(frames, 4);
    assertThat(model.classify(new KilnSeriesClassifier.Input(frames, 4))).isEqualTo(expected);
    assertThat(model.loss(new KilnSeriesClassifier.Batch(frames, 4, new int[] {2})))
        .isEqualTo(model.loss(frames, 4, new int[] {2}));
  }

  @Test
  void badLengthsAreNamed() {
    KilnFloatSeries model = KilnFloatSeries.create(1);
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> model.forward(new float[7 * 3], 7));
    assertThat(tooLong).hasMessageThat().isEqualTo(
        "FloatSeries.forward: input 'frames' has 7 steps but sequences must have 1 to 6 (the declared maximum); split longer ones");
    IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class, () -> model.forward(new float[10], 3));
    assertThat(ragged).hasMessageThat().contains("not a whole number of samples of 3 steps");
  }
}
