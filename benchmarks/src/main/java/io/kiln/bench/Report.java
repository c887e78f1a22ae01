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
      err.printf(Locale.ROOT, "  %-9s %3s %10s %10s %6s %10s %10s %6s%n", "side", "thr", "train min", "train med",
          "%peak", "fwd min", "fwd med", "%peak");
      for (Row r : c.rows()) {
        double trainFraction = fraction(flops.trainStep(), r.trainMin(), peakGflops);
        double forwardFraction = fraction(flops.forward(), r.forwardMin(), peakGflops);
        err.printf(Locale.ROOT, "  %-9s %3d %10.3f %10.3f %5.1f%% %10.3f %10.3f %5.1f%%%n", r.side(), r.threads(),
            r.trainMin(), r.trainMedian(), 100 * trainFraction, r.forwardMin(), r.forwardMedian(),
            100 * forwardFraction);
        out.println(String.format(Locale.ROOT,
            "{\"summary\": \"side\", \"model\": \"%s\", \"side\": \"%s\", \"threads\": %d, \"rounds\": %d,"
                + " \"train_min_ms\": %s, \"train_median_ms\": %s, \"forward_min_ms\": %s, \"forward_median_ms\": %s,"
                + " \"train_peak_fraction\": %.4f, \"forward_peak_fraction\": %.4f}",
            model, r.side(), r.threads(), r.rounds(), round3(r.trainMin()), round3(r.trainMedian()),
            round3(r.forwardMin()), round3(r.forwardMedian()), trainFraction, forwardFraction));
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
    }
    out.flush();
    err.println();
    err.print(markdown(models, all, peakGflops));
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

  /** "3.10 / 3.25 (kiln 2t)", or "libtorch 1t 4.0 / torch113 2t 4.4" when the two statistics pick different rows. */
  private static String pair(Optional<Best> min, Optional<Best> median) {
    if (min.isEmpty() || median.isEmpty()) {
      return "–";
    }
    Best a = min.get();
    Best b = median.get();
    boolean same = a.side().equals(b.side()) && a.threads() == b.threads();
    return same ? String.format(Locale.ROOT, "%.2f / %.2f (%s %dt)", a.ms(), b.ms(), a.side(), a.threads())
        : String.format(Locale.ROOT, "%.2f (%s %dt) / %.2f (%s %dt)", a.ms(), a.side(), a.threads(), b.ms(), b.side(),
            b.threads());
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
    return new BigDecimal(x).setScale(3, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
  }
}
