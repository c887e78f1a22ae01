package io.kiln.tests.attention;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.Parallelism;
import io.kiln.runtime.testing.Allocations;
import io.kiln.runtime.train.Adam;
import io.kiln.runtime.train.Sgd;
import io.kiln.tests.models.KilnAttentions;
import io.kiln.tests.models.KilnMiniGpt;
import io.kiln.tests.models.KilnPostNormEncoder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What generated attention models promise beyond their gradients: masks, decoding, weights, errors, memory. */
class AttentionModelTest {

  private static KilnMiniGpt trainedGpt() {
    KilnMiniGpt model = KilnMiniGpt.create(11);
    SplittableRandom rng = new SplittableRandom(2);
    Adam adam = new Adam(1e-2f);
    for (int s = 0; s < 5; s++) { // away from the zero position table, so every input matters
      model.trainStep(rng.ints(18, 0, 7).toArray(), 6, rng.ints(18, 0, 7).toArray(), adam);
    }
    return model;
  }

  @Test
  void causalOutputAtStepTIgnoresLaterInputs() {
    KilnMiniGpt model = trainedGpt();
    int steps = 6;
    int[] text = {1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1};
    float[] reference = model.forward(text, steps).toArray();
    for (int t = 0; t < steps - 1; t++) {
      int[] changed = text.clone();
      for (int b = 0; b < 2; b++) {
        for (int u = t + 1; u < steps; u++) {
          changed[b * steps + u] = (changed[b * steps + u] + 3) % 7;
        }
      }
      float[] out = model.forward(changed, steps).toArray();
      for (int b = 0; b < 2; b++) {
        int from = (b * steps) * 7;
        int to = (b * steps + t + 1) * 7;
        assertThat(Arrays.copyOfRange(out, from, to)).isEqualTo(Arrays.copyOfRange(reference, from, to));
        // ... while the later steps do see the change (else this test could not fail).
        assertThat(Arrays.copyOfRange(out, to, from + steps * 7)).isNotEqualTo(Arrays.copyOfRange(reference, to, from + steps * 7));
      }
    }
  }

  @Test
  void withoutTheMaskTheFirstStepSeesTheLast() {
    KilnPostNormEncoder model = KilnPostNormEncoder.create(3);
    int[] text = {0, 1, 2, 3, 4};
    float[] before = model.forward(text, 5).toArray();
    text[4] = 0;
    float[] after = model.forward(text, 5).toArray();
    assertThat(Arrays.copyOfRange(after, 0, 5)).isNotEqualTo(Arrays.copyOfRange(before, 0, 5));
  }

  @Test
  void greedyDecodeFeedsEachPredictionBack() {
    KilnMiniGpt model = trainedGpt();
    int steps = 6;
    int given = 2;
    int[] prompt = {3, 1, 0, 0, 0, 0, 5, 2, 0, 0, 0, 0};
    int[] predicted = model.greedyDecode(prompt, steps, given);
    assertThat(prompt).isEqualTo(new int[] {3, 1, 0, 0, 0, 0, 5, 2, 0, 0, 0, 0}); // the caller's array is untouched
    int[] fed = prompt.clone();
    for (int b = 0; b < 2; b++) {
      for (int t = given; t < steps; t++) {
        fed[b * steps + t] = predicted[b * steps + t - 1];
      }
    }
    // Teacher-forcing the decoded sequence reproduces every prediction.
    float[] logits = model.forward(fed, steps).toArray();
    for (int r = 0; r < 2 * steps; r++) {
      int best = 0;
      for (int j = 1; j < 7; j++) {
        if (logits[r * 7 + j] > logits[r * 7 + best]) {
          best = j;
        }
      }
      assertThat(predicted[r]).isEqualTo(best);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.greedyDecode(prompt, steps, 0));
    assertThat(e).hasMessageThat().contains("given = 0 must be in [1, steps = 6]");
  }

  @Test
  void attentionWeightsAreADistributionPerDecoderStep() {
    KilnAttentions model = KilnAttentions.create(4);
    IllegalStateException early = assertThrows(IllegalStateException.class, () -> model.attentionWeights("dot"));
    assertThat(early).hasMessageThat().contains("no forward pass has run yet");
    int steps = 4;
    int[] source = {1, 2, 3, 4, 5, 4, 3, 2};
    int[] target = {0, 1, 2, 3, 0, 3, 2, 1};
    model.forward(source, target, steps);
    float[] alpha = model.attentionWeights("additive");
    assertThat(alpha).hasLength(2 * steps * steps);
    for (int row = 0; row < 2 * steps; row++) {
      double sum = 0;
      for (int j = 0; j < steps; j++) {
        assertThat(alpha[row * steps + j]).isAtLeast(0f);
        sum += alpha[row * steps + j];
      }
      assertThat(sum).isWithin(1e-5).of(1.0);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.attentionWeights("dec"));
    assertThat(e).hasMessageThat().contains("no @Attention node 'dec'; the model's are [dot, general, additive]");
  }

  @Test
  void tooLongSequencesAndUnknownTokensAreNamed() {
    KilnMiniGpt model = KilnMiniGpt.create(1);
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> model.forward(new int[7], 7));
    assertThat(tooLong).hasMessageThat().contains("MiniGpt");
    assertThat(tooLong).hasMessageThat().contains("6");
    int[] text = {1, 2, 9, 0};
    IllegalArgumentException badId = assertThrows(IllegalArgumentException.class, () -> model.forward(text, 4));
    assertThat(badId).hasMessageThat().contains("9");
    assertThat(badId).hasMessageThat().contains("[0, 7)");
  }

  /** A sequence model's diagnosis re-runs forward with the call's batch and steps (they were swapped once). */
  @Test
  void aNonFiniteWeightIsTracedToItsNode() {
    KilnMiniGpt model = KilnMiniGpt.create(8);
    float[] w = model.parameter("b.1.linear1.weight").toArray();
    w[5] = Float.POSITIVE_INFINITY;
    model.parameter("b.1.linear1.weight").copyFrom(w);
    SplittableRandom rng = new SplittableRandom(3);
    io.kiln.runtime.train.NonFiniteLossException e = assertThrows(io.kiln.runtime.train.NonFiniteLossException.class,
        () -> model.trainStep(rng.ints(2 * 5, 0, 7).toArray(), 5, rng.ints(2 * 5, 0, 7).toArray(), new Sgd(0.1f)));
    assertThat(e.node()).hasValue("b.1.linear1");
    assertThat(e.phase()).hasValue(io.kiln.runtime.train.NonFiniteLossException.Phase.FORWARD);
  }

  @Test
  @Tag("allocation") // also run with stingy inlining: see the pom
  void trainingStepsAllocateNothingOnceWarm() {
    KilnMiniGpt model = KilnMiniGpt.create(2);
    SplittableRandom rng = new SplittableRandom(9);
    int[] text = rng.ints(18, 0, 7).toArray();
    int[] next = rng.ints(18, 0, 7).toArray();
    Sgd sgd = new Sgd(1e-3f);
    Allocations.assertNone("the mini GPT's train step", () -> model.trainStep(text, 6, next, sgd), 50, 60);
  }

  @Test
  void oneAndTwoThreadsGiveTheSameBits() {
    int before = Parallelism.threads();
    try {
      float[][] weights = new float[2][];
      for (int threads = 1; threads <= 2; threads++) {
        Parallelism.setThreads(threads);
        KilnMiniGpt model = KilnMiniGpt.create(5);
        SplittableRandom rng = new SplittableRandom(4);
        Adam adam = new Adam(1e-2f);
        for (int s = 0; s < 4; s++) {
          model.trainStep(rng.ints(18, 0, 7).toArray(), 6, rng.ints(18, 0, 7).toArray(), adam);
        }
        weights[threads - 1] = model.parameter("b.1.self_attn.in_proj_weight").toArray();
      }
      assertThat(weights[1]).isEqualTo(weights[0]);
    } finally {
      Parallelism.setThreads(before);
    }
  }
}
