package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.tests.models.KilnAttentions;
import io.kiln.tests.models.KilnMiniGpt;
import io.kiln.tests.models.KilnPostNormEncoder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finite-difference checks through generated attention models: each score kind of encoder–decoder
 * attention (gradients reach the encoder through the keys and through the state hand-off), a
 * two-block causal Transformer (layer norm fused with the residual add, multi-head attention,
 * GELU, position embeddings, repeated blocks), and a post-norm encoder without a mask.
 */
class AttentionGradientTest {

  /** Every score kind, the shared table, and gradients reaching the encoder through keys and the hand-off. */
  @ParameterizedTest
  @CsvSource({"1, 1", "2, 3", "3, 5"})
  void scoredAttention(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(31 * batch + steps);
    KilnAttentions model = KilnAttentions.create(3);
    assertThat(model.parameters().stream().map(io.kiln.runtime.Parameter::name).toList()).doesNotContain("tgtEmb.weight");
    int[][] data = tokens(rng, batch, steps, 6);
    model.computeGradients(data[0], data[1], steps, data[2]);
    int n = FiniteDifferences.check("Attentions", model.parameters(), () -> model.loss(data[0], data[1], steps, data[2]));
    assertThat(n).isEqualTo(KilnAttentions.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @CsvSource({"1, 1", "2, 4", "3, 6"})
  void causalTransformerBlocks(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(43 * batch + steps);
    KilnMiniGpt model = KilnMiniGpt.create(6);
    perturb(model.parameters(), rng); // zero position table and unit norms would hide mistakes
    int[] text = rng.ints(batch * steps, 0, 7).toArray();
    int[] next = rng.ints(batch * steps, 0, 7).toArray();
    model.computeGradients(text, steps, next);
    int n = FiniteDifferences.check("MiniGpt", model.parameters(), () -> model.loss(text, steps, next));
    assertThat(n).isEqualTo(KilnMiniGpt.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @CsvSource({"1, 3", "3, 5"})
  void postNormEncoderWithoutMask(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(47 * batch + steps);
    KilnPostNormEncoder model = KilnPostNormEncoder.create(7);
    perturb(model.parameters(), rng);
    int[] text = rng.ints(batch * steps, 0, 5).toArray();
    int[] next = rng.ints(batch * steps, 0, 5).toArray();
    model.computeGradients(text, steps, next);
    int n = FiniteDifferences.check("PostNormEncoder", model.parameters(), () -> model.loss(text, steps, next));
    assertThat(n).isEqualTo(KilnPostNormEncoder.PARAMETER_COUNT);
  }

  static int[][] tokens(SplittableRandom rng, int batch, int steps, int vocab) {
    return new int[][] {rng.ints(batch * steps, 0, vocab).toArray(), rng.ints(batch * steps, 0, vocab).toArray(),
        rng.ints(batch * steps, 0, vocab).toArray()};
  }

  /** Adds noise to every parameter, so no gradient is checked only at a special point (zeros, ones). */
  static void perturb(java.util.List<io.kiln.runtime.Parameter> parameters, SplittableRandom rng) {
    for (io.kiln.runtime.Parameter p : parameters) {
      float[] v = p.toArray();
      for (int i = 0; i < v.length; i++) {
        v[i] += (float) (rng.nextDouble() - 0.5) * 0.4f;
      }
      p.copyFrom(v);
    }
  }
}
