package io.kiln.runtime.rnn;

import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.gemm.LeadingDimensions;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;

/**
 * The per-step gradient norms ‖∂L/∂h_t‖ of a recurrent layer, rebuilt after {@link Recurrent#backward}
 * from what it leaves behind, so backpropagation itself carries no extra work: the gate gradients of
 * every step (the scratch's first {@code [B, T, G·H]} floats), the gate activations (the workspace's
 * first {@code [B, T, G·H]}) and the output gradients it read.
 *
 * <p>∂L/∂h_t is the total derivative of the batch's loss with respect to the hidden state of step t:
 * what the layer's outputs pass back ({@code dy_t}, plus {@code dhT} at the last step) and what flows
 * through the next step, {@code dGates_{t+1} · W_hh} (for the GRU also {@code z_{t+1} ⊙ ∂L/∂h_{t+1}},
 * its direct path). Its norm is taken over the whole batch: {@code ‖∂L/∂h_t‖ = √(Σ_b Σ_j (∂L/∂h_{t,b,j})²)}.
 * Allocates its buffers once, for the largest batch and steps.
 */
public final class StepGradients {
  private static final GemmKernel GEMM = Vectorization.provider().gemm();

  private final RecurrentGeometry geometry;
  private final int maxBatch;
  private final int maxSteps;
  private final float[] total;
  private final float[] product;
  private final double[] norms;
  private int steps;
  /** Step t's rows of the gate gradients {@code [B, T, G·H]}; rebuilt only when the step count changes. */
  private LeadingDimensions stepRows = LeadingDimensions.PACKED;

  public StepGradients(RecurrentGeometry geometry, int maxBatch, int maxSteps) {
    this.geometry = geometry;
    this.maxBatch = maxBatch;
    this.maxSteps = maxSteps;
    this.total = new float[maxBatch * geometry.hidden()];
    this.product = new float[maxBatch * geometry.hidden()];
    this.norms = new double[maxSteps];
  }

  /**
   * Records ‖∂L/∂h_t‖ for every step of the backward pass that just ran.
   *
   * @param dy {@code [B, T, H]} the output gradient the backward read, or null
   * @param dhT {@code [B, H]} the final-state gradient it read, or null
   * @param workspace the forward workspace (gate activations at its start)
   * @param scratch the backward scratch (gate gradients at its start)
   */
  public void record(int batch, int steps, float[] wHh, int wHhOff, float[] dy, int dyOff, float[] dhT, int dhTOff,
      float[] workspace, float[] scratch) {
    if (batch > maxBatch || steps > maxSteps) {
      throw new IllegalArgumentException("StepGradients planned for " + maxBatch + " × " + maxSteps + " but got " + batch + " × " + steps);
    }
    int h = geometry.hidden();
    int gh = geometry.gateWidth();
    int ldg = steps * gh;
    boolean gru = geometry.kind() == CellKind.GRU;
    if (stepRows.a() != ldg) {
      stepRows = new LeadingDimensions(ldg, 0, 0);
    }
    for (int t = steps - 1; t >= 0; t--) {
      boolean last = t == steps - 1;
      double sum = 0;
      for (int b = 0; b < batch; b++) {
        int zRow = (b * steps + t + 1) * gh + h; // the GRU's z at step t + 1
        for (int j = 0; j < h; j++) {
          int i = b * h + j;
          float v = dy == null ? 0f : dy[dyOff + (b * steps + t) * h + j];
          if (last) {
            v += dhT == null ? 0f : dhT[dhTOff + i];
          } else {
            v += product[i];
            if (gru) {
              v += workspace[zRow + j] * total[i];
            }
          }
          total[i] = v;
          sum += (double) v * v;
        }
      }
      norms[t] = Math.sqrt(sum);
      if (t > 0) {
        GEMM.gemm(Layout.NN, batch, h, gh, scratch, t * gh, wHh, wHhOff, product, 0, Epilogue.NONE, stepRows);
      }
    }
    Arrays.fill(norms, steps, maxSteps, Double.NaN);
    this.steps = steps;
  }

  /** The steps of the last recorded pass. */
  public int steps() {
    return steps;
  }

  /** ‖∂L/∂h_t‖ of the last recorded pass, for t = 0 … steps − 1 (a copy). */
  public double[] norms() {
    return Arrays.copyOf(norms, steps);
  }
}
