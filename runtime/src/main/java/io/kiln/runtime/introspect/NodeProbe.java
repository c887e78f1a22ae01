package io.kiln.runtime.introspect;

import io.kiln.runtime.rnn.RecurrentGeometry;
import io.kiln.runtime.rnn.StepGradients;
import io.kiln.runtime.train.GradientClipping;
import java.util.Optional;

/**
 * What the last introspected step recorded about one node: statistics of its output (captured right
 * after the kernel that wrote it, before the memory plan lets another tensor reuse the memory), the
 * norm of the loss's gradient with respect to that output (captured when backward has finished
 * accumulating it, before an in-place activation derivative overwrites it), and for a recurrent
 * layer the per-step gradient norms ‖∂L/∂h_t‖ ({@link StepGradients}) and, for LSTM and GRU, the
 * gate activations. Values not recorded (yet) are NaN.
 *
 * <p>All statistics are over the whole output of the call: every sample (and step) of the batch.
 * The loss is the batch's loss as {@code computeGradients} returns it (a mean over the batch), so the
 * gradient norms are those of the gradients backward really propagates.
 */
public final class NodeProbe {
  private final String name;
  private final Saturation saturation;
  private final StepGradients stepGradients;
  private final GateActivations gates;
  private double mean = Double.NaN;
  private double std = Double.NaN;
  private double zeroFraction = Double.NaN;
  private double saturatedFraction = Double.NaN;
  private double outputGradientNorm = Double.NaN;

  private NodeProbe(String name, Saturation saturation, StepGradients stepGradients, GateActivations gates) {
    this.name = name;
    this.saturation = saturation;
    this.stepGradients = stepGradients;
    this.gates = gates;
  }

  /** A node without time steps; {@code saturation} is the rule of its activation. */
  public static NodeProbe of(String name, Saturation saturation) {
    return new NodeProbe(name, saturation, null, null);
  }

  /**
   * A recurrent layer: its buffers for per-step norms (and, for an LSTM or GRU, gate activations)
   * are allocated here, once, for {@code maxBatch} × {@code maxSteps}.
   */
  public static NodeProbe recurrent(String name, Saturation saturation, RecurrentGeometry geometry, int maxBatch, int maxSteps) {
    return new NodeProbe(name, saturation, new StepGradients(geometry, maxBatch, maxSteps),
        geometry.kind().isElman() ? null : new GateActivations(geometry, maxBatch, maxSteps));
  }

  // --- recording: called by the generated code while introspection is on -----------------------

  /** Records mean, standard deviation, zero and saturated fractions of {@code n} outputs at {@code off}. */
  public void recordActivations(float[] a, int off, int n) {
    double sum = 0;
    double squares = 0;
    long zeros = 0;
    long saturated = 0;
    for (int i = off; i < off + n; i++) {
      float v = a[i];
      sum += v;
      squares += (double) v * v;
      if (v == 0f) {
        zeros++;
      }
      if (saturation.saturated(v)) {
        saturated++;
      }
    }
    mean = sum / n;
    std = Math.sqrt(Math.max(0, squares / n - mean * mean));
    zeroFraction = (double) zeros / n;
    saturatedFraction = saturation == Saturation.NONE ? Double.NaN : (double) saturated / n;
  }

  /** Records ‖∂L/∂output‖ from the {@code n} floats of the output's gradient at {@code off}. */
  public void recordOutputGradient(float[] g, int off, int n) {
    outputGradientNorm = GradientClipping.globalNorm(g, off, n);
  }

  /** Copies the gate activations from the layer's forward workspace. */
  public void recordGates(float[] workspace, int batch, int steps) {
    if (gates != null) {
      gates.record(workspace, batch, steps);
    }
  }

  /** Records ‖∂L/∂h_t‖ per step; see {@link StepGradients#record}. */
  public void recordStepGradients(int batch, int steps, float[] wHh, int wHhOff, float[] dy, int dyOff, float[] dhT, int dhTOff,
      float[] workspace, float[] scratch) {
    stepGradients.record(batch, steps, wHh, wHhOff, dy, dyOff, dhT, dhTOff, workspace, scratch);
  }

  // --- reading ---------------------------------------------------------------------------------

  public String name() {
    return name;
  }

  /** The rule {@link #saturatedFraction()} uses. */
  public Saturation saturation() {
    return saturation;
  }

  /** The mean of the node's outputs in the last introspected forward pass. */
  public double mean() {
    return mean;
  }

  /** Their standard deviation (population: divided by the count). */
  public double std() {
    return std;
  }

  /** The fraction that is exactly 0: dead units after a ReLU. */
  public double zeroFraction() {
    return zeroFraction;
  }

  /** The fraction saturated by {@link #saturation()}'s rule; NaN when the node has no such rule. */
  public double saturatedFraction() {
    return saturatedFraction;
  }

  /**
   * ‖∂L/∂output‖ over the whole batch (and every step): the gradient backward passes into this node's
   * kernels. For a recurrent layer, the gradient of its outputs only (what later layers send back);
   * see {@link #stepGradientNorms()} for the totals per step.
   */
  public double outputGradientNorm() {
    return outputGradientNorm;
  }

  /** Whether this node is a one-directional recurrent layer, with {@link #stepGradientNorms()} (a bidirectional one has none). */
  public boolean isRecurrent() {
    return stepGradients != null;
  }

  /**
   * ‖∂L/∂h_t‖ for t = 0 … T − 1 of the last introspected backward pass (see {@link StepGradients} for
   * the definition); empty before the first one.
   *
   * @throws IllegalStateException if the node is not a recurrent layer
   */
  public double[] stepGradientNorms() {
    if (stepGradients == null) {
      throw new IllegalStateException(name + " is not a recurrent layer: it has no per-step gradient norms");
    }
    return stepGradients.norms();
  }

  /** An LSTM's or GRU's gate activations; empty for other nodes. */
  public Optional<GateActivations> gates() {
    return Optional.ofNullable(gates);
  }

  @Override
  public String toString() {
    return "NodeProbe[" + name + "]";
  }
}
