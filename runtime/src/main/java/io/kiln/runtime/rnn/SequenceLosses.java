package io.kiln.runtime.rnn;

import io.kiln.runtime.simd.ElementwiseKernels;
import java.util.Arrays;

/** Per-position losses over sequences where some positions (padding) carry an ignored label. */
public final class SequenceLosses {
  private SequenceLosses() {}

  /**
   * Softmax cross-entropy over {@code rows × classes} logits, skipping rows whose label is
   * {@code ignoreIndex}: they get zero gradient, and the mean is over the other rows (PyTorch's
   * {@code ignore_index}). Returns 0 when every row is ignored. {@code dLogits} may be null.
   */
  public static float softmaxCrossEntropy(ElementwiseKernels ops, float[] dLogits, int dOff, float[] logits, int lOff,
      int[] labels, int labelsOff, int rows, int classes, int ignoreIndex) {
    int counted = 0;
    double sum = 0;
    for (int r = 0; r < rows; r++) {
      if (labels[labelsOff + r] == ignoreIndex) {
        if (dLogits != null) {
          Arrays.fill(dLogits, dOff + r * classes, dOff + (r + 1) * classes, 0f);
        }
        continue;
      }
      counted++;
      sum += ops.softmaxCrossEntropy(dLogits, dOff + r * classes, logits, lOff + r * classes, labels, labelsOff + r, 1, classes);
    }
    if (counted == 0) {
      return 0f;
    }
    if (dLogits != null && counted > 1) {
      float scale = 1f / counted;
      for (int r = 0; r < rows; r++) {
        if (labels[labelsOff + r] != ignoreIndex) {
          for (int c = 0; c < classes; c++) {
            dLogits[dOff + r * classes + c] *= scale;
          }
        }
      }
    }
    return (float) (sum / counted);
  }
}
