package io.kiln.runtime.rnn;

import io.kiln.runtime.simd.RecurrentCells;
import java.util.Objects;

/**
 * The shape of one recurrent layer: cell kind, input features F and hidden size H (gate width
 * {@code G·H} with G = {@link CellKind#gates()}). Sequences are batch-first {@code [B, T, F]}; T
 * may change from call to call, so the sizes that depend on it take {@code (batch, steps)}: plan
 * memory with the largest batch and steps, and any smaller call fits in it.
 *
 * <p>Weights are PyTorch's: {@code weight_ih [G·H, F]}, {@code weight_hh [G·H, H]},
 * {@code bias_ih [G·H]}, {@code bias_hh [G·H]}.
 */
public record RecurrentGeometry(CellKind kind, int input, int hidden) {

  public RecurrentGeometry {
    Objects.requireNonNull(kind, "kind");
    if (input < 1 || hidden < 1) {
      throw new IllegalArgumentException(
          "a recurrent layer needs input >= 1 and hidden >= 1 but has input=" + input + ", hidden=" + hidden);
    }
    // the largest per-step buffer must stay addressable
    if ((long) kind.gates() * hidden * Math.max(input, hidden) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("recurrent layer too large: input=" + input + ", hidden=" + hidden);
    }
  }

  /** {@code G·H}: the width of a gate pre-activation row. */
  public int gateWidth() {
    return kind.gates() * hidden;
  }

  /** {@code G·H·F} floats of {@code weight_ih}. */
  public int weightIhSize() {
    return gateWidth() * input;
  }

  /** {@code G·H·H} floats of {@code weight_hh}. */
  public int weightHhSize() {
    return gateWidth() * hidden;
  }

  /** {@code G·H} floats: the size of {@code bias_ih}, and of {@code bias_hh}. */
  public int biasSize() {
    return gateWidth();
  }

  /** {@code B·T·F}: an input sequence. */
  public int inputSize(int batch, int steps) {
    return size(batch, steps, input);
  }

  /** {@code B·T·H}: the output sequence (every step's hidden state). */
  public int outputSize(int batch, int steps) {
    return size(batch, steps, hidden);
  }

  /** {@code B·H}: one state (h0, hT, c0, cT). */
  public int stateSize(int batch) {
    return size(batch, 1, hidden);
  }

  /**
   * Floats {@link RecurrentLayer#forward} keeps for {@link RecurrentLayer#backward}, per call:
   *
   * <ul>
   *   <li>all kinds: gate activations {@code [B, T, G·H]} and the previous hidden states
   *       {@code [B, T, H]} (row (b, t) holds h_{t−1}, h_{−1} = h0): {@code B·T·(G+1)·H};
   *   <li>LSTM: + the cell states c_t {@code [B, T, H]}: total {@code B·T·6H};
   *   <li>GRU: + {@code W_hn h_{t−1} + b_hn} {@code [B, T, H]} and one step's recurrent product
   *       {@code [B, 3H]}: total {@code B·T·5H + B·3H};
   *   <li>RNN: total {@code B·T·2H};
   *   <li>plus, for every kind, {@code W_hh} packed once per call for the step products:
   *       {@code roundUp(G·H, 64)·H} ({@link #packedRecurrentWeights()}).
   * </ul>
   *
   * <p>charlstm (LSTM, B 32, T 64, F 64, H 256): 3,407,872 floats (13.6 MB).
   */
  public int workspaceFloats(int batch, int steps) {
    long bt = checkedRows(batch, steps);
    long h = hidden;
    long n = bt * (kind.gates() + 1) * h;
    if (kind == CellKind.LSTM) {
      n += bt * h;
    } else if (kind == CellKind.GRU) {
      n += bt * h + (long) batch * 3 * h;
    }
    n += packedRecurrentWeights();
    return toInt(n, "workspace");
  }

  /**
   * Floats of scratch {@link RecurrentLayer#backward} needs (free again when it returns):
   *
   * <ul>
   *   <li>all kinds: gate gradients {@code [B, T, G·H]} and the running {@code dh} {@code [B, H]}:
   *       {@code B·T·G·H + B·H};
   *   <li>LSTM: + the running {@code dc} {@code [B, H]}: total {@code B·T·4H + 2·B·H};
   *   <li>GRU: + the n gate's input-side gradient {@code [B, T, H]}: total {@code B·T·4H + B·H};
   *   <li>RNN: total {@code B·T·H + B·H};
   *   <li>plus, for every kind, {@code W_hh} packed for {@code dh_{t−1} = dGates_t·W_hh}:
   *       {@code roundUp(H, 64)·G·H} ({@link #packedRecurrentWeightsBackward()}).
   * </ul>
   *
   * <p>charlstm (LSTM, B 32, T 64, F 64, H 256): 2,375,680 floats (9.5 MB).
   */
  public int backwardScratchFloats(int batch, int steps) {
    long bt = checkedRows(batch, steps);
    long h = hidden;
    long n = bt * kind.gates() * h + (long) batch * h;
    if (kind == CellKind.LSTM) {
      n += (long) batch * h;
    } else if (kind == CellKind.GRU) {
      n += bt * h;
    }
    n += packedRecurrentWeightsBackward();
    return toInt(n, "backward scratch");
  }

  /** {@code roundUp(G·H, 64)·H}: {@code W_hhᵀ} in micro-kernel panels (forward). */
  public int packedRecurrentWeights() {
    return RecurrentCells.packedFloats(hidden, gateWidth());
  }

  /** {@code roundUp(H, 64)·G·H}: {@code W_hh} in micro-kernel panels (backward). */
  public int packedRecurrentWeightsBackward() {
    return RecurrentCells.packedFloats(gateWidth(), hidden);
  }

  private static long checkedRows(int batch, int steps) {
    if (batch < 1 || steps < 1) {
      throw new IllegalArgumentException("batch and steps must be >= 1 but were batch=" + batch + ", steps=" + steps);
    }
    return (long) batch * steps;
  }

  private int size(int batch, int steps, int width) {
    return toInt(checkedRows(batch, steps) * width, "tensor");
  }

  private int toInt(long n, String what) {
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(what + " of " + n + " floats for " + this + " exceeds a Java array");
    }
    return (int) n;
  }
}
