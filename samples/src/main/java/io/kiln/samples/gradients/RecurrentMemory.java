package io.kiln.samples.gradients;

import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.Adam;
import io.kiln.tools.LinePlot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Part 2, memory across {@link MemoryNets#STEPS} steps ({@link MemoryTask}): a tanh RNN, an LSTM and
 * a GRU trained alike (Adam, clipped); ‖∂L/∂h_t‖ over t on one fixed batch at the start and after
 * training, and held-out accuracy.
 */
final class RecurrentMemory {
  static final int STEPS = MemoryNets.STEPS;
  static final int BATCH = MemoryNets.BATCH;
  static final float LR = 3e-3f;
  static final int HELD_OUT = 512;
  static final float CARRY_BIAS = 2f;

  /** One cell's numbers: ‖∂L/∂h_t‖ for t = 0 … T − 1. */
  record Cell(String name, double[] startNorms, double[] endNorms, double accuracy) {
    /** ‖∂L/∂h_0‖ / ‖∂L/∂h_{T−1}‖: how much of the last step's gradient reaches the first symbol. */
    double startReach() {
      return startNorms[0] / startNorms[startNorms.length - 1];
    }

    double endReach() {
      return endNorms[0] / endNorms[endNorms.length - 1];
    }
  }

  record Result(List<Cell> cells, String conclusion, Path png) {}

  private RecurrentMemory() {}

  static Result run(int steps, long seed, Path outDir, PrintStream out) throws IOException {
    out.printf(Locale.ROOT, "%n== 2. Memory over %d steps: recall the first of %d symbols after %d distractors; %d Adam steps (lr %s, clip 1) per cell ==%n",
        STEPS, MemoryTask.CLASSES, STEPS - 1, steps, LR);
    List<Cell> cells = new ArrayList<>();
    var rnn = KilnMemoryNets_TanhRnn.create(seed);
    cells.add(train(new Net<>("tanh RNN", rnn, rnn, (x, y, o) -> rnn.trainStep(x, STEPS, y, o), (x, y) -> rnn.computeGradients(x, STEPS, y),
        x -> rnn.classify(x, STEPS)), steps, seed));
    var lstm = KilnMemoryNets_LstmNet.create(seed);
    openCarryGates(lstm.parameter("cell.bias_ih_l0"));
    cells.add(train(new Net<>("LSTM", lstm, lstm, (x, y, o) -> lstm.trainStep(x, STEPS, y, o), (x, y) -> lstm.computeGradients(x, STEPS, y),
        x -> lstm.classify(x, STEPS)), steps, seed));
    var gru = KilnMemoryNets_GruNet.create(seed);
    openCarryGates(gru.parameter("cell.bias_ih_l0"));
    cells.add(train(new Net<>("GRU", gru, gru, (x, y, o) -> gru.trainStep(x, STEPS, y, o), (x, y) -> gru.computeGradients(x, STEPS, y),
        x -> gru.classify(x, STEPS)), steps, seed));

    out.printf(Locale.ROOT, "%-9s %14s %14s %14s %14s %9s%n", "cell", "‖∂L/∂h_0‖", "‖∂L/∂h_49‖", "h_0/h_49 start", "h_0/h_49 end", "accuracy");
    for (Cell c : cells) {
      out.printf(Locale.ROOT, "%-9s %14.3e %14.3e %14.3e %14.3e %8.1f%%%n", c.name(), c.startNorms()[0], c.startNorms()[STEPS - 1],
          c.startReach(), c.endReach(), 100 * c.accuracy());
    }
    LinePlot plot = new LinePlot("‖∂L/∂h_t‖ over the sequence (solid: start, dashed: after training)", "time step t", "‖∂L/∂h_t‖", true);
    double[] t = new double[STEPS];
    for (int i = 0; i < STEPS; i++) {
      t[i] = i;
    }
    for (int i = 0; i < cells.size(); i++) {
      plot.add(cells.get(i).name(), t, cells.get(i).startNorms(), false, i);
      plot.add(cells.get(i).name() + " (end)", t, cells.get(i).endNorms(), true, i);
    }
    Path png = outDir.resolve("recurrent-gradients.png");
    plot.writePng(png);
    String conclusion = conclusion(cells);
    out.println(conclusion);
    out.println("wrote " + png);
    return new Result(cells, conclusion, png);
  }

  /**
   * Starts the gate that carries the state from step to step half-open the other way: the LSTM's
   * forget gate f and the GRU's update gate z at σ({@link #CARRY_BIAS}) ≈ 0.88 instead of σ(0) = 0.5
   * (Keras starts f at σ(1) for the same reason, {@code unit_forget_bias}). Both are the second block
   * of {@link MemoryNets#UNITS} in PyTorch's gate order (i, f, g, o and r, z, n). With 0.5, a trace of
   * step 0 shrinks by 2⁻⁴⁹ before the loss sees it and training never finds it.
   */
  static void openCarryGates(io.kiln.runtime.Parameter bias) {
    float[] b = bias.toArray();
    java.util.Arrays.fill(b, MemoryNets.UNITS, 2 * MemoryNets.UNITS, CARRY_BIAS);
    bias.copyFrom(b);
  }

  private static Cell train(Net<int[]> net, int steps, long seed) {
    Rng rng = new Rng(seed);
    int[] ids = new int[BATCH * STEPS];
    int[] labels = new int[BATCH];
    MemoryTask.fill(rng, ids, labels, BATCH, STEPS);
    int[] probeIds = ids.clone();
    int[] probeLabels = labels.clone();
    double[] start = stepNorms(net, probeIds, probeLabels);
    Adam adam = Adam.builder(LR).clipGlobalNorm(1f).build();
    for (int s = 0; s < steps; s++) {
      MemoryTask.fill(rng, ids, labels, BATCH, STEPS);
      net.step().run(ids, labels, adam);
    }
    double[] end = stepNorms(net, probeIds, probeLabels);
    Rng heldOut = new Rng(seed + 1_000_003);
    int right = 0;
    for (int done = 0; done < HELD_OUT; done += BATCH) {
      MemoryTask.fill(heldOut, ids, labels, BATCH, STEPS);
      right += Math.round(Net.accuracy(net.classify().run(ids), labels, BATCH) * BATCH);
    }
    return new Cell(net.name(), start, end, (double) right / HELD_OUT);
  }

  private static double[] stepNorms(Net<int[]> net, int[] ids, int[] labels) {
    var probes = net.introspect();
    net.gradients().run(ids, labels);
    double[] norms = probes.node("cell").stepGradientNorms();
    net.introspectable().introspect(false);
    return norms;
  }

  static String conclusion(List<Cell> cells) {
    StringBuilder reach = new StringBuilder();
    StringBuilder accuracy = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      Cell c = cells.get(i);
      reach.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1e (%s)", c.startReach(), c.name()));
      accuracy.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.0f %%", c.name(), 100 * c.accuracy()));
    }
    Cell best = cells.stream().max(java.util.Comparator.comparingDouble(Cell::startReach)).orElseThrow();
    Cell worst = cells.stream().min(java.util.Comparator.comparingDouble(Cell::startReach)).orElseThrow();
    return String.format(Locale.ROOT, "conclusion: of the last step's gradient, ‖∂L/∂h_0‖/‖∂L/∂h_49‖ = %s reaches the first symbol at the start "
        + "(the %s keeps %.0e× more of it than the %s); recall accuracy %s (chance %.0f %%)",
        reach, best.name(), best.startReach() / worst.startReach(), worst.name(), accuracy, 100.0 / MemoryTask.CLASSES);
  }

}
