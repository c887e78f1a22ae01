package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.tests.models.KilnAttnAdditive;
import io.kiln.tests.models.KilnAttnDot;
import io.kiln.tests.models.KilnAttnGeneral;
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

  @ParameterizedTest
  @CsvSource({"1, 1", "2, 3", "3, 5"})
  void dotAttention(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(31 * batch + steps);
    KilnAttnDot model = KilnAttnDot.create(3);
    int[][] data = tokens(rng, batch, steps, 6);
    model.computeGradients(data[0], data[1], steps, data[2]);
    int n = FiniteDifferences.check("AttnDot", model.parameters(), () -> model.loss(data[0], data[1], steps, data[2]));
    assertThat(n).isEqualTo(KilnAttnDot.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @CsvSource({"1, 2", "3, 4"})
  void sharedEmbeddingTable(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(53 * batch + steps);
    io.kiln.tests.models.KilnTiedAttn model = io.kiln.tests.models.KilnTiedAttn.create(3);
    assertThat(io.kiln.tests.models.KilnTiedAttn.PARAMETER_COUNT).isEqualTo(KilnAttnDot.PARAMETER_COUNT - 6 * 3);
    assertThat(model.parameters().stream().map(io.kiln.runtime.Parameter::name).toList()).doesNotContain("tgtEmb.weight");
    int[][] data = tokens(rng, batch, steps, 6);
    model.computeGradients(data[0], data[1], steps, data[2]);
    int n = FiniteDifferences.check("TiedAttn", model.parameters(), () -> model.loss(data[0], data[1], steps, data[2]));
    assertThat(n).isEqualTo(io.kiln.tests.models.KilnTiedAttn.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @CsvSource({"1, 2", "3, 4"})
  void generalAttention(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(37 * batch + steps);
    KilnAttnGeneral model = KilnAttnGeneral.create(4);
    int[][] data = tokens(rng, batch, steps, 6);
    model.computeGradients(data[0], data[1], steps, data[2]);
    int n = FiniteDifferences.check("AttnGeneral", model.parameters(), () -> model.loss(data[0], data[1], steps, data[2]));
    assertThat(n).isEqualTo(KilnAttnGeneral.PARAMETER_COUNT);
  }

  @ParameterizedTest
  @CsvSource({"1, 2", "3, 4"})
  void additiveAttention(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(41 * batch + steps);
    KilnAttnAdditive model = KilnAttnAdditive.create(5);
    int[][] data = tokens(rng, batch, steps, 6);
    model.computeGradients(data[0], data[1], steps, data[2]);
    int n = FiniteDifferences.check("AttnAdditive", model.parameters(), () -> model.loss(data[0], data[1], steps, data[2]));
    assertThat(n).isEqualTo(KilnAttnAdditive.PARAMETER_COUNT);
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
