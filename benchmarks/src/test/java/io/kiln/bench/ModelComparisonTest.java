package io.kiln.bench;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.bench.ModelComparison.Best;
import io.kiln.bench.ModelComparison.Statistic;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelComparisonTest {
  /** Three rounds of one side at one thread count: train and forward ms per round. */
  private static void rounds(List<Measurement> into, String side, int threads, double[] train, double[] forward) {
    for (int r = 0; r < train.length; r++) {
      into.add(new Measurement(side, "gpt", threads, r, train[r], forward[r]));
    }
  }

  private static List<Measurement> sample() {
    List<Measurement> m = new ArrayList<>();
    rounds(m, "kiln", 1, new double[] {50, 52, 51}, new double[] {20, 20, 21});
    rounds(m, "kiln", 2, new double[] {30, 45, 31}, new double[] {12, 30, 30});
    rounds(m, "torch113", 1, new double[] {72, 73, 74}, new double[] {25, 24, 26});
    rounds(m, "torch113", 2, new double[] {75, 76, 80}, new double[] {26, 25, 27});
    // libtorch 2t: the fastest single round, but a worse median than libtorch 1t
    rounds(m, "libtorch", 1, new double[] {48, 49, 50}, new double[] {16, 16, 16});
    rounds(m, "libtorch", 2, new double[] {40, 90, 95}, new double[] {10, 40, 41});
    m.add(new Measurement("kiln", "lenet", 1, 0, 1, 1)); // another model: ignored
    return m;
  }

  @Test
  void rowsHoldMinAndMedianOverTheRounds() {
    ModelComparison c = ModelComparison.of("gpt", sample());
    assertThat(c.rows()).hasSize(6);
    ModelComparison.Row kiln2 = c.rows().get(1);
    assertThat(kiln2).isEqualTo(new ModelComparison.Row("kiln", 2, 3, 30, 31, 12, 30));
    assertThat(c.rows().stream().map(ModelComparison.Row::side).distinct().toList())
        .containsExactly("kiln", "torch113", "libtorch").inOrder();
  }

  @Test
  void kilnIsItsBestThreadCount() {
    ModelComparison c = ModelComparison.of("gpt", sample());
    assertThat(c.kiln(Statistic.TRAIN_MIN)).hasValue(new Best("kiln", 2, 30));
    assertThat(c.kiln(Statistic.TRAIN_MEDIAN)).hasValue(new Best("kiln", 2, 31));
    assertThat(c.kiln(Statistic.FORWARD_MEDIAN)).hasValue(new Best("kiln", 1, 20));
  }

  @Test
  void bestPeerIsTheMinimumOverPeersAndThreadCountsPerStatistic() {
    ModelComparison c = ModelComparison.of("gpt", sample());
    assertThat(c.bestPeer(Statistic.TRAIN_MIN)).hasValue(new Best("libtorch", 2, 40));
    assertThat(c.bestPeer(Statistic.TRAIN_MEDIAN)).hasValue(new Best("libtorch", 1, 49));
    assertThat(c.bestPeer(Statistic.FORWARD_MIN)).hasValue(new Best("libtorch", 2, 10));
    assertThat(c.bestPeer(Statistic.FORWARD_MEDIAN)).hasValue(new Best("libtorch", 1, 16));
  }

  @Test
  void speedupIsBestPeerOverKilnsBest() {
    ModelComparison c = ModelComparison.of("gpt", sample());
    assertThat(c.speedup(Statistic.TRAIN_MIN)).hasValue(40.0 / 30);
    assertThat(c.speedup(Statistic.TRAIN_MEDIAN)).hasValue(49.0 / 31);
    assertThat(c.speedup(Statistic.FORWARD_MIN)).hasValue(10.0 / 12);
    assertThat(c.speedup(Statistic.FORWARD_MEDIAN)).hasValue(16.0 / 20);
  }

  @Test
  void withoutPeersThereIsNoSpeedup() {
    List<Measurement> kilnOnly = sample().stream().filter(m -> m.side().equals("kiln")).toList();
    ModelComparison c = ModelComparison.of("gpt", kilnOnly);
    assertThat(c.bestPeer(Statistic.TRAIN_MIN)).isEmpty();
    assertThat(c.speedup(Statistic.TRAIN_MIN)).isEmpty();
    assertThat(c.kiln(Statistic.TRAIN_MIN)).hasValue(new Best("kiln", 2, 30));
  }

  @Test
  void inferenceComparesKilnWithTheSidesThatRunPredict() {
    // Kiln measures both; torch113 and libtorch train only
    List<Measurement> m = new ArrayList<>(sample().stream().filter(x -> !x.side().equals("kiln")).toList());
    for (int r = 0; r < 3; r++) {
      m.add(new Measurement("kiln", "gpt", 1, r, 50, 20, 30 + r, 0.5, 0.9));
      m.add(new Measurement("kiln", "gpt", 2, r, 30, 12, 20 + r, 0.6 + r, 1.2));
      m.add(Measurement.inference("onnxruntime", "gpt", 1, r, 40, 1.0 + r, 1.4));
      m.add(Measurement.inference("onnxruntime", "gpt", 2, r, 25, 0.75, 1.0));
    }
    ModelComparison c = ModelComparison.of("gpt", m);
    assertThat(c.kiln(Statistic.PREDICT_BATCH_MIN)).hasValue(new Best("kiln", 2, 20));
    assertThat(c.bestPeer(Statistic.PREDICT_BATCH_MIN)).hasValue(new Best("onnxruntime", 2, 25));
    assertThat(c.speedup(Statistic.PREDICT_BATCH_MEDIAN)).hasValue(25.0 / 21);
    assertThat(c.kiln(Statistic.ONE_P50_MEDIAN)).hasValue(new Best("kiln", 1, 0.5));
    assertThat(c.bestPeer(Statistic.ONE_P50_MEDIAN)).hasValue(new Best("onnxruntime", 2, 0.75));
    assertThat(c.speedup(Statistic.ONE_P99_MIN)).hasValue(1.0 / 0.9);
    // an inference-only side is never the best training peer, a training-only side never the best inference peer
    assertThat(c.bestPeer(Statistic.TRAIN_MIN)).hasValue(new Best("libtorch", 2, 40));
    ModelComparison.Row ort = c.rows().stream().filter(r -> r.side().equals("onnxruntime") && r.threads() == 1)
        .findFirst().orElseThrow();
    assertThat(ort.oneP50()).isEqualTo(new ModelComparison.Spread(1.0, 2.0));
    assertThat(Double.isNaN(ort.trainMin())).isTrue();
  }

  @Test
  void withoutAnInferencePeerThereIsNoInferenceSpeedup() {
    List<Measurement> m = sample();
    m.add(new Measurement("kiln", "gpt", 1, 0, 50, 20, 30, 0.5, 0.9));
    ModelComparison c = ModelComparison.of("gpt", m);
    assertThat(c.kiln(Statistic.PREDICT_BATCH_MIN)).hasValue(new Best("kiln", 1, 30));
    assertThat(c.bestPeer(Statistic.PREDICT_BATCH_MIN)).isEmpty();
    assertThat(c.speedup(Statistic.ONE_P50_MIN)).isEmpty();
  }

  @Test
  void everyMinimumStatisticHasItsMedianAsPartner() {
    for (Statistic s : Statistic.values()) {
      assertThat(s.partner().partner()).isEqualTo(s);
      assertThat(s.name().replaceAll("_(MIN|MEDIAN)$", "")).isEqualTo(s.partner().name().replaceAll("_(MIN|MEDIAN)$", ""));
      assertThat(s.name().endsWith("_MIN")).isNotEqualTo(s.partner().name().endsWith("_MIN"));
    }
  }
}
