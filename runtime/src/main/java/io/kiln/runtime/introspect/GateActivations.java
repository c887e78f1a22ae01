package io.kiln.runtime.introspect;

import io.kiln.runtime.rnn.CellKind;
import io.kiln.runtime.rnn.RecurrentGeometry;
import java.util.List;

/**
 * The gate activations of an LSTM (i, f, g, o) or GRU (r, z, n) layer in the last forward pass run
 * with introspection on, per sample, step and unit, copied from the layer's workspace right after
 * the layer ran (the buffer is allocated once, for the largest batch and steps). Sigmoid gates lie in
 * (0, 1); the candidate g (LSTM) and n (GRU) are tanh, in (−1, 1).
 */
public final class GateActivations {
  private final RecurrentGeometry geometry;
  private final float[] values;
  private int batch;
  private int steps;

  GateActivations(RecurrentGeometry geometry, int maxBatch, int maxSteps) {
    if (geometry.kind().isElman()) {
      throw new IllegalArgumentException("an Elman RNN has no gates");
    }
    this.geometry = geometry;
    this.values = new float[maxBatch * maxSteps * geometry.gateWidth()];
  }

  void record(float[] workspace, int batch, int steps) {
    System.arraycopy(workspace, 0, values, 0, batch * steps * geometry.gateWidth());
    this.batch = batch;
    this.steps = steps;
  }

  /** {@code i, f, g, o} for the LSTM, {@code r, z, n} for the GRU: PyTorch's gate order. */
  public List<String> names() {
    return geometry.kind() == CellKind.LSTM ? List.of("i", "f", "g", "o") : List.of("r", "z", "n");
  }

  /** The index of gate {@code name} in {@link #names()}. */
  public int index(String name) {
    int i = names().indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no gate '" + name + "'; a " + geometry.kind() + " has " + String.join(", ", names()));
    }
    return i;
  }

  public int batch() {
    return batch;
  }

  public int steps() {
    return steps;
  }

  public int units() {
    return geometry.hidden();
  }

  /** The activation of gate {@code gate} for sample {@code sample} at step {@code step}, unit {@code unit}. */
  public float get(int gate, int sample, int step, int unit) {
    if (gate < 0 || gate >= names().size() || sample < 0 || sample >= batch || step < 0 || step >= steps
        || unit < 0 || unit >= units()) {
      throw new IndexOutOfBoundsException("gate " + gate + ", sample " + sample + ", step " + step + ", unit " + unit
          + " outside " + names().size() + " gates × " + batch + " samples × " + steps + " steps × " + units() + " units");
    }
    return values[(sample * steps + step) * geometry.gateWidth() + gate * units() + unit];
  }

  /** Gate {@code gate} of sample {@code sample} as a {@code [steps, units]} row-major matrix (a copy). */
  public float[] matrix(int gate, int sample) {
    float[] m = new float[steps * units()];
    for (int t = 0; t < steps; t++) {
      for (int j = 0; j < units(); j++) {
        m[t * units() + j] = get(gate, sample, t, j);
      }
    }
    return m;
  }

  /** How the gate saturates: tanh for g (LSTM) and n (GRU), sigmoid for the others. */
  public Saturation saturation(int gate) {
    return gate == 2 ? Saturation.TANH : Saturation.SIGMOID;
  }

  /** The mean of gate {@code gate} over samples, steps and units. */
  public double mean(int gate) {
    double sum = 0;
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < steps; t++) {
        for (int j = 0; j < units(); j++) {
          sum += get(gate, b, t, j);
        }
      }
    }
    return sum / ((double) batch * steps * units());
  }

  /** The fraction of gate {@code gate}'s values that are saturated (see {@link Saturation}). */
  public double saturatedFraction(int gate) {
    Saturation rule = saturation(gate);
    long count = 0;
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < steps; t++) {
        for (int j = 0; j < units(); j++) {
          if (rule.saturated(get(gate, b, t, j))) {
            count++;
          }
        }
      }
    }
    return count / ((double) batch * steps * units());
  }
}
