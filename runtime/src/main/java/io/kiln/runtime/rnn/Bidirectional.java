package io.kiln.runtime.rnn;

import io.kiln.runtime.At;
import io.kiln.runtime.Checks;

/**
 * The two directions of a bidirectional recurrent layer (PyTorch's {@code bidirectional = True}) and
 * the memory that joins them. The forward direction reads the caller's sequence; the reverse one
 * reads it through a {@link TimeReversal} (from step {@code steps − 1} back to 0, as PyTorch does for
 * an unpacked batch) with weights of its own. The layer's output puts both side by side: every step's
 * {@code [B, T, 2H]} (the reverse direction's step {@code t} being the one computed after reading
 * steps {@code steps − 1 … t}), or the last states' {@code [B, 2H]}, PyTorch's
 * {@code cat([h_n[0], h_n[1]], -1)}. Each direction keeps its own output and working memory, so the
 * join costs one copy of the output forward and of its gradient backward.
 */
final class Bidirectional {
  private final RecurrentLayer forward;
  private final RecurrentLayer reverse;
  private final int input;
  private final int hidden;
  /** Every step's output ({@code [B, T, 2H]}), or only the last state's ({@code [B, 2H]}). */
  private final boolean sequences;
  private final At y;
  private final At dy;
  private final At dx;
  private final float[] reversedX;
  private final float[] forwardOut;
  private final float[] reverseOut;
  private final float[] dForwardOut;
  private final float[] dReverseOut;
  private final float[] dReversedX;

  Bidirectional(RecurrentLayer.Builder b, RecurrentLayer.Builder reverseWeights, int maxBatch, int maxSteps) {
    RecurrentGeometry g = b.g;
    if (b.h0.present() || b.c0.present() || b.cT.present() || b.y.present() && b.hT.present()) {
      throw new IllegalArgumentException("a bidirectional recurrent layer has no initial or handed-over state: its output is"
          + " y [B, T, 2H] or the last states [B, 2H], not both");
    }
    Checks.positive("maxBatch", maxBatch);
    Checks.positive("maxSteps", maxSteps);
    this.input = g.input();
    this.hidden = g.hidden();
    this.sequences = b.y.present();
    this.y = sequences ? b.y : b.hT;
    this.dy = sequences ? b.dy : b.dhT;
    this.dx = b.dx;
    int rows = maxBatch * (sequences ? maxSteps : 1);
    this.reversedX = new float[maxBatch * maxSteps * input];
    this.forwardOut = new float[rows * hidden];
    this.reverseOut = new float[rows * hidden];
    boolean trains = b.dWeightIh != null;
    this.dForwardOut = trains ? new float[rows * hidden] : null;
    this.dReverseOut = trains ? new float[rows * hidden] : null;
    this.dReversedX = trains && dx.present() ? new float[reversedX.length] : null;
    this.forward = direction(b, b, forwardOut, dForwardOut, dx, b.accumulateDx, b.workspace, b.scratch);
    this.reverse = direction(b, reverseWeights, reverseOut, dReverseOut, dReversedX == null ? At.NONE : new At(dReversedX, 0), false,
        new float[b.workspace.length], b.scratch == null ? null : new float[b.scratch.length]);
  }

  /** One direction as a plain layer writing its own output {@code out} and reading its gradient {@code dOut}. */
  private RecurrentLayer direction(RecurrentLayer.Builder layer, RecurrentLayer.Builder weights, float[] out, float[] dOut, At dIn,
      boolean accumulate, float[] workspace, float[] scratch) {
    At o = new At(out, 0);
    RecurrentLayer.Builder d = RecurrentLayer.of(layer.g).weights(weights.weightIh, weights.weightHh).biases(weights.biasIh, weights.biasHh)
        .output(sequences ? o : At.NONE, sequences ? At.NONE : o, At.NONE).workspace(workspace);
    if (dOut != null) {
      At dO = dy.present() ? new At(dOut, 0) : At.NONE;
      d.outputGradients(sequences ? dO : At.NONE, sequences ? At.NONE : dO, At.NONE).inputGradient(dIn, accumulate)
          .weightGradients(weights.dWeightIh, weights.dWeightHh).biasGradients(weights.dBiasIh, weights.dBiasHh).scratch(scratch);
    }
    return d.build();
  }

  void forward(int batch, int steps, float[] x, int xOff) {
    forward.forward(batch, steps, x, xOff);
    TimeReversal.reverse(batch, steps, input, x, xOff, reversedX, 0);
    reverse.forward(batch, steps, reversedX, 0);
    join(batch, sequences ? steps : 1);
  }

  void backward(int batch, int steps, float[] x, int xOff) {
    if (dy.present()) {
      split(batch, sequences ? steps : 1);
    }
    forward.backward(batch, steps, x, xOff);
    reverse.backward(batch, steps, reversedX, 0);
    if (dReversedX != null) {
      TimeReversal.add(batch, steps, input, dReversedX, 0, dx.array(), dx.offset());
    }
  }

  /** {@code y[b, t] = [forward[b, t], reverse[b, rows − 1 − t]]}: the reverse direction back in the caller's step order. */
  private void join(int batch, int rows) {
    float[] out = y.array();
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < rows; t++) {
        int at = y.offset() + (b * rows + t) * 2 * hidden;
        System.arraycopy(forwardOut, (b * rows + t) * hidden, out, at, hidden);
        System.arraycopy(reverseOut, (b * rows + rows - 1 - t) * hidden, out, at + hidden, hidden);
      }
    }
  }

  /** The transpose of {@link #join}: each direction's share of ∂L/∂y, in its own step order. */
  private void split(int batch, int rows) {
    float[] in = dy.array();
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < rows; t++) {
        int at = dy.offset() + (b * rows + t) * 2 * hidden;
        System.arraycopy(in, at, dForwardOut, (b * rows + t) * hidden, hidden);
        System.arraycopy(in, at + hidden, dReverseOut, (b * rows + rows - 1 - t) * hidden, hidden);
      }
    }
  }
}
