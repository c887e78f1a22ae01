package io.kiln.tests.introspect;

import io.kiln.runtime.Parameter;
import java.util.List;

/**
 * A scalar, double-precision twin of the introspection tests' sequence models (embedding, one
 * recurrent layer, a per-step dense layer, softmax cross-entropy averaged over every position), read
 * from a generated model's parameters. It can add ε to one hidden-state element h_t[b, j] after step
 * t computes it, so finite differences give ∂L/∂h_t directly, and it keeps every gate activation.
 */
final class RecurrentReference {
  enum Cell { RNN, LSTM, GRU }

  private final Cell cell;
  private final int dim;
  private final int hidden;
  private final int classes;
  private final float[] emb;
  private final float[] wIh;
  private final float[] wHh;
  private final float[] bIh;
  private final float[] bHh;
  private final float[] wOut;
  private final float[] bOut;
  /** The gates of the last {@link #loss} call, [B, T, G·H] (activated, PyTorch's order). */
  double[] gates;

  RecurrentReference(Cell cell, List<Parameter> params, int dim, int hidden, int classes) {
    this.cell = cell;
    this.dim = dim;
    this.hidden = hidden;
    this.classes = classes;
    this.emb = find(params, "emb.weight");
    this.wIh = find(params, "cell.weight_ih_l0");
    this.wHh = find(params, "cell.weight_hh_l0");
    this.bIh = find(params, "cell.bias_ih_l0");
    this.bHh = find(params, "cell.bias_hh_l0");
    this.wOut = find(params, "out.weight");
    this.bOut = find(params, "out.bias");
  }

  private static float[] find(List<Parameter> params, String name) {
    return params.stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no parameter " + name + " in " + params)).toArray();
  }

  int gateCount() {
    return switch (cell) {
      case RNN -> 1;
      case LSTM -> 4;
      case GRU -> 3;
    };
  }

  /** The loss; with {@code eps != 0}, h_{atStep}[sample, unit] is moved by eps once computed. */
  double loss(int[] ids, int batch, int steps, int[] labels, int atStep, int sample, int unit, double eps) {
    int h = hidden;
    int g = gateCount() * h;
    gates = new double[batch * steps * g];
    double total = 0;
    for (int b = 0; b < batch; b++) {
      double[] state = new double[h];
      double[] c = new double[h];
      for (int t = 0; t < steps; t++) {
        int token = ids[b * steps + t];
        double[] x = new double[dim];
        for (int k = 0; k < dim; k++) {
          x[k] = emb[token * dim + k];
        }
        double[] in = affine(wIh, bIh, x, g, dim);
        double[] rec = affine(wHh, bHh, state, g, h);
        double[] next = new double[h];
        int row = (b * steps + t) * g;
        for (int j = 0; j < h; j++) {
          switch (cell) {
            case RNN -> {
              next[j] = Math.tanh(in[j] + rec[j]);
              gates[row + j] = next[j];
            }
            case LSTM -> {
              double i = sigmoid(in[j] + rec[j]);
              double f = sigmoid(in[h + j] + rec[h + j]);
              double gg = Math.tanh(in[2 * h + j] + rec[2 * h + j]);
              double o = sigmoid(in[3 * h + j] + rec[3 * h + j]);
              c[j] = f * c[j] + i * gg;
              next[j] = o * Math.tanh(c[j]);
              gates[row + j] = i;
              gates[row + h + j] = f;
              gates[row + 2 * h + j] = gg;
              gates[row + 3 * h + j] = o;
            }
            case GRU -> {
              double r = sigmoid(in[j] + rec[j]);
              double z = sigmoid(in[h + j] + rec[h + j]);
              double n = Math.tanh(in[2 * h + j] + r * rec[2 * h + j]);
              next[j] = (1 - z) * n + z * state[j];
              gates[row + j] = r;
              gates[row + h + j] = z;
              gates[row + 2 * h + j] = n;
            }
          }
        }
        if (t == atStep && b == sample) {
          next[unit] += eps;
        }
        state = next;
        double[] logits = affine(wOut, bOut, state, classes, h);
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
          max = Math.max(max, l);
        }
        double sum = 0;
        for (double l : logits) {
          sum += Math.exp(l - max);
        }
        total += Math.log(sum) + max - logits[labels[b * steps + t]];
      }
    }
    return total / (batch * steps);
  }

  private static double[] affine(float[] w, float[] bias, double[] x, int rows, int cols) {
    double[] y = new double[rows];
    for (int r = 0; r < rows; r++) {
      double s = bias[r];
      for (int k = 0; k < cols; k++) {
        s += w[r * cols + k] * x[k];
      }
      y[r] = s;
    }
    return y;
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** ‖∂L/∂h_t‖ over the batch, by central differences of {@link #loss}. */
  double[] stepGradientNorms(int[] ids, int batch, int steps, int[] labels) {
    double eps = 1e-5;
    double[] norms = new double[steps];
    for (int t = 0; t < steps; t++) {
      double sum = 0;
      for (int b = 0; b < batch; b++) {
        for (int j = 0; j < hidden; j++) {
          double d = (loss(ids, batch, steps, labels, t, b, j, eps) - loss(ids, batch, steps, labels, t, b, j, -eps)) / (2 * eps);
          sum += d * d;
        }
      }
      norms[t] = Math.sqrt(sum);
    }
    return norms;
  }
}
