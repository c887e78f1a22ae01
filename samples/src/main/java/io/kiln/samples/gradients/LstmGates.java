package io.kiln.samples.gradients;

import io.kiln.runtime.init.Rng;
import io.kiln.runtime.introspect.GateActivations;
import io.kiln.runtime.introspect.Saturation;
import io.kiln.runtime.train.Adam;
import io.kiln.samples.charlstm.KilnCharLstm;
import io.kiln.samples.text.TextCorpus;
import io.kiln.samples.train.HeatMap;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Part 4, the LSTM's gates: the charlstm model (trained briefly on its default text, as
 * {@code ./kiln charlstm} does) reads a line of Java; each gate's activations over that line are
 * drawn as a heat map, one column per character and one row per unit: the {@link #UNITS} units whose
 * forget gate is most open over the line, the same units in all four maps.
 */
final class LstmGates {
  static final String TEXT = "public static void main(String[] args) {";
  static final int UNITS = 20;
  static final int BATCH = 32;
  static final int WINDOW = 64;

  /** Per gate (i, f, g, o): mean and saturated fraction over the text's steps and all units. */
  record Result(List<String> gates, double[] means, double[] saturated, int steadiestUnit, int steadiestSteps, String conclusion,
      List<Path> pngs) {}

  private LstmGates() {}

  static Result run(String corpus, int steps, long seed, Path outDir, PrintStream out) throws IOException {
    out.printf(Locale.ROOT, "%n== 4. The LSTM's gates: charlstm after %d Adam steps, reading \"%s\" ==%n", steps, TEXT);
    KilnCharLstm model = KilnCharLstm.create(seed);
    int[] ids = TextCorpus.encode(corpus);
    Rng rng = new Rng(seed);
    int[] x = new int[BATCH * WINDOW];
    int[] y = new int[BATCH * WINDOW];
    Adam adam = Adam.builder(2e-3f).clipGlobalNorm(5f).build();
    float loss = Float.NaN;
    for (int s = 0; s < steps; s++) {
      TextCorpus.randomWindows(ids, ids.length, WINDOW, rng, x, y);
      loss = model.trainStep(x, WINDOW, y, adam);
    }
    out.printf(Locale.ROOT, "training loss after %d steps: %.3f%n", steps, loss);
    GateActivations gates = gatesOver(model, TEXT);
    int n = gates.names().size();
    int forget = gates.index("f");
    int[] shown = mostOpenForgetGates(gates, forget, UNITS);
    double[] means = new double[n];
    double[] saturated = new double[n];
    List<Path> pngs = new ArrayList<>();
    String[] chars = TEXT.chars().mapToObj(c -> c == ' ' ? "␣" : Character.toString(c)).toArray(String[]::new);
    String[] units = java.util.Arrays.stream(shown).mapToObj(Integer::toString).toArray(String[]::new);
    for (int k = 0; k < n; k++) {
      means[k] = gates.mean(k);
      saturated[k] = gates.saturatedFraction(k);
      boolean tanh = gates.saturation(k) == Saturation.TANH;
      float[] cells = new float[shown.length * TEXT.length()];
      for (int u = 0; u < shown.length; u++) {
        for (int t = 0; t < TEXT.length(); t++) {
          float v = gates.get(k, 0, t, shown[u]);
          cells[u * TEXT.length() + t] = tanh ? (v + 1) / 2 : v; // the map draws [0, 1]
        }
      }
      String name = gates.names().get(k);
      String title = "charlstm gate " + name + " (" + describe(name) + ")" + (tanh ? ", drawn as (g + 1) / 2" : "")
          + "; the " + shown.length + " units with the most open forget gates";
      Path png = outDir.resolve("lstm-gate-" + name + ".png");
      new HeatMap(title, cells, shown.length, TEXT.length(), units, chars, "unit ↓", "character →").writePng(png);
      pngs.add(png);
      out.printf(Locale.ROOT, "gate %s (%s): mean %.3f, saturated %.1f %%%n", name, describe(name), means[k], 100 * saturated[k]);
    }
    int best = shown[0];
    int bestSteps = openSteps(gates, forget, best);
    int persistent = 0;
    for (int u = 0; u < gates.units(); u++) {
      if (2 * openSteps(gates, forget, u) >= TEXT.length()) {
        persistent++;
      }
    }
    String conclusion = String.format(Locale.ROOT,
        "conclusion: over this line the forget gate averages %.2f (input %.2f, output %.2f, %.1f %% of forget values saturated); "
            + "%d of %d units keep it above 0.9 on at least half the characters, the steadiest (unit %d) on %d of %d",
        means[forget], means[gates.index("i")], means[gates.index("o")], 100 * saturated[forget], persistent, gates.units(), best,
        bestSteps, TEXT.length());
    out.println(conclusion);
    out.println("wrote " + pngs.size() + " heat maps under " + outDir);
    return new Result(gates.names(), means, saturated, best, bestSteps, conclusion, pngs);
  }

  /** How many characters of the line unit {@code u}'s forget gate stays above 0.9 on. */
  static int openSteps(GateActivations gates, int forget, int u) {
    int open = 0;
    for (int t = 0; t < gates.steps(); t++) {
      if (gates.get(forget, 0, t, u) > 0.9f) {
        open++;
      }
    }
    return open;
  }

  /** The {@code count} units whose forget gate has the highest mean over the line, most open first. */
  static int[] mostOpenForgetGates(GateActivations gates, int forget, int count) {
    double[] mean = new double[gates.units()];
    for (int u = 0; u < mean.length; u++) {
      for (int t = 0; t < gates.steps(); t++) {
        mean[u] += gates.get(forget, 0, t, u);
      }
    }
    return java.util.stream.IntStream.range(0, mean.length).boxed()
        .sorted((a, b) -> Double.compare(mean[b], mean[a])).limit(count).mapToInt(Integer::intValue).toArray();
  }

  /** Runs {@code text} through the model with introspection on and returns the gates of that pass. */
  static GateActivations gatesOver(KilnCharLstm model, String text) {
    var probes = model.introspect(true);
    model.forward(TextCorpus.encode(text), text.length());
    model.introspect(false);
    return probes.gates("l");
  }

  static String describe(String gate) {
    return switch (gate) {
      case "i" -> "input";
      case "f" -> "forget";
      case "g" -> "candidate";
      case "o" -> "output";
      default -> gate;
    };
  }
}
