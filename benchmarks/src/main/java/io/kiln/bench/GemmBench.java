package io.kiln.bench;

import io.kiln.runtime.Parallelism;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.simd.Vectorization;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code ./bench gemm [--openblas] [--quick]}: one JSON line per measurement on stdout, a summary
 * on stderr. GFLOP/s = 2·m·n·k / median time; {@code gflops_best} uses the fastest repetition.
 */
final class GemmBench {
  private static final GemmKernel GEMM = Vectorization.provider().gemm();

  private GemmBench() {}

  /**
   * One side of an interleaved measurement: the JSON {@code kernel} name, its thread count, the
   * flops of one call, what to set before each repetition (untimed) and the timed call.
   */
  record Trial(String kernel, int threads, double flops, Runnable setup, Runnable op) {}

  /** A benchmarked product: a name for the source of the shape and its layouts. */
  record Shape(String name, int m, int n, int k, List<Layout> layouts) {}

  static List<Shape> shapes() {
    List<Shape> s = new ArrayList<>();
    for (int c : new int[] {64, 128, 256, 512, 1024}) {
      s.add(new Shape("cube", c, c, c, List.of(Layout.NN, Layout.NT, Layout.TN)));
    }
    // The reference models' products (batch 64 for the convolutions, 32 for the LSTM), see docs/benchmarks.md.
    s.add(new Shape("charlstm_step", 32, 1024, 256, List.of(Layout.NN, Layout.NT)));
    s.add(new Shape("lenet_conv1", 64 * 28 * 28, 6, 25, List.of(Layout.NN)));
    s.add(new Shape("lenet_conv2", 64 * 10 * 10, 16, 150, List.of(Layout.NN)));
    s.add(new Shape("cnn64_conv1", 64 * 62 * 62, 32, 27, List.of(Layout.NN)));
    s.add(new Shape("cnn64_conv2", 64 * 29 * 29, 64, 288, List.of(Layout.NN)));
    // the per-sample products Conv2d runs: forward W·cols (NN), weight gradient dZ·colsᵀ (NT),
    // input gradient Wᵀ·dZ (TN); and cnn64's 1-unit dense layer (NT)
    s.add(new Shape("lenet_c1_fwd", 6, 28 * 28, 25, List.of(Layout.NN)));
    s.add(new Shape("lenet_c1_dw", 6, 25, 28 * 28, List.of(Layout.NT)));
    s.add(new Shape("lenet_c2_fwd", 16, 100, 150, List.of(Layout.NN)));
    s.add(new Shape("lenet_c2_dw", 16, 150, 100, List.of(Layout.NT)));
    s.add(new Shape("lenet_c2_dx", 150, 100, 16, List.of(Layout.TN)));
    s.add(new Shape("cnn64_c1_fwd", 32, 62 * 62, 27, List.of(Layout.NN)));
    s.add(new Shape("cnn64_c1_dw", 32, 27, 62 * 62, List.of(Layout.NT)));
    s.add(new Shape("cnn64_c2_fwd", 64, 29 * 29, 288, List.of(Layout.NN)));
    s.add(new Shape("cnn64_c2_dw", 64, 288, 29 * 29, List.of(Layout.NT)));
    s.add(new Shape("cnn64_c2_dx", 288, 29 * 29, 32, List.of(Layout.TN)));
    s.add(new Shape("cnn64_dense", 64, 1, 12544, List.of(Layout.NT)));
    return s;
  }

  static void run(List<String> args) throws Exception {
    boolean openblas = args.contains("--openblas");
    boolean quick = args.contains("--quick");
    double warm = quick ? 0.1 : 0.4, rep = quick ? 0.03 : 0.1;
    int reps = quick ? 5 : 7;
    int cores = Runtime.getRuntime().availableProcessors();
    System.err.println("kiln gemm benchmark: kernels " + Vectorization.provider().name() + ", " + cores
        + " cores, java " + Runtime.version() + (openblas ? "" : " (add --openblas for the OpenBLAS comparison)"));

    double peak = FmaPeak.measure(5);
    System.out.println("{\"kernel\":\"fma_peak\",\"threads\":1,\"gflops\":" + Timing.fmt(peak) + "}");
    if (cores >= 2) {
      double peak2t = FmaPeak.measureParallel(2, 5);
      System.out.println("{\"kernel\":\"fma_peak\",\"threads\":2,\"gflops\":" + Timing.fmt(peak2t) + "}");
      System.err.println("FMA peak: 1 thread " + Timing.fmt(peak) + " GFLOP/s, 2 threads together " + Timing.fmt(peak2t)
          + " (" + String.format(java.util.Locale.ROOT, "%.2f", peak2t / peak) + "x)");
    }
    // --only cube:512,charlstm_step : shapes by name, or name:m
    int onlyAt = args.indexOf("--only");
    List<String> only = onlyAt >= 0 && onlyAt + 1 < args.size() ? List.of(args.get(onlyAt + 1).split(",")) : null;

    Object blas = null;
    if (openblas) {
      try {
        System.err.println("openblas: " + OpenBlasSgemm.version());
        blas = Boolean.TRUE;
      } catch (Throwable e) {
        System.err.println("openblas: not available (" + e + "); skipping the comparison");
      }
    }

    // JIT warm-up before the first timed shape: the 0.4 s per shape is not enough for C2 to take
    // over the micro-kernel, so the first shape measured the interpreter (e.g. 49 vs 163 GFLOP/s)
    {
      float[] wa = new float[256 * 256];
      float[] wb = new float[256 * 256];
      float[] wc = new float[256 * 256];
      long end = System.nanoTime() + (long) ((quick ? 1 : 3) * 1e9);
      for (int i = 0; System.nanoTime() < end; i++) {
        Layout l = Layout.values()[i % 3];
        GEMM.gemm(l, 256, 256, 256, wa, 0, wb, 0, wc, 0, i % 2 == 0 ? Epilogue.NONE : Epilogue.ACCUMULATE);
      }
    }
    List<String> summary = new ArrayList<>();
    java.util.Map<String, Double> measured = new java.util.HashMap<>();
    int[] threadCounts = cores >= 2 ? new int[] {1, 2} : new int[] {1};
    for (Shape s : shapes()) {
      if (only != null && !only.contains(s.name()) && !only.contains(s.name() + ":" + s.m())) {
        continue;
      }
      SplittableRandom rnd = new SplittableRandom(7);
      float[] a = random(rnd, s.m() * s.k());
      float[] b = random(rnd, s.k() * s.n());
      float[] c = new float[s.m() * s.n()];
      double flops = 2.0 * s.m() * s.n() * s.k();
      for (Layout layout : s.layouts()) {
        // packed operands: lda, ldb and ldc are the logical widths (OpenBLAS gets the same)
        Runnable kiln = () -> GEMM.gemm(layout, s.m(), s.n(), s.k(), a, 0, b, 0, c, 0, Epilogue.NONE);
        // Kiln on 1 and 2 threads, OpenBLAS on 1 and 2, the FMA probe: repetitions interleaved
        List<Trial> trials = new ArrayList<>();
        for (int t : threadCounts) {
          trials.add(new Trial("gemm", t, flops, () -> Parallelism.setThreads(t), kiln));
        }
        // large cubes: two independent 1-thread GEMMs at once, what 2 threads can hope for here
        PairRunner pair = cores >= 2 && s.name().equals("cube") && s.m() >= 512 ? new PairRunner() : null;
        if (pair != null) {
          float[] c2 = new float[c.length];
          Runnable second = () -> GEMM.gemm(layout, s.m(), s.n(), s.k(), a, 0, b, 0, c2, 0, Epilogue.NONE);
          trials.add(new Trial("gemm_independent_pair", 2, 2 * flops, () -> Parallelism.setThreads(1),
              () -> pair.run(kiln, second)));
        }
        // the FMA probe, so each line's fraction of the peak compares figures of the same window
        Trial fma = new Trial("fma_peak", 1, FmaPeak.flops(FMA_ITERS), () -> {}, () -> fmaSink += FmaPeak.run(FMA_ITERS));
        trials.add(fma);
        OpenBlasSgemm ob = blas != null ? new OpenBlasSgemm(a, b, c.length) : null;
        try {
          if (ob != null) {
            for (int t : threadCounts) {
              trials.add(new Trial("openblas_sgemm", t, flops, () -> OpenBlasSgemm.setThreads(t),
                  () -> ob.sgemm(layout.name(), s.m(), s.n(), s.k())));
            }
          }
          Timing.Result[] results = Timing.measureInterleaved(
              trials.stream().map(Trial::setup).toArray(Runnable[]::new),
              trials.stream().map(Trial::op).toArray(Runnable[]::new), warm, rep, reps);
          // the higher of the window's probe and the start-of-run probe: a slow window (a noisy
          // neighbour, or the probe once caught mid-recompilation at half speed) never flatters a
          // fraction, while a start-of-run probe that was unlucky does not hold every shape down
          double windowPeak = Math.max(peak, fma.flops() / results[trials.indexOf(fma)].medianSeconds() / 1e9);
          for (int i = 0; i < results.length; i++) {
            Trial trial = trials.get(i);
            if (trial == fma) {
              continue;
            }
            double gf = trial.flops() / results[i].medianSeconds() / 1e9;
            double best = trial.flops() / results[i].minSeconds() / 1e9;
            int t = trial.threads();
            System.out.println(line(trial.kernel(), s, layout, t, gf, best, windowPeak));
            String key = s.name() + " " + layout + " " + s.m() + " t=" + t;
            measured.put(trial.kernel() + " " + key, gf);
            measured.put("peak " + key, windowPeak);
            summary.add(String.format(java.util.Locale.ROOT, "%-14s %s %6d %5d %5d  t=%d  %7.1f GFLOP/s  %s",
                s.name(), layout, s.m(), s.n(), s.k(), t, gf, switch (trial.kernel()) {
                  case "gemm" -> String.format(java.util.Locale.ROOT, "%5.1f%% of 1-core peak (%.1f)",
                      100 * gf / windowPeak, windowPeak);
                  case "gemm_independent_pair" -> "(two independent 1-thread GEMMs together)";
                  default -> "(OpenBLAS)";
                }));
          }
        } finally {
          if (ob != null) {
            ob.close();
          }
          if (pair != null) {
            pair.close();
          }
        }
      }
    }
    Parallelism.setThreads(cores);
    double peak2 = FmaPeak.measure(3);
    System.err.println("FMA peak (1 core): " + Timing.fmt(peak) + " GFLOP/s at start, " + Timing.fmt(peak2) + " at end");
    summary.forEach(System.err::println);
    targets(measured).forEach(System.err::println);
  }

  /** The targets against this run's figures (lines only for the shapes that were measured). */
  static List<String> targets(java.util.Map<String, Double> g) {
    List<String> out = new ArrayList<>();
    out.add("targets (this run; % of the FMA peak: the higher of the start-of-run probe and the probe interleaved with the shape):");
    for (String[] t : new String[][] {
        {"cube NN 512", "0.85"}, {"cube NT 512", "0.75"}, {"cube TN 512", "0.75"},
        {"charlstm_step NN 32", "0.50"}, {"charlstm_step NT 32", "0.50"}}) {
      Double v = g.get("gemm " + t[0] + " t=1");
      if (v != null) {
        double goal = Double.parseDouble(t[1]);
        double p = g.get("peak " + t[0] + " t=1");
        out.add(String.format(java.util.Locale.ROOT, "  %-22s t=1  %5.1f%% of peak  (target >= %.0f%%)  %s",
            t[0], 100 * v / p, 100 * goal, v / p >= goal ? "met" : "NOT met"));
      }
    }
    for (String layout : new String[] {"NN", "NT", "TN"}) {
      Double one = g.get("gemm cube " + layout + " 1024 t=1");
      Double two = g.get("gemm cube " + layout + " 1024 t=2");
      if (one != null && two != null) {
        Double pair = g.get("gemm_independent_pair cube " + layout + " 1024 t=2");
        out.add(String.format(java.util.Locale.ROOT, "  cube %s 1024 2 threads / 1 thread  %.2fx  (target >= 1.80x)  %s%s",
            layout, two / one, two / one >= 1.8 ? "met" : "NOT met", pair == null ? ""
                : String.format(java.util.Locale.ROOT, "; two independent 1-thread GEMMs: %.2fx", pair / one)));
      }
    }
    for (String cube : new String[] {"cube NN 512", "cube NN 1024"}) {
      Double kiln = g.get("gemm " + cube + " t=1");
      Double blas = g.get("openblas_sgemm " + cube + " t=1");
      if (kiln != null && blas != null) {
        out.add(String.format(java.util.Locale.ROOT, "  %-22s t=1  Kiln / OpenBLAS %.2fx  (target >= 1.00x)  %s",
            cube, kiln / blas, kiln >= blas ? "met" : "NOT met"));
      }
    }
    return out;
  }

  /** FMA probe iterations per call: ~0.3 ms, like one GEMM call of the mid-sized shapes. */
  private static final long FMA_ITERS = 200_000;
  private static float fmaSink;

  private static String line(String kernel, Shape s, Layout layout, int threads, double gf, double best, double peak) {
    return "{\"kernel\":\"" + kernel + "\",\"layout\":\"" + layout + "\",\"m\":" + s.m() + ",\"n\":" + s.n() + ",\"k\":" + s.k()
        + ",\"threads\":" + threads + ",\"gflops\":" + Timing.fmt(gf) + ",\"gflops_best\":" + Timing.fmt(best)
        + ",\"peak_fraction\":" + String.format(java.util.Locale.ROOT, "%.3f", gf / peak) + ",\"window_fma_peak\":"
        + Timing.fmt(peak) + ",\"shape\":\"" + s.name() + "\"}";
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return x;
  }
}
