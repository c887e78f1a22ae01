package io.kiln.runtime.rnn;

import io.kiln.runtime.Checks;

/**
 * Token embedding ({@code torch.nn.Embedding}): a lookup of rows of a {@code [vocab, dim]} table
 * for a {@code [B, T]} batch of integer ids, giving {@code [B, T, dim]}. Row copies forward, row
 * additions backward; nothing allocated. {@link #forwardReference}/{@link #backwardReference} are
 * the naive twins.
 */
public final class Embedding {
  private Embedding() {}

  /**
   * {@code y[b, t, :] = table[ids[b, t], :]}. Every id is checked before anything is written.
   *
   * @param inputName the model input the ids come from, for the error message
   * @throws IllegalArgumentException naming the input, the position and the limit when an id lies
   *     outside {@code [0, vocab)}, e.g. {@code "input 'tokens': id 120 at [3, 17] is outside [0, 96)"}
   */
  public static void forward(String inputName, int batch, int steps, int vocab, int dim, int[] ids, int idsOff,
      float[] table, int tOff, float[] y, int yOff) {
    check(inputName, batch, steps, vocab, dim, ids, idsOff);
    Checks.range("table", table, tOff, (long) vocab * dim);
    Checks.range("y", y, yOff, (long) batch * steps * dim);
    int n = batch * steps;
    for (int p = 0; p < n; p++) {
      System.arraycopy(table, tOff + ids[idsOff + p] * dim, y, yOff + p * dim, dim);
    }
  }

  /** {@code dTable[ids[b, t], :] += dy[b, t, :]}: repeated ids accumulate. */
  public static void backward(int batch, int steps, int vocab, int dim, int[] ids, int idsOff, float[] dy, int dyOff,
      float[] dTable, int dtOff) {
    check("ids", batch, steps, vocab, dim, ids, idsOff);
    Checks.range("dy", dy, dyOff, (long) batch * steps * dim);
    Checks.range("dTable", dTable, dtOff, (long) vocab * dim);
    int n = batch * steps;
    for (int p = 0; p < n; p++) {
      int dst = dtOff + ids[idsOff + p] * dim;
      int src = dyOff + p * dim;
      for (int j = 0; j < dim; j++) {
        dTable[dst + j] += dy[src + j];
      }
    }
  }

  /** The naive twin of {@link #forward}: element by element, no checks beyond Java's. */
  public static void forwardReference(int batch, int steps, int dim, int[] ids, int idsOff, float[] table, int tOff,
      float[] y, int yOff) {
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < steps; t++) {
        int id = ids[idsOff + b * steps + t];
        for (int j = 0; j < dim; j++) {
          y[yOff + (b * steps + t) * dim + j] = table[tOff + id * dim + j];
        }
      }
    }
  }

  /** The naive twin of {@link #backward}. */
  public static void backwardReference(int batch, int steps, int dim, int[] ids, int idsOff, float[] dy, int dyOff,
      float[] dTable, int dtOff) {
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < steps; t++) {
        int id = ids[idsOff + b * steps + t];
        for (int j = 0; j < dim; j++) {
          dTable[dtOff + id * dim + j] += dy[dyOff + (b * steps + t) * dim + j];
        }
      }
    }
  }

  /** Batch, steps and sizes valid, and every id of the {@code [B, T]} block in {@code [0, vocab)}. */
  static void check(String inputName, int batch, int steps, int vocab, int dim, int[] ids, int idsOff) {
    Checks.batchAndSteps(batch, steps);
    if (vocab < 1 || dim < 1) {
      throw new IllegalArgumentException("an embedding needs vocab >= 1 and dim >= 1 but has vocab=" + vocab
          + ", dim=" + dim);
    }
    Checks.range(inputName, ids, idsOff, (long) batch * steps);
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < steps; t++) {
        int id = ids[idsOff + b * steps + t];
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException("input '" + inputName + "': id " + id + " at [" + b + ", " + t
              + "] is outside [0, " + vocab + ")");
        }
      }
    }
  }
}
