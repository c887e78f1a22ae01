package io.kiln.samples.perceptron;

import io.kiln.runtime.train.Sgd;
import io.kiln.samples.train.Args;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The perceptron of the notes on the logic gates: the perceptron rule learns AND and OR (100% on
 * the truth table) and never converges on XOR, which is not linearly separable; two {@code @Dense}
 * layers then learn XOR.
 */
public final class PerceptronSample {
  /** The four rows of a two-input truth table, one sample each. */
  static final float[][] INPUTS = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  static final float[] AND = {0, 0, 0, 1};
  static final float[] OR = {0, 1, 1, 1};
  static final float[] XOR = {0, 1, 1, 0};
  static final float[] ALL_INPUTS = {0, 0, 0, 1, 1, 0, 1, 1};

  /** How a gate's training ended: the epoch of the first error-free pass (0 if none) and the final truth-table score. */
  record GateResult(String gate, int convergedAfter, int epochs, int correct, float[] weights, float bias) {
    boolean converged() {
      return convergedAfter > 0;
    }
  }

  private PerceptronSample() {}

  /** {@code ./kiln perceptron}: takes no options. */
  public static void command(String[] args, PrintStream out) {
    Args.parse("perceptron", args);
    run(out);
  }

  static void run(PrintStream out) {
    out.println("Kiln perceptron sample");
    out.println();
    workedExample(out);
    out.println();
    out.println("The perceptron rule w += η(y − ŷ)x, b += η(y − ŷ) with η = 0.1, one sample at a time:");
    for (GateResult r : new GateResult[] {trainGate("AND", AND, 100), trainGate("OR", OR, 100), trainGate("XOR", XOR, 100)}) {
      String weights = String.format(Locale.ROOT, "w = (%.1f, %.1f), b = %.1f", r.weights()[0], r.weights()[1], r.bias());
      if (r.converged()) {
        out.printf(Locale.ROOT, "  %-3s converged after %d epochs: %s; truth table %d/4 correct (%d%%)%n",
            r.gate(), r.convergedAfter(), weights, r.correct(), r.correct() * 25);
      } else {
        out.printf(Locale.ROOT, "  %-3s did NOT converge in %d epochs: %s; truth table %d/4 correct (%d%%)."
                + " A single perceptron cannot learn XOR: no line separates its classes.%n",
            r.gate(), r.epochs(), weights, r.correct(), r.correct() * 25);
      }
    }
    out.println();
    XorResult xor = trainXorNet(7L, 5000);
    out.printf(Locale.ROOT, "Two @Dense layers (2 → 8 tanh → 1, sigmoid + binary cross-entropy, SGD lr 1.0) on XOR:%n");
    out.printf(Locale.ROOT, "  loss %.4f after %d steps; predictions", xor.loss(), xor.steps());
    for (int i = 0; i < 4; i++) {
      out.printf(Locale.ROOT, " %s→%.2f", (int) INPUTS[i][0] + "" + (int) INPUTS[i][1], xor.probabilities()[i]);
    }
    out.printf(Locale.ROOT, "; truth table %d/4 correct (%d%%)%n", xor.correct(), xor.correct() * 25);
  }

  /** The notes' worked example, computed by the generated model. */
  static void workedExample(PrintStream out) {
    KilnPerceptron p = KilnPerceptron.create(0);
    p.parameter("y.weight").copyFrom(new float[] {0.5f, -0.6f});
    p.parameter("y.bias").set(0.2f, 0);
    float y = p.forward(new float[] {1, 2}).get(0, 0);
    out.printf(Locale.ROOT, "Worked example: w = (0.5, −0.6), b = 0.2, x = (1, 2): z = 0.5·1 − 0.6·2 + 0.2 = −0.5, so ŷ = step(z) = %d%n", (int) y);
  }

  /** Trains a zero-initialized perceptron on one gate until an epoch has no error, or {@code maxEpochs}. */
  static GateResult trainGate(String name, float[] targets, int maxEpochs) {
    KilnPerceptron p = KilnPerceptron.create(0);
    Sgd rule = new Sgd(0.1f);
    float[] x = new float[2];
    float[] t = new float[1];
    int converged = 0;
    int epoch = 0;
    while (epoch < maxEpochs && converged == 0) {
      epoch++;
      float errors = 0;
      for (int i = 0; i < 4; i++) {
        System.arraycopy(INPUTS[i], 0, x, 0, 2);
        t[0] = targets[i];
        errors += p.trainStep(x, t, rule); // the loss is the fraction misclassified: 0 or 1 here
      }
      if (errors == 0) {
        converged = epoch;
      }
    }
    float[] yHat = p.forward(ALL_INPUTS).toArray();
    int correct = 0;
    for (int i = 0; i < 4; i++) {
      correct += yHat[i] == targets[i] ? 1 : 0;
    }
    return new GateResult(name, converged, epoch, correct, p.parameter("y.weight").toArray(), p.parameter("y.bias").get(0));
  }

  /** The result of training {@link XorNet}. */
  record XorResult(float loss, long steps, float[] probabilities, int correct) {}

  /** Full-batch SGD on the four XOR rows until the loss is below 0.02 or {@code maxSteps}. */
  static XorResult trainXorNet(long seed, int maxSteps) {
    KilnXorNet net = KilnXorNet.create(seed);
    Sgd sgd = new Sgd(1.0f);
    float loss = Float.NaN;
    while (net.steps() < maxSteps) {
      loss = net.trainStep(ALL_INPUTS, XOR, sgd);
      if (loss < 0.02f) {
        break;
      }
    }
    float[] probabilities = net.predict(ALL_INPUTS);
    int correct = 0;
    for (int i = 0; i < 4; i++) {
      correct += (probabilities[i] >= 0.5f ? 1f : 0f) == XOR[i] ? 1 : 0;
    }
    return new XorResult(loss, net.steps(), probabilities, correct);
  }
}
