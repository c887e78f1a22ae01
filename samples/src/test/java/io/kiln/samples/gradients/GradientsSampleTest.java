package io.kiln.samples.gradients;

import static com.google.common.truth.Truth.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The headline numbers of {@code ./kiln gradients} in quick mode, loosely: the notes' claims hold on
 * the measured gradients, and each part writes its pictures and a conclusion carrying its numbers.
 */
class GradientsSampleTest {
  @TempDir Path out;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream log = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @Test
  void deepMlpsVanishWithSigmoidAndNotWithReluHe() throws Exception {
    var r = GradientsSample.run("mlp", GradientsSample.Budget.QUICK, Optional.empty(), 1, out, log).mlp().orElseThrow();
    VanishingMlp.Variant small = r.variants().get(0);
    VanishingMlp.Variant he = r.variants().get(2);
    assertThat(small.name()).contains("N(0, 0.01)");
    assertThat(small.startRatio()).isLessThan(1e-2); // first layer ≥ 100× smaller than the last
    assertThat(he.name()).isEqualTo("ReLU, He");
    assertThat(he.startRatio()).isIn(com.google.common.collect.Range.closed(0.1, 10.0));
    assertThat(r.conclusion()).contains(String.format(java.util.Locale.ROOT, "%.1e", he.startRatio()));
    assertThat(Files.size(r.gradientsPng())).isGreaterThan(1000L);
    assertThat(Files.size(r.lossPng())).isGreaterThan(1000L);
  }

  @Test
  void recurrentGradientsReachFurtherThroughGates() throws Exception {
    var r = GradientsSample.run("recurrent", GradientsSample.Budget.QUICK, Optional.empty(), 1, out, log).recurrent().orElseThrow();
    RecurrentMemory.Cell rnn = r.cells().get(0);
    assertThat(rnn.name()).isEqualTo("tanh RNN");
    assertThat(rnn.startNorms()).hasLength(MemoryNets.STEPS);
    for (RecurrentMemory.Cell gated : r.cells().subList(1, 3)) {
      assertThat(gated.startReach()).isGreaterThan(100 * rnn.startReach());
    }
    assertThat(Files.size(r.png())).isGreaterThan(1000L);
  }

  @Test
  void theGuardStopsTheUnclippedRunAndTheClippedOneStaysFinite() throws Exception {
    var r = GradientsSample.run("exploding", GradientsSample.Budget.QUICK, Optional.empty(), 1, out, log).exploding().orElseThrow();
    ExplodingRnn.Run free = r.runs().get(0);
    assertThat(free.stopped()).isNotNull();
    assertThat(free.stopped().node()).hasValue("cell");
    assertThat(free.stopped().step()).isEqualTo(free.losses().length + 1L); // the model's step, counted from 1
    assertThat(r.runs().get(1).finite()).isTrue();
    assertThat(r.runs().get(1).losses()).hasLength(GradientsSample.Budget.QUICK.exploding());
    assertThat(r.runs().get(2).recurrentNorm()).isLessThan(r.runs().get(1).recurrentNorm()); // L2 shrinks W_hh
    assertThat(r.conclusion()).contains("step " + free.stopped().step());
  }

  @Test
  void gateHeatMapsAreWrittenWithGatesInRange() throws Exception {
    var r = GradientsSample.run("gates", GradientsSample.Budget.QUICK, Optional.empty(), 1, out, log).gates().orElseThrow();
    assertThat(r.gates()).containsExactly("i", "f", "g", "o").inOrder();
    for (int k = 0; k < 4; k++) {
      assertThat(r.means()[k]).isIn(com.google.common.collect.Range.closed(k == 2 ? -1.0 : 0.0, 1.0));
      assertThat(Files.size(r.pngs().get(k))).isGreaterThan(1000L);
    }
    assertThat(r.conclusion()).contains(String.format(java.util.Locale.ROOT, "%.2f", r.means()[1]));
  }
}
