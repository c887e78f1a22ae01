package io.kiln.runtime.cnn;

import io.kiln.runtime.At;
import io.kiln.runtime.Checks;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.simd.PoolKernels;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * A max or average pooling layer over NCHW float32 tensors, forward and backward, plus a fused
 * ReLU + max-pool, built once with its geometry and where its output and gradients live; a step
 * then calls {@code pool.forward(batch, x, xOff)} and {@code pool.backward(batch, x, xOff)} (the
 * input is passed per call because it may be the caller's array). A layer object is not for
 * concurrent use by two threads.
 *
 * <p>The kernels are plain loops over each {@code H × W} plane with the window offsets hoisted (the
 * 2×2 stride-2 pool, the common case, has its own loop); the test oracle is {@code PoolingReference}.
 *
 * <p>The max of a window is its <em>first</em> position (row-major) holding the largest value, a NaN
 * counting as larger than everything (so a NaN propagates, as in PyTorch). Backward recomputes that
 * position from x, so no index buffer is kept.
 */
public final class Pooling {
  /** The 2×2 stride-2 max plane kernel (Vector API when present, else the scalar twin). */
  private static final PoolKernels POOL = Vectorization.provider().pooling();

  /** What a pooling layer computes over each window. */
  public enum Kind {
    MAX,
    /** {@code maxpool(relu(x))} of a pre-activation x: the preceding ReLU runs in the same pass. */
    RELU_MAX,
    AVERAGE
  }

  private final PoolGeometry g;
  private final Kind kind;
  private final At y;
  private final At dy;
  private final At dx;
  private final boolean accumulateDx;
  private final Job job = new Job();

  private Pooling(PoolGeometry g, Kind kind, At y, At dy, At dx, boolean accumulateDx) {
    this.g = Objects.requireNonNull(g, "geometry");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.y = Objects.requireNonNull(y, "output");
    this.dy = Objects.requireNonNull(dy, "dy");
    this.dx = Objects.requireNonNull(dx, "dx");
    this.accumulateDx = accumulateDx;
  }

  /** A layer that only runs forward: pools into {@code y}. */
  public static Pooling of(PoolGeometry g, Kind kind, At y) {
    return new Pooling(g, kind, y, At.NONE, At.NONE, false);
  }

  /** A layer that also runs backward: from {@code dy} into {@code dx}, written or (with {@code accumulate}) added to. */
  public static Pooling of(PoolGeometry g, Kind kind, At y, At dy, At dx, boolean accumulate) {
    return new Pooling(g, kind, y, dy, dx, accumulate);
  }

  /** Pools {@code batch} samples of {@code x} into the layer's output. */
  public void forward(int batch, float[] x, int xOff) {
    check(g, batch, "x", x, xOff, "y", y.array(), y.offset());
    int op = switch (kind) {
      case MAX -> MAX;
      case RELU_MAX -> RELU_MAX;
      case AVERAGE -> AVG;
    };
    split(op, g, batch, x, xOff, null, 0, y.array(), y.offset(), false, job);
  }

  /** Routes the layer's {@code dy} back to {@code dx} for the input {@code x} of the last {@link #forward}. */
  public void backward(int batch, float[] x, int xOff) {
    if (!dx.present()) {
      throw new IllegalStateException("a pooling layer built without gradients cannot run backward");
    }
    switch (kind) {
      case MAX -> maxBackward(g, batch, x, xOff, dy.array(), dy.offset(), dx.array(), dx.offset(), accumulateDx, job);
      case RELU_MAX -> reluMaxBackward(g, batch, x, xOff, dy.array(), dy.offset(), dx.array(), dx.offset(), accumulateDx, job);
      case AVERAGE -> avgBackward(g, batch, dy.array(), dy.offset(), dx.array(), dx.offset(), accumulateDx, job);
    }
  }

  /** {@code y[b][c][oh][ow] = max} of the window at {@code (oh·S, ow·S)}. */
  static void maxForward(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
    check(g, batch, "x", x, xOff, "y", y, yOff);
    split(MAX, g, batch, x, xOff, null, 0, y, yOff, false, null);
  }

  /**
   * {@code dx} (=, or += when {@code accumulate}) routes each {@code dy} to the first position
   * (row-major within the window) that holds the window's max in {@code x}; positions in no window
   * get 0 (when not accumulating); overlapping windows (stride &lt; size) add up.
   */
  static void maxBackward(PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
      int dxOff, boolean accumulate) {
    maxBackward(g, batch, x, xOff, dy, dyOff, dx, dxOff, accumulate, null);
  }

  private static void maxBackward(PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
      int dxOff, boolean accumulate, Job job) {
    check(g, batch, "x", x, xOff, "dy", dy, dyOff);
    Checks.range("dx", dx, dxOff, (long) batch * g.inputSize());
    split(MAX_BACK, g, batch, x, xOff, dy, dyOff, dx, dxOff, accumulate, job);
  }

  /** {@code y} = the mean of each window. */
  static void avgForward(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
    check(g, batch, "x", x, xOff, "y", y, yOff);
    split(AVG, g, batch, x, xOff, null, 0, y, yOff, false, null);
  }

  private static void avg(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
    final int h = g.height();
    final int w = g.width();
    final int k = g.size();
    final int s = g.stride();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    final float inv = 1f / (k * k);
    for (int p = 0; p < batch * g.channels(); p++) {
      int in = xOff + p * h * w;
      int out = yOff + p * oh * ow;
      for (int i = 0; i < oh; i++) {
        int row = in + i * s * w;
        for (int j = 0; j < ow; j++) {
          int base = row + j * s;
          float sum = 0f;
          for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
              sum += x[base + a * w + b];
            }
          }
          y[out + i * ow + j] = sum * inv;
        }
      }
    }
  }

  /** {@code dx} (=, or += when {@code accumulate}) gets {@code dy / size²} at every position of each window. */
  static void avgBackward(PoolGeometry g, int batch, float[] dy, int dyOff, float[] dx, int dxOff,
      boolean accumulate) {
    avgBackward(g, batch, dy, dyOff, dx, dxOff, accumulate, null);
  }

  private static void avgBackward(PoolGeometry g, int batch, float[] dy, int dyOff, float[] dx, int dxOff,
      boolean accumulate, Job job) {
    Checks.nonNegativeBatch(batch);
    Checks.range("dy", dy, dyOff, (long) batch * g.outputSize());
    Checks.range("dx", dx, dxOff, (long) batch * g.inputSize());
    split(AVG_BACK, g, batch, null, 0, dy, dyOff, dx, dxOff, accumulate, job);
  }

  private static void avgBack(PoolGeometry g, int batch, float[] dy, int dyOff, float[] dx, int dxOff,
      boolean accumulate) {
    final int h = g.height();
    final int w = g.width();
    final int k = g.size();
    final int s = g.stride();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    final float inv = 1f / (k * k);
    for (int p = 0; p < batch * g.channels(); p++) {
      int in = dxOff + p * h * w;
      int out = dyOff + p * oh * ow;
      if (!accumulate) {
        Arrays.fill(dx, in, in + h * w, 0f);
      }
      for (int i = 0; i < oh; i++) {
        int row = in + i * s * w;
        for (int j = 0; j < ow; j++) {
          int base = row + j * s;
          float d = dy[out + i * ow + j] * inv;
          for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
              dx[base + a * w + b] += d;
            }
          }
        }
      }
    }
  }

  /**
   * Fused ReLU + max-pool: {@code y = maxpool(relu(x))} where {@code x} is the pre-activation (e.g. a
   * convolution's output computed with {@code Activation.NONE}). Since ReLU is monotonic this equals
   * {@code relu(maxpool(x))}, computed in one pass without storing {@code relu(x)}.
   */
  static void reluMaxForward(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
    check(g, batch, "x", x, xOff, "y", y, yOff);
    split(RELU_MAX, g, batch, x, xOff, null, 0, y, yOff, false, null);
  }

  /**
   * Backward of {@link #reluMaxForward}: {@code dx} (=, or += when {@code accumulate}) is the gradient
   * with respect to the pre-activation {@code x}. Each {@code dy} goes to the window's first max in x
   * if that max is {@code > 0}, else nowhere (ReLU's derivative is 0 there, PyTorch's convention at 0).
   */
  static void reluMaxBackward(PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff,
      float[] dx, int dxOff, boolean accumulate) {
    reluMaxBackward(g, batch, x, xOff, dy, dyOff, dx, dxOff, accumulate, null);
  }

  private static void reluMaxBackward(PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff,
      float[] dx, int dxOff, boolean accumulate, Job job) {
    check(g, batch, "x", x, xOff, "dy", dy, dyOff);
    Checks.range("dx", dx, dxOff, (long) batch * g.inputSize());
    split(RELU_MAX_BACK, g, batch, x, xOff, dy, dyOff, dx, dxOff, accumulate, job);
  }

  // ---------------------------------------------------------------------------------------------
  // The split over the batch

  private static final int MAX = 0;
  private static final int RELU_MAX = 1;
  private static final int MAX_BACK = 2;
  private static final int RELU_MAX_BACK = 3;
  private static final int AVG = 4;
  private static final int AVG_BACK = 5;
  /** Below this many input floats per call the pass stays on the calling thread (a fork costs ~µs). */
  private static final long PARALLEL_MIN_FLOATS = 1L << 15;

  /**
   * Runs {@code kind} over chunks of samples ({@link BatchSplit}) in parallel; each sample's outputs
   * depend only on its inputs, so the split never changes a result. {@code job} is the layer's, or
   * null for a static call.
   */
  private static void split(int kind, PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff,
      float[] out, int outOff, boolean accumulate, Job job) {
    if ((long) batch * g.inputSize() < PARALLEL_MIN_FLOATS) {
      run(kind, g, 0, batch, x, xOff, dy, dyOff, out, outOff, accumulate);
      return;
    }
    if (job == null) {
      job = new Job(); // a static call without a layer object (tests)
    }
    job.kind = kind;
    job.g = g;
    job.batch = batch;
    job.chunks = BatchSplit.chunks(batch);
    job.x = x;
    job.xOff = xOff;
    job.dy = dy;
    job.dyOff = dyOff;
    job.out = out;
    job.outOff = outOff;
    job.accumulate = accumulate;
    try {
      Parallelism.forEach(job.chunks, job);
    } finally {
      job.x = job.dy = job.out = null;
      job.g = null;
    }
  }

  /** {@code kind} over samples {@code [b0, b1)}. */
  private static void run(int kind, PoolGeometry g, int b0, int b1, float[] x, int xOff, float[] dy, int dyOff,
      float[] out, int outOff, boolean accumulate) {
    int n = b1 - b0;
    int xs = xOff + b0 * g.inputSize();
    int ys = dyOff + b0 * g.outputSize();
    switch (kind) {
      case MAX, RELU_MAX -> pool(g, n, x, xs, out, outOff + b0 * g.outputSize(), kind == RELU_MAX);
      case MAX_BACK, RELU_MAX_BACK ->
          route(g, n, x, xs, dy, ys, out, outOff + b0 * g.inputSize(), accumulate, kind == RELU_MAX_BACK);
      case AVG -> avg(g, n, x, xs, out, outOff + b0 * g.outputSize());
      default -> avgBack(g, n, dy, ys, out, outOff + b0 * g.inputSize(), accumulate);
    }
  }

  /** One call split over the batch: its fields hold the call's arguments, so the task body allocates nothing. */
  private static final class Job implements IntConsumer {
    int kind;
    PoolGeometry g;
    int batch;
    int chunks;
    float[] x, dy, out;
    int xOff, dyOff, outOff;
    boolean accumulate;

    @Override
    public void accept(int chunk) {
      run(kind, g, BatchSplit.start(chunk, batch, chunks), BatchSplit.start(chunk + 1, batch, chunks), x, xOff, dy,
          dyOff, out, outOff, accumulate);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static void check(PoolGeometry g, int batch, String in, float[] x, int xOff, String out, float[] y, int yOff) {
    Checks.nonNegativeBatch(batch);
    Checks.range(in, x, xOff, (long) batch * g.inputSize());
    Checks.range(out, y, yOff, (long) batch * g.outputSize());
  }

  /** Math.max: a NaN wins, so it propagates through the pool as in PyTorch. */
  private static float max(float a, float b) {
    return Math.max(a, b);
  }

  private static void pool(PoolGeometry g, int batch, float[] x, int xOff, float[] y, int yOff, boolean relu) {
    final int h = g.height();
    final int w = g.width();
    final int k = g.size();
    final int s = g.stride();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    final float floor = relu ? 0f : Float.NEGATIVE_INFINITY;
    for (int p = 0; p < batch * g.channels(); p++) {
      int in = xOff + p * h * w;
      int out = yOff + p * oh * ow;
      if (k == 2 && s == 2) {
        POOL.maxPool2x2(x, in, w, oh, ow, y, out, floor);
      } else {
        for (int i = 0; i < oh; i++) {
          int row = in + i * s * w;
          for (int j = 0; j < ow; j++) {
            int base = row + j * s;
            float m = floor;
            for (int a = 0; a < k; a++) {
              for (int b = 0; b < k; b++) {
                m = max(m, x[base + a * w + b]);
              }
            }
            y[out + i * ow + j] = m;
          }
        }
      }
    }
  }

  private static void route(PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
      int dxOff, boolean accumulate, boolean relu) {
    if (g.size() == 2 && g.stride() == 2) {
      route2x2(g, batch, x, xOff, dy, dyOff, dx, dxOff, accumulate, relu);
      return;
    }
    final int h = g.height();
    final int w = g.width();
    final int k = g.size();
    final int s = g.stride();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    for (int p = 0; p < batch * g.channels(); p++) {
      int in = xOff + p * h * w;
      int gin = dxOff + p * h * w;
      int out = dyOff + p * oh * ow;
      if (!accumulate) {
        Arrays.fill(dx, gin, gin + h * w, 0f);
      }
      for (int i = 0; i < oh; i++) {
        int row = i * s * w;
        for (int j = 0; j < ow; j++) {
          int base = row + j * s;
          int best = base;
          float m = x[in + base];
          for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
              int q = base + a * w + b;
              float v = x[in + q];
              // selects rather than branches: on real data the outcome is unpredictable
              boolean take = greater(v, m);
              m = take ? v : m;
              best = take ? q : best;
            }
          }
          float d = dy[out + i * ow + j];
          dx[gin + best] += !relu || m > 0f ? d : 0f;
        }
      }
    }
  }

  /** {@code v} replaces the current max {@code m}: strictly larger, or the first NaN. */
  private static boolean greater(float v, float m) {
    return v > m | (v != v & m == m);
  }

  /**
   * The common 2×2 stride-2 backward: windows tile the plane, so each position is written once
   * (no zero-fill pass, no scatter) and the argmax is a branch-free select.
   */
  private static void route2x2(PoolGeometry g, int batch, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
      int dxOff, boolean accumulate, boolean relu) {
    final int h = g.height();
    final int w = g.width();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    for (int p = 0; p < batch * g.channels(); p++) {
      int in = xOff + p * h * w;
      int gin = dxOff + p * h * w;
      int out = dyOff + p * oh * ow;
      for (int i = 0; i < oh; i++) {
        int r0 = 2 * i * w;
        int r1 = r0 + w;
        int o = out + i * ow;
        int j0 = POOL.maxRoute2x2Row(x, in + r0, w, dy, o, dx, gin + r0, ow, accumulate, relu);
        for (int j = j0; j < ow; j++) {
          int c = 2 * j;
          float a0 = x[in + r0 + c];
          float a1 = x[in + r0 + c + 1];
          float a2 = x[in + r1 + c];
          float a3 = x[in + r1 + c + 1];
          float m = Math.max(Math.max(a0, a1), Math.max(a2, a3));
          // Bit k is set where position k holds the max (or is a NaN, which only happens when the max
          // is NaN); the lowest set bit is the first max. Integer selects and masks only: float
          // selects compile to branches, which mispredict on real data.
          int hits = (a0 == m | a0 != a0 ? 1 : 0) | (a1 == m | a1 != a1 ? 2 : 0)
              | (a2 == m | a2 != a2 ? 4 : 0) | (a3 == m | a3 != a3 ? 8 : 0);
          int best = Integer.numberOfTrailingZeros(hits);
          int bits = Float.floatToRawIntBits(dy[o + j]) & (!relu || m > 0f ? -1 : 0);
          float d0 = Float.intBitsToFloat(bits & (((best ^ 0) - 1) >> 31));
          float d1 = Float.intBitsToFloat(bits & (((best ^ 1) - 1) >> 31));
          float d2 = Float.intBitsToFloat(bits & (((best ^ 2) - 1) >> 31));
          float d3 = Float.intBitsToFloat(bits & (((best ^ 3) - 1) >> 31));
          if (accumulate) {
            dx[gin + r0 + c] += d0;
            dx[gin + r0 + c + 1] += d1;
            dx[gin + r1 + c] += d2;
            dx[gin + r1 + c + 1] += d3;
          } else {
            dx[gin + r0 + c] = d0;
            dx[gin + r0 + c + 1] = d1;
            dx[gin + r1 + c] = d2;
            dx[gin + r1 + c + 1] = d3;
          }
        }
        if (!accumulate && w > 2 * ow) {
          // odd width: the last column is in no window
          dx[gin + r0 + w - 1] = 0f;
          dx[gin + r1 + w - 1] = 0f;
        }
      }
      if (!accumulate && h > 2 * oh) {
        // odd height: the last row is in no window
        Arrays.fill(dx, gin + 2 * oh * w, gin + h * w, 0f);
      }
    }
  }
}
