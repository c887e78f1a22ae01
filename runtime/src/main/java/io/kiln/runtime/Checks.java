package io.kiln.runtime;

import io.kiln.runtime.train.NonFiniteLossException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Run-time argument checks called by generated models at the top of {@code forward} and
 * {@code trainStep}. Shapes are checked at build time; what remains is what only the caller's
 * data can get wrong: batch size, label ranges, non-finite values. Messages name the model,
 * method and input, what was expected and what was passed, because they are the first thing a
 * user reads.
 *
 * <p>The kernels' own argument checks live here too ({@link #range}, {@link #optionalRange},
 * {@link #positive}, ...): clear messages instead of a bare {@code ArrayIndexOutOfBoundsException}
 * mid-loop. None allocates unless it throws (no varargs), so kernels call them on every step.
 */
public final class Checks {
  private Checks() {}

  /**
   * Checks a flat input batch and returns its batch size.
   *
   * @param model the model's name, e.g. {@code "XorNet"}
   * @param method the method being called, e.g. {@code "forward"}
   * @param input the input's declared name, e.g. {@code "x"}
   * @param x the caller's data, {@code batch × prod(sampleShape)} floats
   * @param sampleShape the shape of one sample (without the batch)
   * @param maxBatch the model's {@code @Model(maxBatch)}
   * @return the batch size, in {@code [1, maxBatch]}
   * @throws NullPointerException if {@code x} is null
   * @throws IllegalArgumentException if x is empty, not a whole number of samples, or too large
   */
  public static int batchOf(String model, String method, String input, float[] x, int[] sampleShape, int maxBatch) {
    // Messages are built only on failure: this runs on every training step and must not allocate.
    if (x == null) {
      throw new NullPointerException(inputWhere(model, method, input) + " is null");
    }
    long sample = sizeOf(sampleShape);
    if (sample <= 0) {
      throw new IllegalArgumentException(inputWhere(model, method, input) + " has an empty sample shape " + Arrays.toString(sampleShape));
    }
    if (x.length == 0) {
      throw new IllegalArgumentException(
          inputWhere(model, method, input) + " is empty; pass at least one sample of shape " + Arrays.toString(sampleShape));
    }
    if (x.length % sample != 0) {
      throw new IllegalArgumentException(
          inputWhere(model, method, input) + " has " + x.length + " floats, which is not a whole number of samples of shape "
              + Arrays.toString(sampleShape) + " (" + sample + " floats each)");
    }
    long batch = x.length / sample;
    if (batch > maxBatch) {
      throw new IllegalArgumentException(
          inputWhere(model, method, input) + " holds a batch of " + batch + " samples but @Model(maxBatch = " + maxBatch
              + ") allows at most " + maxBatch + "; split it or raise maxBatch");
    }
    return (int) batch;
  }

  /**
   * Checks integer class labels: one per sample, each in {@code [0, classes)}.
   *
   * @param labels the labels' declared name, e.g. {@code "label"}
   * @throws NullPointerException if {@code y} is null
   * @throws IllegalArgumentException if the count differs from the batch or a label is out of range
   */
  public static void classLabels(String model, String method, String labels, int[] y, int batch, int classes) {
    labels(model, method, labels, y, batch, "samples", classes, false, 0);
  }

  /**
   * Checks per-step class labels of a sequence model: one per position ({@code batch × steps}),
   * each in {@code [0, classes)}.
   *
   * @throws NullPointerException if {@code y} is null
   * @throws IllegalArgumentException if the count differs or a label is out of range
   */
  public static void sequenceLabels(String model, String method, String labels, int[] y, int positions, int classes) {
    labels(model, method, labels, y, positions, "positions", classes, false, 0);
  }

  /**
   * Checks class labels of a loss declared with {@code ignoreIndex}: one per position, each in
   * {@code [0, classes)} or equal to {@code ignoreIndex} (a position to skip). Any int may be the
   * ignore index: there is no "none" value here, a loss without one calls {@link #classLabels} or
   * {@link #sequenceLabels}.
   *
   * @throws NullPointerException if {@code y} is null
   * @throws IllegalArgumentException if the count differs or a label is neither in range nor ignored
   */
  public static void labelsWithIgnore(String model, String method, String labels, int[] y, int count, int classes, int ignoreIndex) {
    labels(model, method, labels, y, count, "positions", classes, true, ignoreIndex);
  }

  private static void labels(String model, String method, String labels, int[] y, int count, String unit, int classes,
      boolean ignores, int ignoreIndex) {
    if (y == null) {
      throw new NullPointerException(model + "." + method + ": labels '" + labels + "' is null");
    }
    if (y.length != count) {
      throw new IllegalArgumentException(
          model + "." + method + ": labels '" + labels + "' has " + y.length + " entries but the batch has " + count + " " + unit);
    }
    for (int i = 0; i < y.length; i++) {
      if ((y[i] < 0 || y[i] >= classes) && !(ignores && y[i] == ignoreIndex)) {
        throw new IllegalArgumentException(model + "." + method + ": " + labels + "[" + i + "] = " + y[i] + " is outside [0, "
            + classes + ")" + (ignores ? " and is not the ignore index " + ignoreIndex : ""));
      }
    }
  }

  /**
   * Checks token ids, {@code batch × steps} of them, against a vocabulary, before any layer reads
   * them.
   *
   * @throws IllegalArgumentException naming model, method, input, position and value for the first
   *     id outside {@code [0, vocab)}
   */
  public static void tokenIds(String model, String method, String input, int[] ids, int batch, int steps, int vocab) {
    int n = batch * steps;
    for (int i = 0; i < n; i++) {
      if (ids[i] < 0 || ids[i] >= vocab) {
        throw new IllegalArgumentException(inputWhere(model, method, input) + ": id " + ids[i] + " at [" + i / steps + ", "
            + i % steps + "] is outside the vocabulary [0, " + vocab + ")");
      }
    }
  }

  /**
   * Checks that the first {@code count} floats of an input are finite: a NaN or infinite input
   * makes every output NaN or its argmax arbitrary, which a prediction must not return silently.
   *
   * @throws IllegalArgumentException naming model, method, input, the first bad index and its value
   */
  public static void finiteInput(String model, String method, String input, float[] x, int count) {
    int at = firstNonFinite(x, 0, count);
    if (at >= 0) {
      throw new IllegalArgumentException(inputWhere(model, method, input) + "[" + at + "] is " + x[at]
          + "; inputs must be finite (replace or drop missing values before calling)");
    }
  }

  /**
   * Checks float targets (for binary cross-entropy, MSE, the perceptron): {@code batch ×
   * prod(sampleShape)} values, all finite.
   *
   * @throws NullPointerException if {@code t} is null
   * @throws IllegalArgumentException if the length is wrong or a value is NaN or infinite
   */
  public static void targets(String model, String method, String labels, float[] t, int batch, int[] sampleShape) {
    if (t == null) {
      throw new NullPointerException(model + "." + method + ": targets '" + labels + "' is null");
    }
    long expected = (long) batch * sizeOf(sampleShape);
    if (t.length != expected) {
      throw new IllegalArgumentException(
          model + "." + method + ": targets '" + labels + "' has " + t.length + " floats but a batch of " + batch
              + " samples of shape " + Arrays.toString(sampleShape) + " needs " + expected);
    }
    for (int i = 0; i < t.length; i++) {
      if (!Float.isFinite(t[i])) {
        throw new IllegalArgumentException(model + "." + method + ": " + labels + "[" + i + "] = " + t[i] + " is not a finite number");
      }
    }
  }

  /**
   * Stops training on a NaN or infinite loss.
   *
   * @param step the training step that produced {@code loss}
   * @throws NonFiniteLossException if {@code loss} is NaN or infinite
   */
  public static void finiteLoss(String model, float loss, long step) {
    if (!Float.isFinite(loss)) {
      throw new NonFiniteLossException(model, loss, step);
    }
  }

  /**
   * Stops training on a NaN or infinite loss, naming the node where the first non-finite value
   * appeared (found by the caller, e.g. with {@link #firstNonFinite} over each node in execution
   * order).
   *
   * @param node the node, e.g. {@code "c2"}
   * @param nodeShape its shape as it should read, e.g. {@code "[B, 16, 10, 10]"}
   * @param phase the pass that computed it
   * @throws NonFiniteLossException if {@code loss} is NaN or infinite
   */
  public static void finiteLoss(String model, float loss, long step, String node, String nodeShape,
      NonFiniteLossException.Phase phase) {
    if (!Float.isFinite(loss)) {
      throw new NonFiniteLossException(model, loss, step, node, nodeShape, phase);
    }
  }

  /**
   * The index (relative to {@code off}) of the first NaN or infinite value in
   * {@code a[off .. off + n)}, or −1 if all are finite.
   *
   * @throws IndexOutOfBoundsException if the range is outside {@code a}
   */
  public static int firstNonFinite(float[] a, int off, int n) {
    java.util.Objects.checkFromIndexSize(off, n, a.length);
    for (int i = 0; i < n; i++) {
      // x − x is 0 for finite x and NaN for NaN and ±∞: one subtraction, no branch on the class
      float x = a[off + i];
      if (x - x != 0f) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Formats a node's shape with a symbolic batch dimension for messages: {@code [B, 16, 10, 10]}
   * for {@code sampleShape = {16, 10, 10}}, or {@code [16, 10, 10]} when {@code batch} is false
   * (a parameter or its gradient).
   */
  public static String shapeText(int[] sampleShape, boolean batch) {
    StringBuilder b = new StringBuilder("[");
    if (batch) {
      b.append('B');
    }
    for (int d : sampleShape) {
      if (b.length() > 1) {
        b.append(", ");
      }
      b.append(d);
    }
    return b.append(']').toString();
  }

  private static long sizeOf(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /**
   * Checks a sequence input of {@code length} elements holding {@code steps} steps of
   * {@code stepSize} each per sample; returns the batch.
   */
  public static int sequenceBatchOf(String model, String method, String input, int length, int steps, int stepSize,
      int maxSteps, int maxBatch) {
    if (steps < 1 || steps > maxSteps) {
      throw new IllegalArgumentException(inputWhere(model, method, input) + " has " + steps
          + " steps but sequences must have 1 to " + maxSteps + " (the declared maximum); split longer ones");
    }
    long perSample = (long) steps * stepSize;
    if (length == 0 || length % perSample != 0) {
      throw new IllegalArgumentException(inputWhere(model, method, input) + " has " + length
          + " elements, which is not a whole number of samples of " + steps + " steps × " + stepSize + " (" + perSample + " each)");
    }
    long batch = length / perSample;
    if (batch > maxBatch) {
      throw new IllegalArgumentException(inputWhere(model, method, input) + " holds a batch of " + batch
          + " sequences but @Model(maxBatch = " + maxBatch + ") allows at most " + maxBatch + "; split it or raise maxBatch");
    }
    return (int) batch;
  }

  // --- kernel argument checks --------------------------------------------------------------------

  /** {@code a} is not null and holds {@code len} floats from {@code off}. */
  public static void range(String name, float[] a, int off, long len) {
    Objects.requireNonNull(a, name);
    if (off < 0 || off + len > a.length) {
      throw new IndexOutOfBoundsException(
          name + ": needs " + len + " floats at offset " + off + " but the array has " + a.length);
    }
  }

  /** {@code a} is not null and holds {@code len} ints from {@code off}. */
  public static void range(String name, int[] a, int off, long len) {
    Objects.requireNonNull(a, name);
    if (off < 0 || off + len > a.length) {
      throw new IndexOutOfBoundsException(
          name + ": needs " + len + " ints at offset " + off + " but the array has " + a.length);
    }
  }

  /** As {@link #range(String, float[], int, long)} when {@code a} is not null. */
  public static void optionalRange(String name, float[] a, int off, long len) {
    if (a != null) {
      range(name, a, off, len);
    }
  }

  /** {@code value >= 1}. */
  public static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1 but was " + value);
    }
  }

  /** A batch size of a kernel that accepts an empty batch: {@code batch >= 0}. */
  public static void nonNegativeBatch(int batch) {
    if (batch < 0) {
      throw new IllegalArgumentException("batch must be >= 0 but was " + batch);
    }
  }

  /** The sizes of a sequence kernel: {@code batch >= 1} and {@code steps >= 1}. */
  public static void batchAndSteps(int batch, int steps) {
    if (batch < 1 || steps < 1) {
      throw new IllegalArgumentException("batch and steps must be >= 1 but were batch=" + batch + ", steps=" + steps);
    }
  }

  private static String inputWhere(String model, String method, String input) {
    return model + "." + method + ": input '" + input + "'";
  }
}
