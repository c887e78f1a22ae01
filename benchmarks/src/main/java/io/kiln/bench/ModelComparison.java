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
 * not have the lowest median). The inference times compare Kiln with the sides that measure them
 * (ONNX Runtime); a side that does not measure a time has NaN there and is never its best.
 */
record ModelComparison(String model, List<Row> rows) {
  /** Minimum and median of one time over the rounds that measured it; NaN for a time the side does not measure. */
  record Spread(double min, double median) {
    static Spread of(List<Measurement> ms, ToDoubleFunction<Measurement> time) {
      double[] t = ms.stream().mapToDouble(time).filter(x -> !Double.isNaN(x)).toArray();
      return t.length == 0 ? NONE : new Spread(Timing.min(t), Timing.median(t));
    }
  }

  /** One side at one thread count over the rounds. */
  record Row(String side, int threads, int rounds, Spread train, Spread forward, Spread predictBatch, Spread oneP50,
      Spread oneP99) {
    /** A training side's row (no inference times). */
    Row(String side, int threads, int rounds, double trainMin, double trainMedian, double forwardMin,
        double forwardMedian) {
      this(side, threads, rounds, new Spread(trainMin, trainMedian), new Spread(forwardMin, forwardMedian), NONE, NONE,
          NONE);
    }

    double trainMin() {
      return train.min();
    }

    double trainMedian() {
      return train.median();
    }

    double forwardMin() {
      return forward.min();
    }

    double forwardMedian() {
      return forward.median();
    }
  }

  private static final Spread NONE = new Spread(Double.NaN, Double.NaN);

  /** The fastest row of some sides for one statistic. */
  record Best(String side, int threads, double ms) {}

  /** The statistics of {@link Row} by which a best side is chosen. */
  enum Statistic {
    TRAIN_MIN(r -> r.train().min()), TRAIN_MEDIAN(r -> r.train().median()),
    FORWARD_MIN(r -> r.forward().min()), FORWARD_MEDIAN(r -> r.forward().median()),
    PREDICT_BATCH_MIN(r -> r.predictBatch().min()), PREDICT_BATCH_MEDIAN(r -> r.predictBatch().median()),
    ONE_P50_MIN(r -> r.oneP50().min()), ONE_P50_MEDIAN(r -> r.oneP50().median()),
    ONE_P99_MIN(r -> r.oneP99().min()), ONE_P99_MEDIAN(r -> r.oneP99().median());

    final ToDoubleFunction<Row> value;

    Statistic(ToDoubleFunction<Row> value) {
      this.value = value;
    }

    /** The same time's other statistic: minimum ↔ median. */
    Statistic partner() {
      return values()[ordinal() ^ 1];
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
      rows.add(new Row(ms.get(0).side(), ms.get(0).threads(), ms.size(), Spread.of(ms, Measurement::trainMs),
          Spread.of(ms, Measurement::forwardMs), Spread.of(ms, Measurement::predictBatchMs),
          Spread.of(ms, Measurement::oneP50Ms), Spread.of(ms, Measurement::oneP99Ms)));
    }
    return new ModelComparison(model, List.copyOf(rows));
  }

  /** Kiln's fastest thread count by {@code statistic}, if Kiln was measured. */
  Optional<Best> kiln(Statistic statistic) {
    return fastest(statistic, r -> r.side().equals(Measurement.KILN));
  }

  /** The fastest peer at its fastest thread count by {@code statistic}, if any peer measured it. */
  Optional<Best> bestPeer(Statistic statistic) {
    return fastest(statistic, r -> !r.side().equals(Measurement.KILN));
  }

  /** Best peer's time over Kiln's best time (> 1: Kiln is faster), if both sides were measured. */
  Optional<Double> speedup(Statistic statistic) {
    return kiln(statistic).flatMap(k -> bestPeer(statistic).map(p -> p.ms() / k.ms()));
  }

  private Optional<Best> fastest(Statistic statistic, Predicate<Row> among) {
    return rows.stream().filter(among).filter(r -> !Double.isNaN(statistic.value.applyAsDouble(r)))
        .min(Comparator.comparingDouble(statistic.value))
        .map(r -> new Best(r.side(), r.threads(), statistic.value.applyAsDouble(r)));
  }
}
