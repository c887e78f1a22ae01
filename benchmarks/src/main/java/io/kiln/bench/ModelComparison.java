package io.kiln.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * One model's rounds, summarised: per side and thread count the minimum and median over the rounds
 * of train-step and forward ms, Kiln's best thread count, the best peer (the fastest of every peer
 * at every thread count) and the speedup against it, minimum against minimum and median against
 * median (each statistic picks its own best: the peer and thread count with the lowest minimum may
 * not have the lowest median).
 */
record ModelComparison(String model, List<Row> rows) {
  /** One side at one thread count over the rounds. */
  record Row(String side, int threads, int rounds, double trainMin, double trainMedian, double forwardMin,
      double forwardMedian) {}

  /** The fastest row of some sides for one statistic. */
  record Best(String side, int threads, double ms) {}

  /** The statistics of {@link Row} by which a best side is chosen. */
  enum Statistic {
    TRAIN_MIN(Row::trainMin), TRAIN_MEDIAN(Row::trainMedian), FORWARD_MIN(Row::forwardMin),
    FORWARD_MEDIAN(Row::forwardMedian);

    final ToDoubleFunction<Row> value;

    Statistic(ToDoubleFunction<Row> value) {
      this.value = value;
    }
  }

  /** Summarises one model's measurements (of any sides, thread counts and rounds), rows in first-seen order. */
  static ModelComparison of(String model, List<Measurement> measurements) {
    Map<String, List<Measurement>> bySideAndThreads = new LinkedHashMap<>();
    for (Measurement m : measurements) {
      if (m.model().equals(model)) {
        bySideAndThreads.computeIfAbsent(m.side() + "/" + m.threads(), k -> new ArrayList<>()).add(m);
      }
    }
    List<Row> rows = new ArrayList<>();
    for (List<Measurement> ms : bySideAndThreads.values()) {
      double[] train = ms.stream().mapToDouble(Measurement::trainMs).toArray();
      double[] forward = ms.stream().mapToDouble(Measurement::forwardMs).toArray();
      rows.add(new Row(ms.get(0).side(), ms.get(0).threads(), ms.size(), Timing.min(train), Timing.median(train),
          Timing.min(forward), Timing.median(forward)));
    }
    return new ModelComparison(model, List.copyOf(rows));
  }

  /** Kiln's fastest thread count by {@code statistic}, if Kiln was measured. */
  Optional<Best> kiln(Statistic statistic) {
    return fastest(statistic, r -> r.side().equals(Measurement.KILN));
  }

  /** The fastest peer at its fastest thread count by {@code statistic}, if any peer was measured. */
  Optional<Best> bestPeer(Statistic statistic) {
    return fastest(statistic, r -> !r.side().equals(Measurement.KILN));
  }

  /** Best peer's time over Kiln's best time (> 1: Kiln is faster), if both sides were measured. */
  Optional<Double> speedup(Statistic statistic) {
    return kiln(statistic).flatMap(k -> bestPeer(statistic).map(p -> p.ms() / k.ms()));
  }

  private Optional<Best> fastest(Statistic statistic, Predicate<Row> among) {
    return rows.stream().filter(among).min(Comparator.comparingDouble(statistic.value))
        .map(r -> new Best(r.side(), r.threads(), statistic.value.applyAsDouble(r)));
  }
}
