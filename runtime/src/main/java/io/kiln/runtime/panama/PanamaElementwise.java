package io.kiln.runtime.panama;

import io.kiln.dsl.Activation;
import io.kiln.runtime.CallContexts;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.simd.ElementwiseKernels;
import io.kiln.runtime.simd.FastMath;
import io.kiln.runtime.simd.ScalarElementwise;
import java.util.Objects;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the {@link ElementwiseKernels}, compared against {@link ScalarElementwise}
 * in the tests.
 *
 * <p>Every loop has the same shape: a main loop over whole vectors whose values live in locals (C2
 * keeps them in registers; a field or array of vectors would box), then a scalar tail, which is
 * cheaper than a masked last iteration on current x86 C2.
 *
 * <p>exp, tanh, sigmoid and log1p come from {@link PanamaMath}, never from the transcendental
 * {@code lanewise} operators ({@code EXP}, {@code TANH}, {@code LOG1P}): those give different bits
 * before and after C2 compiles the caller, so losses did not reproduce for a seed. PanamaMath
 * mirrors the scalar twin's {@link io.kiln.runtime.simd.FastMath} lane for lane, so activations
 * (and every exp term) agree bitwise with the twin; only reduction order differs in sums.
 */
final class PanamaElementwise implements ElementwiseKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  private final ScalarElementwise scalar = new ScalarElementwise();

  /** Creates the (stateless) kernels. */
  PanamaElementwise() {}

  @Override
  public void activate(Activation f, float[] x, int xOff, int n) {
    // One small method per activation: a single method holding every vector loop grew past C2's
    // inlining budget and boxed its vectors (ReLU ran 3x slower than the auto-vectorized scalar).
    int done = switch (f) {
      case NONE -> n;
      // ReLU is left to the scalar twin: its Math.max loop is auto-vectorized by C2 and
      // memory-bound, and a hand-written blend measured no faster (within noise) on AVX-512.
      case RELU -> 0;
      case SIGMOID -> {
        PanamaMath.sigmoid(x, xOff, n);
        yield n;
      }
      case TANH -> {
        PanamaMath.tanh(x, xOff, n);
        yield n;
      }
      case STEP -> step(x, xOff, n);
      case GELU -> 0; // erf has no vector form here: the scalar twin (the fused paths call Gelu directly)
    };
    if (done < n) {
      scalar.activate(f, x, xOff + done, n - done);
    }
  }

  private static int step(float[] x, int off, int n) {
    FloatVector zero = FloatVector.zero(S);
    FloatVector one = FloatVector.broadcast(S, 1f);
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector z = FloatVector.fromArray(S, x, off + i);
      zero.blend(one, z.compare(VectorOperators.GE, 0f)).intoArray(x, off + i);
    }
    return bound;
  }

  @Override
  public void activationBackward(
      Activation f, float[] dz, int dzOff, float[] dy, int dyOff, float[] y, int yOff, int n) {
    int tasks = (n + SPLIT_FLOATS - 1) / SPLIT_FLOATS;
    if (tasks > 1 && f != Activation.GELU) {
      Split call = SPLITS.take();
      try {
        call.activationBackward(this, f, dz, dzOff, dy, dyOff, y, yOff, n);
        Parallelism.forEach(tasks, call);
      } finally {
        call.clear();
        SPLITS.give(call);
      }
      return;
    }
    activationBackwardRange(f, dz, dzOff, dy, dyOff, y, yOff, n);
  }

  private void activationBackwardRange(
      Activation f, float[] dz, int dzOff, float[] dy, int dyOff, float[] y, int yOff, int n) {
    int done = switch (f) {
      case NONE, STEP -> {
        // Straight-through: the derivative is 1, so this is a copy (arraycopy handles aliasing).
        System.arraycopy(dy, dyOff, dz, dzOff, n);
        yield n;
      }
      case RELU -> reluBackward(dz, dzOff, dy, dyOff, y, yOff, n);
      case SIGMOID -> sigmoidBackward(dz, dzOff, dy, dyOff, y, yOff, n);
      case TANH -> tanhBackward(dz, dzOff, dy, dyOff, y, yOff, n);
      case GELU -> 0; // the scalar twin explains why it cannot
    };
    if (done < n) {
      scalar.activationBackward(f, dz, dzOff + done, dy, dyOff + done, y, yOff + done, n - done);
    }
  }

  /**
   * {@code y > 0 ? dy : 0}: a select rather than a multiply by 0/1, exactly like the scalar twin,
   * so a switched-off unit passes 0 even when dy is infinite.
   */
  private static int reluBackward(float[] dz, int dzOff, float[] dy, int dyOff, float[] y, int yOff, int n) {
    FloatVector zero = FloatVector.zero(S);
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
      VectorMask<Float> on = FloatVector.fromArray(S, y, yOff + i).compare(VectorOperators.GT, 0f);
      zero.blend(g, on).intoArray(dz, dzOff + i);
    }
    return bound;
  }

  /** {@code dy · (y · (1 − y))}, the twin's operation order, so results are bitwise identical. */
  private static int sigmoidBackward(float[] dz, int dzOff, float[] dy, int dyOff, float[] y, int yOff, int n) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
      FloatVector v = FloatVector.fromArray(S, y, yOff + i);
      g.mul(v.mul(v.neg().add(1f))).intoArray(dz, dzOff + i);
    }
    return bound;
  }

  /** {@code dy · (1 − y²)}, the twin's operation order. */
  private static int tanhBackward(float[] dz, int dzOff, float[] dy, int dyOff, float[] y, int yOff, int n) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
      FloatVector v = FloatVector.fromArray(S, y, yOff + i);
      g.mul(v.mul(v).neg().add(1f)).intoArray(dz, dzOff + i);
    }
    return bound;
  }

  @Override
  public void addColumnSums(float[] db, int dbOff, float[] dz, int dzOff, int rows, int cols) {
    int tasks = (cols + SPLIT_COLUMNS - 1) / SPLIT_COLUMNS;
    if (tasks > 1 && (long) rows * cols >= 2L * SPLIT_FLOATS) {
      Split call = SPLITS.take();
      try {
        call.columnSums(db, dbOff, dz, dzOff, rows, cols);
        Parallelism.forEach(tasks, call);
      } finally {
        call.clear();
        SPLITS.give(call);
      }
      return;
    }
    addColumnSums(db, dbOff, dz, dzOff, rows, cols, 0, cols);
  }

  /** Columns {@code [j0, j1)} of {@link #addColumnSums}; {@code cols} is dz's row width. */
  private static void addColumnSums(float[] db, int dbOff, float[] dz, int dzOff, int rows, int cols, int j0, int j1) {
    // Four vectors of columns at a time, rows inner: each partial sum stays in a register for the
    // whole column, and a row's four vectors are contiguous, so dz streams in order (one vector
    // per row strided by the row width left the prefetchers one cache line per row). Every column
    // is still summed row by row from 0, then added to db: the scalar twin's order.
    int l = S.length();
    int bound = j0 + S.loopBound(j1 - j0);
    int j = j0;
    for (; j + 4 * l <= bound; j += 4 * l) {
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      for (int r = 0, at = dzOff + j; r < rows; r++, at += cols) {
        a0 = a0.add(FloatVector.fromArray(S, dz, at));
        a1 = a1.add(FloatVector.fromArray(S, dz, at + l));
        a2 = a2.add(FloatVector.fromArray(S, dz, at + 2 * l));
        a3 = a3.add(FloatVector.fromArray(S, dz, at + 3 * l));
      }
      FloatVector.fromArray(S, db, dbOff + j).add(a0).intoArray(db, dbOff + j);
      FloatVector.fromArray(S, db, dbOff + j + l).add(a1).intoArray(db, dbOff + j + l);
      FloatVector.fromArray(S, db, dbOff + j + 2 * l).add(a2).intoArray(db, dbOff + j + 2 * l);
      FloatVector.fromArray(S, db, dbOff + j + 3 * l).add(a3).intoArray(db, dbOff + j + 3 * l);
    }
    for (; j < bound; j += l) {
      FloatVector acc = FloatVector.zero(S);
      for (int r = 0, at = dzOff + j; r < rows; r++, at += cols) {
        acc = acc.add(FloatVector.fromArray(S, dz, at));
      }
      FloatVector.fromArray(S, db, dbOff + j).add(acc).intoArray(db, dbOff + j);
    }
    for (; j < j1; j++) {
      float s = 0f;
      for (int r = 0, at = dzOff + j; r < rows; r++, at += cols) {
        s += dz[at];
      }
      db[dbOff + j] += s;
    }
  }

  // The two passes over whole activations that the backward step runs between GEMMs are split
  // across threads in fixed pieces (never by the thread count): elements for the activation
  // derivative, blocks of columns for the bias sums, each column still summed row by row, so the
  // bits are those of one thread.

  /** Floats per task of a split pass (128 KB of each operand): below two of them a pass runs whole. */
  static final int SPLIT_FLOATS = 1 << 15;
  /** Columns per task of a split {@link #addColumnSums}: four vectors, its inner loop's width. */
  static final int SPLIT_COLUMNS = 64;

  private static final CallContexts<Split> SPLITS = new CallContexts<>(4, Split::new);

  /** One split call's arguments, taken from {@link #SPLITS}; a task is one piece. */
  private static final class Split implements IntConsumer {
    private PanamaElementwise kernels;
    private Activation f;
    private float[] out;
    private int outOff;
    private float[] in;
    private int inOff;
    private float[] y;
    private int yOff;
    private int n;
    private int rows;

    void activationBackward(PanamaElementwise kernels, Activation f, float[] dz, int dzOff, float[] dy, int dyOff,
        float[] y, int yOff, int n) {
      this.kernels = kernels;
      this.f = f;
      this.out = dz;
      this.outOff = dzOff;
      this.in = dy;
      this.inOff = dyOff;
      this.y = y;
      this.yOff = yOff;
      this.n = n;
    }

    void columnSums(float[] db, int dbOff, float[] dz, int dzOff, int rows, int cols) {
      this.out = db;
      this.outOff = dbOff;
      this.in = dz;
      this.inOff = dzOff;
      this.rows = rows;
      this.n = cols;
    }

    @Override
    public void accept(int task) {
      if (f != null) {
        int from = task * SPLIT_FLOATS;
        int count = Math.min(SPLIT_FLOATS, n - from);
        kernels.activationBackwardRange(f, out, outOff + from, in, inOff + from, y, yOff + from, count);
      } else {
        int j0 = task * SPLIT_COLUMNS;
        addColumnSums(out, outOff, in, inOff, rows, n, j0, Math.min(n, j0 + SPLIT_COLUMNS));
      }
    }

    void clear() {
      kernels = null;
      f = null;
      out = null;
      in = null;
      y = null;
    }
  }

  @Override
  public void addRowSums(float[] db, int dbOff, float[] dz, int dzOff, int rows, int cols) {
    // per row: four vectors of partial sums (independent add chains), combined pairwise, then
    // their lanes in order (not reduceLanes: its order changes once C2 compiles it), then the tail
    int l = S.length();
    for (int r = 0; r < rows; r++) {
      int row = dzOff + r * cols;
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      int j = 0;
      for (; j + 4 * l <= cols; j += 4 * l) {
        a0 = a0.add(FloatVector.fromArray(S, dz, row + j));
        a1 = a1.add(FloatVector.fromArray(S, dz, row + j + l));
        a2 = a2.add(FloatVector.fromArray(S, dz, row + j + 2 * l));
        a3 = a3.add(FloatVector.fromArray(S, dz, row + j + 3 * l));
      }
      for (; j + l <= cols; j += l) {
        a0 = a0.add(FloatVector.fromArray(S, dz, row + j));
      }
      FloatVector v = a0.add(a1).add(a2.add(a3));
      float s = 0f;
      for (int lane = 0; lane < l; lane++) {
        s += v.lane(lane);
      }
      for (; j < cols; j++) {
        s += dz[row + j];
      }
      db[dbOff + r] += s;
    }
  }

  @Override
  public float softmaxCrossEntropy(
      float[] dLogits, int dOff, float[] logits, int lOff, int[] labels, int labelsOff, int rows, int classes) {
    double total = 0;
    float invRows = 1f / rows;
    for (int r = 0; r < rows; r++) {
      int row = lOff + r * classes;
      int label = Objects.checkIndex(labels[labelsOff + r], classes);
      // Read the label's logit first: dLogits may alias logits.
      float target = logits[row + label];
      float max = rowMax(logits, row, classes);
      float sum;
      if (dLogits == null) {
        sum = expSum(logits, row, classes, max);
      } else {
        int drow = dOff + r * classes;
        sum = expInto(dLogits, drow, logits, row, classes, max);
        float inv = 1f / sum;
        float pLabel = dLogits[drow + label] * inv;
        scale(dLogits, drow, classes, inv, invRows);
        dLogits[drow + label] = (pLabel - 1f) * invRows;
      }
      total += FastMath.log(sum) - (target - max);
    }
    return (float) (total / rows);
  }

  @Override
  public float sigmoidBinaryCrossEntropy(
      float[] dLogits, int dOff, float[] logits, int lOff, float[] targets, int tOff, int n) {
    int bound = S.loopBound(n);
    float invN = 1f / n;
    // max(z, 0) − z·t + log(1 + e^−|z|) per element, as in the scalar twin.
    double total = PanamaMath.sigmoidBceTerms(dLogits, dOff, logits, lOff, targets, tOff, bound, invN);
    int i = bound;
    if (i < n) {
      // The twin returns the mean of the tail; scale it back to a sum.
      total += (double) scalar.sigmoidBinaryCrossEntropy(
          null, 0, logits, lOff + i, targets, tOff + i, n - i) * (n - i);
      for (int k = i; k < n && dLogits != null; k++) {
        float z = logits[lOff + k];
        dLogits[dOff + k] = (ScalarElementwise.apply(Activation.SIGMOID, z) - targets[tOff + k]) * invN;
      }
    }
    return (float) (total / n);
  }

  @Override
  public float meanSquaredError(float[] dY, int dOff, float[] y, int yOff, float[] targets, int tOff, int n) {
    int bound = S.loopBound(n);
    float scale = 2f / n;
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i < bound; i += S.length()) {
      FloatVector d = FloatVector.fromArray(S, y, yOff + i).sub(FloatVector.fromArray(S, targets, tOff + i));
      acc = acc.add(d.mul(d));
      if (dY != null) {
        d.mul(scale).intoArray(dY, dOff + i);
      }
    }
    // Lanes in order, not reduceLanes(ADD), whose order (so rounding) differs once C2 compiles it.
    double total = 0;
    for (int l = 0; l < S.length(); l++) {
      total += acc.lane(l);
    }
    for (; i < n; i++) {
      float d = y[yOff + i] - targets[tOff + i];
      total += (double) d * d;
      if (dY != null) {
        dY[dOff + i] = d * scale;
      }
    }
    return (float) (total / n);
  }

  @Override
  public float perceptron(
      float[] dZ, int dOff, float[] yHat, int yOff, float[] targets, int tOff, int n, int rows) {
    // Scalar on purpose: the perceptron criterion runs on a handful of step outputs per sample
    // (it exists for the single-layer perceptron), so a vector loop would never be entered.
    return scalar.perceptron(dZ, dOff, yHat, yOff, targets, tOff, n, rows);
  }

  @Override
  public void softmax(float[] out, int outOff, float[] x, int xOff, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      int in = xOff + r * cols;
      int o = outOff + r * cols;
      float max = rowMax(x, in, cols);
      float sum = expInto(out, o, x, in, cols, max);
      scale(out, o, cols, 1f / sum, 1f);
    }
  }

  /** The largest of {@code x[off .. off+n)}; NaN if any is NaN (Math.max semantics). */
  private static float rowMax(float[] x, int off, int n) {
    int bound = S.loopBound(n);
    int i = 0;
    float max = Float.NEGATIVE_INFINITY;
    if (bound > 0) {
      FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
      for (; i < bound; i += S.length()) {
        m = m.max(FloatVector.fromArray(S, x, off + i));
      }
      max = m.reduceLanes(VectorOperators.MAX); // exact in any order, unlike ADD
    }
    for (; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    return max;
  }

  /** {@code Σ e^(x − max)} without storing the terms. */
  private static float expSum(float[] x, int off, int n, float max) {
    return PanamaMath.expShifted(null, 0, x, off, n, max);
  }

  /** {@code out = e^(x − max)} element-wise; returns the sum. {@code out} may alias {@code x}. */
  private static float expInto(float[] out, int outOff, float[] x, int off, int n, float max) {
    return PanamaMath.expShifted(out, outOff, x, off, n, max);
  }

  /** {@code x = (x · a) · b} element-wise (two roundings, matching the scalar twin's order). */
  private static void scale(float[] x, int off, int n, float a, float b) {
    int bound = S.loopBound(n);
    int i = 0;
    for (; i < bound; i += S.length()) {
      FloatVector.fromArray(S, x, off + i).mul(a).mul(b).intoArray(x, off + i);
    }
    for (; i < n; i++) {
      x[off + i] = x[off + i] * a * b;
    }
  }
}
