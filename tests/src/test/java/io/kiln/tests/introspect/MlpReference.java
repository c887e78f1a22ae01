package io.kiln.tests.introspect;

import io.kiln.runtime.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Forward and backward of {@code IntrospectionTest.Mlp} in double precision from its parameters:
 * every layer's output and the loss's gradient with respect to it (the batch's mean cross-entropy).
 */
final class MlpReference {
  private static final String[] LAYERS = {"a", "b", "c", "logits"};
  private static final String[] ACTIVATIONS = {"sigmoid", "relu", "tanh", "none"};

  final List<double[]> outputs = new ArrayList<>();
  final List<double[]> gradients = new ArrayList<>();
  final double loss;

  MlpReference(List<Parameter> params, float[] x, int[] labels, int batch) {
    List<float[]> w = new ArrayList<>();
    List<float[]> bias = new ArrayList<>();
    List<int[]> shapes = new ArrayList<>();
    for (String l : LAYERS) {
      Parameter p = params.stream().filter(q -> q.name().equals(l + ".weight")).findFirst().orElseThrow();
      w.add(p.toArray());
      shapes.add(p.shape());
      bias.add(params.stream().filter(q -> q.name().equals(l + ".bias")).findFirst().orElseThrow().toArray());
    }
    double[] in = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      in[i] = x[i];
    }
    List<double[]> inputs = new ArrayList<>();
    for (int l = 0; l < LAYERS.length; l++) {
      int out = shapes.get(l)[0];
      int width = shapes.get(l)[1];
      double[] y = new double[batch * out];
      for (int b = 0; b < batch; b++) {
        for (int o = 0; o < out; o++) {
          double z = bias.get(l)[o];
          for (int k = 0; k < width; k++) {
            z += w.get(l)[o * width + k] * in[b * width + k];
          }
          y[b * out + o] = switch (ACTIVATIONS[l]) {
            case "sigmoid" -> 1 / (1 + Math.exp(-z));
            case "relu" -> Math.max(z, 0);
            case "tanh" -> Math.tanh(z);
            default -> z;
          };
        }
      }
      inputs.add(in);
      outputs.add(y);
      in = y;
    }
    double[] logits = in;
    int classes = shapes.get(LAYERS.length - 1)[0];
    double total = 0;
    double[] d = new double[logits.length];
    for (int b = 0; b < batch; b++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < classes; k++) {
        max = Math.max(max, logits[b * classes + k]);
      }
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        sum += Math.exp(logits[b * classes + k] - max);
      }
      total += Math.log(sum) + max - logits[b * classes + labels[b]];
      for (int k = 0; k < classes; k++) {
        d[b * classes + k] = (Math.exp(logits[b * classes + k] - max) / sum - (k == labels[b] ? 1 : 0)) / batch;
      }
    }
    loss = total / batch;
    double[][] grads = new double[LAYERS.length][];
    for (int l = LAYERS.length - 1; l >= 0; l--) {
      grads[l] = d; // ∂L/∂(output of layer l)
      int out = shapes.get(l)[0];
      int width = shapes.get(l)[1];
      double[] y = outputs.get(l);
      double[] dz = new double[d.length];
      for (int i = 0; i < d.length; i++) {
        dz[i] = d[i] * switch (ACTIVATIONS[l]) {
          case "sigmoid" -> y[i] * (1 - y[i]);
          case "relu" -> y[i] > 0 ? 1 : 0;
          case "tanh" -> 1 - y[i] * y[i];
          default -> 1;
        };
      }
      double[] dx = new double[batch * width];
      for (int b = 0; b < batch; b++) {
        for (int o = 0; o < out; o++) {
          for (int k = 0; k < width; k++) {
            dx[b * width + k] += dz[b * out + o] * w.get(l)[o * width + k];
          }
        }
      }
      d = dx;
    }
    for (double[] g : grads) {
      gradients.add(g);
    }
  }
}
