package io.kiln.samples.gradients;

import io.kiln.runtime.data.Batches;
import io.kiln.runtime.data.Dataset;
import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.Sgd;
import io.kiln.samples.gradients.DeepMlps.ReluBatchNormMlp;
import io.kiln.samples.gradients.DeepMlps.ReluMlp;
import io.kiln.samples.gradients.DeepMlps.SigmoidMlp;
import io.kiln.tools.LinePlot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Part 1, vanishing gradients: the same 11-layer MLP as sigmoid with a small N(0, 0.01) start, sigmoid
 * with Xavier, ReLU with He, and ReLU with He plus batch norm. Each layer's weight gradient norm on
 * one fixed batch, at the start and after training (SGD with momentum, the same for all), the ratio
 * first / last layer, the loss curves and the test accuracy.
 */
final class VanishingMlp {
  static final float LR = 0.05f;
  static final float MOMENTUM = 0.9f;
  static final int BATCH = DeepMlps.BATCH;

  /** One variant's numbers; norms are per dense layer h1 … h10, out. */
  record Variant(String name, double[] startNorms, double[] endNorms, double[] losses, double testAccuracy) {
    /** ‖∂L/∂W‖ of the first layer over the last one's, at the start. */
    double startRatio() {
      return startNorms[0] / startNorms[startNorms.length - 1];
    }

    double endRatio() {
      return endNorms[0] / endNorms[endNorms.length - 1];
    }
  }

  record Result(List<Variant> variants, String conclusion, Path gradientsPng, Path lossPng) {}

  private VanishingMlp() {}

  /** The dense layers' parameter prefixes, from the input up: h1, hidden.0.h … hidden.8.h, out. */
  static List<String> layers() {
    List<String> names = new ArrayList<>();
    names.add("h1");
    for (int i = 0; i < DeepMlps.DEPTH - 1; i++) {
      names.add("hidden." + i + ".h");
    }
    names.add("out");
    return names;
  }

  /** The table's name for dense layer {@code l} (0-based): h1 … h10, out. */
  static String label(int l) {
    return l < DeepMlps.DEPTH ? "h" + (l + 1) : "out";
  }

  static Result run(Dataset train, Dataset test, int steps, long seed, Path outDir, PrintStream out) throws IOException {
    out.printf(Locale.ROOT, "%n== 1. Vanishing gradients: %d dense layers of %d units on Fashion-MNIST, %d SGD steps (lr %s, momentum %s) each ==%n",
        DeepMlps.DEPTH + 1, DeepMlps.WIDTH, steps, LR, MOMENTUM);
    List<Variant> variants = new ArrayList<>();
    var small = KilnDeepMlps_SigmoidMlp.create(seed);
    Net<float[]> smallNet = new Net<>("sigmoid, N(0, 0.01)", small, small, small::trainStep, small::computeGradients, small::classify);
    smallNet.gaussianWeights(n -> n.endsWith(".weight"), 0.01, new Rng(seed));
    variants.add(train(smallNet, train, test, steps, seed));
    var xavier = KilnDeepMlps_SigmoidMlp.create(seed);
    variants.add(train(new Net<>("sigmoid, Xavier", xavier, xavier, xavier::trainStep, xavier::computeGradients, xavier::classify),
        train, test, steps, seed));
    var he = KilnDeepMlps_ReluMlp.create(seed);
    variants.add(train(new Net<>("ReLU, He", he, he, he::trainStep, he::computeGradients, he::classify), train, test, steps, seed));
    var bn = KilnDeepMlps_ReluBatchNormMlp.create(seed);
    variants.add(train(new Net<>("ReLU, He + batch norm", bn, bn, bn::trainStep, bn::computeGradients, bn::classify),
        train, test, steps, seed));

    printTable(variants, out);
    Path gradientsPng = outDir.resolve("mlp-gradients.png");
    LinePlot norms = new LinePlot("‖∂L/∂W‖ per dense layer (solid: start, dashed: after training)", "layer (1 = next to the input, 11 = output)",
        "‖∂L/∂W‖", true);
    double[] x = new double[layers().size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 1;
    }
    for (int v = 0; v < variants.size(); v++) {
      norms.add(variants.get(v).name(), x, variants.get(v).startNorms(), false, v);
      norms.add(variants.get(v).name() + " (end)", x, variants.get(v).endNorms(), true, v);
    }
    norms.writePng(gradientsPng);
    Path lossPng = outDir.resolve("mlp-loss.png");
    LinePlot losses = new LinePlot("Training loss of the four deep MLPs", "step", "loss", false);
    for (Variant v : variants) {
      double[] steps1 = new double[v.losses().length];
      for (int i = 0; i < steps1.length; i++) {
        steps1[i] = i + 1;
      }
      losses.add(v.name(), steps1, smooth(v.losses(), 10), false);
    }
    losses.writePng(lossPng);
    String conclusion = conclusion(variants);
    out.println(conclusion);
    out.println("wrote " + gradientsPng + " and " + lossPng);
    return new Result(variants, conclusion, gradientsPng, lossPng);
  }

  private static Variant train(Net<float[]> net, Dataset train, Dataset test, int steps, long seed) {
    Batches batches = Batches.shuffled(train, BATCH, seed);
    batches.startEpoch(1);
    batches.next();
    float[] probeX = batches.features().clone();
    int[] probeY = batches.labels().clone();
    double[] start = layerNorms(net, probeX, probeY);
    Sgd sgd = Sgd.builder(LR).momentum(MOMENTUM).build();
    double[] losses = new double[steps];
    int epoch = 1;
    batches.startEpoch(epoch);
    for (int s = 0; s < steps; s++) {
      if (!batches.next()) {
        batches.startEpoch(++epoch);
        batches.next();
      }
      losses[s] = net.step().run(batches.features(), batches.labels(), sgd);
    }
    double[] end = layerNorms(net, probeX, probeY);
    return new Variant(net.name(), start, end, losses, testAccuracy(net, test));
  }

  /** ‖∂L/∂W‖ of each dense layer's weight on the probe batch. */
  private static double[] layerNorms(Net<float[]> net, float[] x, int[] y) {
    net.gradients().run(x, y);
    return layers().stream().mapToDouble(l -> net.gradientNorm(l + ".weight")).toArray();
  }

  private static double testAccuracy(Net<float[]> net, Dataset test) {
    Batches batches = Batches.sequential(test, BATCH);
    batches.startEpoch(1);
    long right = 0;
    long seen = 0;
    while (batches.next()) {
      int[] predicted = net.classify().run(batches.features());
      right += Math.round(Net.accuracy(predicted, batches.labels(), batches.size()) * batches.size());
      seen += batches.size();
    }
    return (double) right / seen;
  }

  static double[] smooth(double[] v, int window) {
    double[] s = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      int from = Math.max(0, i - window + 1);
      double sum = 0;
      for (int j = from; j <= i; j++) {
        sum += v[j];
      }
      s[i] = sum / (i - from + 1);
    }
    return s;
  }

  private static void printTable(List<Variant> variants, PrintStream out) {
    out.printf(Locale.ROOT, "%-6s", "layer");
    for (Variant v : variants) {
      out.printf(Locale.ROOT, " %23s", v.name());
    }
    out.printf(Locale.ROOT, "%n%-6s", "");
    for (int i = 0; i < variants.size(); i++) {
      out.printf(Locale.ROOT, " %11s %11s", "start", "end");
    }
    out.println();
    for (int l = 0; l < layers().size(); l++) {
      out.printf(Locale.ROOT, "%-6s", label(l));
      for (Variant v : variants) {
        out.printf(Locale.ROOT, " %11.2e %11.2e", v.startNorms()[l], v.endNorms()[l]);
      }
      out.println();
    }
    out.printf(Locale.ROOT, "%-6s", "h1/out");
    for (Variant v : variants) {
      out.printf(Locale.ROOT, " %11.2e %11.2e", v.startRatio(), v.endRatio());
    }
    out.printf(Locale.ROOT, "%n%-6s", "test");
    for (Variant v : variants) {
      out.printf(Locale.ROOT, " %23s", String.format(Locale.ROOT, "%.1f %%", 100 * v.testAccuracy()));
    }
    out.println();
  }

  /** The one-line reading of the numbers: which variants' first layer still learns. */
  static String conclusion(List<Variant> variants) {
    StringBuilder sb = new StringBuilder("conclusion: the first layer's gradient is ");
    for (int i = 0; i < variants.size(); i++) {
      Variant v = variants.get(i);
      sb.append(i == 0 ? "" : i == variants.size() - 1 ? " and " : ", ")
          .append(String.format(Locale.ROOT, "%.1e× the last layer's with %s (%s, test %.0f %%)", v.startRatio(), v.name(),
              verdict(v.startRatio()), 100 * v.testAccuracy()));
    }
    return sb.append(" at the start").toString();
  }

  static String verdict(double ratio) {
    if (!(ratio > 1e-2)) {
      return "vanished";
    }
    return ratio < 0.1 ? "fading" : ratio <= 10 ? "within 10×" : "growing";
  }
}
