package io.kiln.samples.gradients;

import io.kiln.runtime.GradientNorms;
import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.NonFiniteLossException;
import io.kiln.runtime.train.Sgd;
import io.kiln.tools.LinePlot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Part 3, exploding gradients: a ReLU RNN on the memory task whose recurrent weights start large
 * (N(0, (s/√H)²), spectral radius about s), trained with plain SGD three times: without clipping
 * (the generated model's non-finite guard stops it and names the step and node), clipped at τ, and
 * clipped with L2 weight decay λ.
 */
final class ExplodingRnn {
  static final int STEPS = MemoryNets.STEPS;
  static final int BATCH = MemoryNets.BATCH;
  static final double SCALE = 2.0;
  static final float LR = 0.1f;
  static final float TAU = 1f;
  static final float L2 = 1e-2f;
  static final String RECURRENT = "cell.weight_hh_l0";

  /** One run: the global gradient norm and loss per step until it ended; {@code stopped} if the guard fired. */
  record Run(String name, double[] gradientNorms, double[] losses, NonFiniteLossException stopped, double recurrentNorm) {
    boolean finite() {
      return stopped == null && Arrays.stream(losses).allMatch(Double::isFinite);
    }

    double meanLoss(int from, int to) {
      return Arrays.stream(losses, from, to).average().orElse(Double.NaN);
    }
  }

  record Result(List<Run> runs, String conclusion, Path png) {}

  private ExplodingRnn() {}

  static Result run(int steps, long seed, Path outDir, PrintStream out) throws IOException {
    out.printf(Locale.ROOT, "%n== 3. Exploding gradients: a ReLU RNN with recurrent weights N(0, (%.1f/√%d)²), plain SGD lr %s, %d steps ==%n",
        SCALE, MemoryNets.UNITS, LR, steps);
    List<Run> runs = new ArrayList<>();
    runs.add(train("no clipping", new Sgd(LR), steps, seed));
    runs.add(train("clipped at τ = " + TAU, Sgd.builder(LR).clipGlobalNorm(TAU).build(), steps, seed));
    runs.add(train("clipped + L2 λ = " + L2, Sgd.builder(LR).clipGlobalNorm(TAU).weightDecay(L2).build(), steps, seed));
    for (Run r : runs) {
      if (r.stopped() != null) {
        out.printf(Locale.ROOT, "%-22s stopped by the guard: %s%n", r.name(), r.stopped().getMessage());
      } else {
        out.printf(Locale.ROOT, "%-22s %d steps, loss %.3g → %.3g, gradient norm %.3g → %.3g, ‖W_hh‖ %.3g%n", r.name(), r.losses().length,
            r.losses()[0], r.losses()[r.losses().length - 1], r.gradientNorms()[0], r.gradientNorms()[r.gradientNorms().length - 1],
            r.recurrentNorm());
      }
    }
    LinePlot plot = new LinePlot("Global gradient norm per step (before clipping)", "step", "‖∂L/∂θ‖", true);
    for (Run r : runs) {
      double[] x = new double[r.gradientNorms().length];
      for (int i = 0; i < x.length; i++) {
        x[i] = i + 1;
      }
      plot.add(r.name(), x, r.gradientNorms(), false);
    }
    Path png = outDir.resolve("exploding.png");
    plot.writePng(png);
    String conclusion = conclusion(runs);
    out.println(conclusion);
    out.println("wrote " + png);
    return new Result(runs, conclusion, png);
  }

  private static Run train(String name, Sgd sgd, int steps, long seed) {
    var model = KilnMemoryNets_ReluRnn.create(seed);
    Net<int[]> net = new Net<>(name, model, model, (x, y, o) -> model.trainStep(x, STEPS, y, o),
        (x, y) -> model.computeGradients(x, STEPS, y), x -> model.classify(x, STEPS));
    net.gaussianWeights(RECURRENT::equals, SCALE / Math.sqrt(MemoryNets.UNITS), new Rng(seed));
    Rng rng = new Rng(seed);
    int[] ids = new int[BATCH * STEPS];
    int[] labels = new int[BATCH];
    List<Double> norms = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    NonFiniteLossException stopped = null;
    for (int s = 0; s < steps; s++) {
      MemoryTask.fill(rng, ids, labels, BATCH, STEPS);
      try {
        float loss = net.step().run(ids, labels, sgd);
        losses.add((double) loss);
        norms.add(GradientNorms.global(model));
      } catch (NonFiniteLossException e) {
        stopped = e;
        break;
      }
    }
    double recurrentNorm = model.parameter(RECURRENT).valueNorm();
    return new Run(name, norms.stream().mapToDouble(Double::doubleValue).toArray(), losses.stream().mapToDouble(Double::doubleValue).toArray(),
        stopped, recurrentNorm);
  }

  static String conclusion(List<Run> runs) {
    Run free = runs.get(0);
    Run clipped = runs.get(1);
    Run l2 = runs.get(2);
    String first = free.stopped() != null
        ? String.format(Locale.ROOT, "without clipping the gradient norm reached %.1e and the guard stopped training at step %d (%s)",
            Arrays.stream(free.gradientNorms()).max().orElse(Double.NaN), free.stopped().step(), free.stopped().node().orElse("?"))
        : String.format(Locale.ROOT, "without clipping it survived (%s, loss %.3g at the end)", free.finite() ? "finite" : "non-finite",
            free.losses()[free.losses().length - 1]);
    String second = clipped.finite()
        ? String.format(Locale.ROOT, "clipped at τ = %s it stayed finite for all %d steps", TAU, clipped.losses().length)
        : "clipped, it still failed";
    int n = l2.gradientNorms().length;
    int tail = Math.max(1, n / 5);
    double l2Tail = Arrays.stream(l2.gradientNorms(), n - tail, n).average().orElse(Double.NaN);
    double clipTail = Arrays.stream(clipped.gradientNorms(), Math.max(0, clipped.gradientNorms().length - tail), clipped.gradientNorms().length)
        .average().orElse(Double.NaN);
    return String.format(Locale.ROOT, "conclusion: %s; %s; L2 (λ = %s) shrank ‖W_hh‖ to %.2f (%.2f without) and the last %d steps' mean gradient norm to %.2g (%.2g without)",
        first, second, L2, l2.recurrentNorm(), clipped.recurrentNorm(), tail, l2Tail, clipTail);
  }
}
