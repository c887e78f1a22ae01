package io.kiln.bench;

import io.kiln.bench.ModelComparison.Best;
import io.kiln.bench.ModelComparison.Row;
import io.kiln.bench.ModelComparison.Statistic;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The end of {@code ./bench models}: per model its analytic FLOPs, every side's minimum and median
 * over the rounds with the fraction of the 2-core FMA peak they reach, and the speedup against the
 * best peer; JSON lines on stdout, a table on stderr.
 */
final class Report {
  private Report() {}

  static void print(List<String> models, List<Measurement> all, double peakGflops, int rounds, PrintStream out,
      PrintStream err) {
    err.printf(Locale.ROOT, "%n2-core FMA peak %.1f GFLOP/s (FmaPeak on both cores at once, best of the %d"
        + " measurements of this run); %%peak = analytic FLOPs / min time / that peak%n", peakGflops, rounds + 1);
    for (String model : models) {
      ModelFlops flops = ReferenceModels.BY_NAME.get(model).get().flops();
      ModelComparison c = ModelComparison.of(model, all);
      err.printf(Locale.ROOT, "%n%s: %.3f GFLOP per train step, %.3f GFLOP per forward%n", model,
          flops.trainStep() / 1e9, flops.forward() / 1e9);
      err.printf(Locale.ROOT, "  %-11s %3s %10s %10s %6s %10s %10s %6s %10s %10s %10s %10s %10s%n", "side", "thr",
          "train min", "train med", "%peak", "fwd min", "fwd med", "%peak", "pred min", "pred med", "1 p50 min",
          "1 p50 med", "1 p99 min");
      for (Row r : c.rows()) {
        double trainFraction = fraction(flops.trainStep(), r.trainMin(), peakGflops);
        double forwardFraction = fraction(flops.forward(), r.forwardMin(), peakGflops);
        err.printf(Locale.ROOT, "  %-11s %3d %10s %10s %6s %10s %10s %6s %10s %10s %10s %10s %10s%n", r.side(),
            r.threads(), cell(r.trainMin()), cell(r.trainMedian()), percentCell(trainFraction), cell(r.forwardMin()),
            cell(r.forwardMedian()), percentCell(forwardFraction), cell(r.predictBatch().min()),
            cell(r.predictBatch().median()), cell(r.oneP50().min()), cell(r.oneP50().median()), cell(r.oneP99().min()));
        out.println(sideSummary(model, r, trainFraction, forwardFraction));
      }
      StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
          "{\"summary\": \"model\", \"model\": \"%s\", \"train_step_flops\": %d, \"forward_flops\": %d,"
              + " \"fma_peak_2core_gflops\": %.1f", model, flops.trainStep(), flops.forward(), peakGflops));
      for (Statistic s : Statistic.values()) {
        String key = s.name().toLowerCase(Locale.ROOT);
        c.kiln(s).ifPresent(k -> json.append(String.format(Locale.ROOT, ", \"kiln_%s_ms\": %s, \"kiln_%s_threads\": %d",
            key, round3(k.ms()), key, k.threads())));
        c.bestPeer(s).ifPresent(p -> json.append(String.format(Locale.ROOT,
            ", \"best_peer_%s\": \"%s\", \"best_peer_%s_threads\": %d, \"best_peer_%s_ms\": %s", key, p.side(), key,
            p.threads(), key, round3(p.ms()))));
        c.speedup(s).ifPresent(x -> json.append(String.format(Locale.ROOT, ", \"speedup_%s\": %.3f", key, x)));
      }
      out.println(json.append('}'));
      if (c.bestPeer(Statistic.TRAIN_MIN).isPresent()) {
        err.println("  speedup vs the best peer: train " + speedup(c, Statistic.TRAIN_MIN) + ", "
            + speedup(c, Statistic.TRAIN_MEDIAN) + "; forward " + speedup(c, Statistic.FORWARD_MIN) + ", "
            + speedup(c, Statistic.FORWARD_MEDIAN));
      }
      if (c.bestPeer(Statistic.PREDICT_BATCH_MIN).isPresent()) {
        err.println("  inference speedup: predict at batch " + speedup(c, Statistic.PREDICT_BATCH_MIN) + ", "
            + speedup(c, Statistic.PREDICT_BATCH_MEDIAN) + "; one sample p50 " + speedup(c, Statistic.ONE_P50_MIN)
            + ", " + speedup(c, Statistic.ONE_P50_MEDIAN) + "; p99 " + speedup(c, Statistic.ONE_P99_MIN) + ", "
            + speedup(c, Statistic.ONE_P99_MEDIAN));
      }
    }
    out.flush();
    err.println();
    err.print(markdown(models, all, peakGflops));
    if (all.stream().anyMatch(m -> !m.side().equals(Measurement.KILN) && m.hasInference())) {
      err.println();
      err.print(inferenceMarkdown(models, all));
    }
  }

  /** The summary JSON line of one side at one thread count: the times it measured, minimum and median. */
  private static String sideSummary(String model, Row r, double trainFraction, double forwardFraction) {
    StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
        "{\"summary\": \"side\", \"model\": \"%s\", \"side\": \"%s\", \"threads\": %d, \"rounds\": %d", model,
        r.side(), r.threads(), r.rounds()));
    if (!Double.isNaN(r.trainMin())) {
      json.append(String.format(Locale.ROOT, ", \"train_min_ms\": %s, \"train_median_ms\": %s, \"forward_min_ms\": %s,"
          + " \"forward_median_ms\": %s, \"train_peak_fraction\": %.4f, \"forward_peak_fraction\": %.4f",
          round3(r.trainMin()), round3(r.trainMedian()), round3(r.forwardMin()), round3(r.forwardMedian()),
          trainFraction, forwardFraction));
    }
    if (!Double.isNaN(r.predictBatch().min())) {
      json.append(String.format(Locale.ROOT, ", \"predict_batch_min_ms\": %s, \"predict_batch_median_ms\": %s,"
          + " \"predict_one_p50_min_ms\": %s, \"predict_one_p50_median_ms\": %s, \"predict_one_p99_min_ms\": %s,"
          + " \"predict_one_p99_median_ms\": %s", round4(r.predictBatch().min()), round4(r.predictBatch().median()),
          round4(r.oneP50().min()), round4(r.oneP50().median()), round4(r.oneP99().min()),
          round4(r.oneP99().median())));
    }
    return json.append('}').toString();
  }

  /**
   * The inference comparison as a Markdown table for docs/benchmarks.md: per model Kiln's and the
   * best inference peer's best thread count (min / median over the rounds) for {@code predict} at
   * the maximum batch and the p50 and p99 of one sample, each with its speedup.
   */
  static String inferenceMarkdown(List<String> models, List<Measurement> all) {
    StringBuilder md = new StringBuilder("| model | Kiln batch ms | ORT batch ms | batch × | Kiln 1-sample p50 ms"
        + " | ORT p50 ms | p50 × | Kiln p99 ms | ORT p99 ms | p99 × |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (String model : models) {
      ModelComparison c = ModelComparison.of(model, all);
      md.append("| ").append(model);
      for (Statistic min : List.of(Statistic.PREDICT_BATCH_MIN, Statistic.ONE_P50_MIN, Statistic.ONE_P99_MIN)) {
        Statistic median = min.partner();
        md.append(" | ").append(pair(c.kiln(min), c.kiln(median), "%.3f"))
            .append(" | ").append(pair(c.bestPeer(min), c.bestPeer(median), "%.3f"))
            .append(" | ").append(ratios(c, min, median));
      }
      md.append(" |\n");
    }
    return md.toString();
  }

  /** A time in ms for the stderr table, "–" where the side does not measure it. */
  private static String cell(double ms) {
    return Double.isNaN(ms) ? "–" : String.format(Locale.ROOT, "%.3f", ms);
  }

  private static String percentCell(double fraction) {
    return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
  }

  /**
   * The run as the Markdown table of docs/benchmarks.md's Results: per model the best thread count
   * of Kiln and of the best peer (min / median over the rounds), the speedups and the train
   * step's share of the FMA peak.
   */
  static String markdown(List<String> models, List<Measurement> all, double peakGflops) {
    StringBuilder md = new StringBuilder(
        "| model | Kiln train ms | best peer train ms | train × | Kiln forward ms | best peer forward ms | forward ×"
            + " | train %peak Kiln / best peer |\n|---|---|---|---|---|---|---|---|\n");
    for (String model : models) {
      ModelFlops flops = ReferenceModels.BY_NAME.get(model).get().flops();
      ModelComparison c = ModelComparison.of(model, all);
      md.append("| ").append(model)
          .append(" | ").append(pair(c.kiln(Statistic.TRAIN_MIN), c.kiln(Statistic.TRAIN_MEDIAN)))
          .append(" | ").append(pair(c.bestPeer(Statistic.TRAIN_MIN), c.bestPeer(Statistic.TRAIN_MEDIAN)))
          .append(" | ").append(ratios(c, Statistic.TRAIN_MIN, Statistic.TRAIN_MEDIAN))
          .append(" | ").append(pair(c.kiln(Statistic.FORWARD_MIN), c.kiln(Statistic.FORWARD_MEDIAN)))
          .append(" | ").append(pair(c.bestPeer(Statistic.FORWARD_MIN), c.bestPeer(Statistic.FORWARD_MEDIAN)))
          .append(" | ").append(ratios(c, Statistic.FORWARD_MIN, Statistic.FORWARD_MEDIAN))
          .append(" | ").append(percent(c.kiln(Statistic.TRAIN_MIN), flops, peakGflops)).append(" / ")
          .append(percent(c.bestPeer(Statistic.TRAIN_MIN), flops, peakGflops)).append(" |\n");
    }
    return md.toString();
  }

  /** "3.10 / 3.25 (kiln 2t)", or "4.00 (libtorch 1t) / 4.40 (torch113 2t)" when the two statistics pick different rows. */
  private static String pair(Optional<Best> min, Optional<Best> median) {
    return pair(min, median, "%.2f");
  }

  private static String pair(Optional<Best> min, Optional<Best> median, String msFormat) {
    if (min.isEmpty() || median.isEmpty()) {
      return "–";
    }
    Best a = min.get();
    Best b = median.get();
    boolean same = a.side().equals(b.side()) && a.threads() == b.threads();
    String ms = msFormat + " ";
    return same ? String.format(Locale.ROOT, msFormat + " / " + ms + "(%s %dt)", a.ms(), b.ms(), a.side(), a.threads())
        : String.format(Locale.ROOT, ms + "(%s %dt) / " + ms + "(%s %dt)", a.ms(), a.side(), a.threads(), b.ms(),
            b.side(), b.threads());
  }

  private static String ratios(ModelComparison c, Statistic min, Statistic median) {
    Optional<Double> a = c.speedup(min);
    Optional<Double> b = c.speedup(median);
    return a.isEmpty() || b.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f / %.2f", a.get(), b.get());
  }

  private static String percent(Optional<Best> best, ModelFlops flops, double peakGflops) {
    return best.map(b -> String.format(Locale.ROOT, "%.0f %%", 100 * fraction(flops.trainStep(), b.ms(), peakGflops)))
        .orElse("–");
  }

  /** The share of the peak: {@code flops} done in {@code ms}, over {@code peakGflops}. */
  static double fraction(long flops, double ms, double peakGflops) {
    return flops / (ms * 1e-3) / (peakGflops * 1e9);
  }

  /** "min 1.36× (torch113 2t 3.400 ms / kiln 2t 2.500 ms)". */
  private static String speedup(ModelComparison c, Statistic s) {
    Optional<Best> k = c.kiln(s);
    Optional<Best> p = c.bestPeer(s);
    String which = s.name().endsWith("MIN") ? "min" : "median";
    if (k.isEmpty() || p.isEmpty()) {
      return which + " n/a";
    }
    return String.format(Locale.ROOT, "%s %.2f× (%s %dt %.3f ms / kiln %dt %.3f ms)", which, p.get().ms() / k.get().ms(),
        p.get().side(), p.get().threads(), p.get().ms(), k.get().threads(), k.get().ms());
  }

  static String round3(double x) {
    return rounded(x, 3);
  }

  /** Four decimals: single-sample times are tens of microseconds. */
  static String round4(double x) {
    return rounded(x, 4);
  }

  private static String rounded(double x, int decimals) {
    return new BigDecimal(x).setScale(decimals, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
  }
}
