package io.kiln.runtime;

/** Training metrics generated models compute on the fly, from memory a step already has. */
public final class Metrics {
  private Metrics() {}

  /**
   * How many of {@code rows} rows of {@code logits} ({@code rows × classes}) have their largest
   * entry (the first, on ties) at the row's label.
   */
  public static int countArgmaxMatches(float[] logits, int off, int[] labels, int labelsOff, int rows, int classes) {
    int correct = 0;
    for (int r = 0; r < rows; r++) {
      correct += argmax(logits, off + r * classes, classes) == labels[labelsOff + r] ? 1 : 0;
    }
    return correct;
  }

  /** The index of the largest of {@code n} floats at {@code off} (the first one on a tie). */
  public static int argmax(float[] values, int off, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) {
      if (values[off + j] > values[off + best]) {
        best = j;
      }
    }
    return best;
  }
}
