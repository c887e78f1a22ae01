package io.kiln.runtime.cnn;

import io.kiln.runtime.At;
import io.kiln.runtime.Checks;
import io.kiln.dsl.Activation;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.simd.DirectConvolution;
import io.kiln.runtime.simd.ElementwiseKernels;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * A 2-D convolution layer (cross-correlation, as PyTorch's {@code conv2d}) over NCHW float32
 * tensors, built once with its geometry, where its weights, outputs, gradients and scratch live;
 * a training step then calls {@code conv.forward(batch, x, xOff)} and {@code conv.backward(batch,
 * x, xOff)}. The input is passed per call because it may be the caller's array.
 *
 * <p>The arithmetic is a GEMM over packed patches: per sample, {@code im2col} lays the receptive
 * fields out as a {@code [C·KH·KW, OH·OW]} matrix and one GEMM multiplies the {@code [F, C·KH·KW]}
 * weights by it, writing {@code [F, OH·OW]} = the sample's NCHW output directly. Weights are
 * PyTorch's {@code [F, C, KH, KW]} layout, which is that matrix row-major. The GEMM is
 * {@link Vectorization#provider()}'s; im2col/col2im are plain loops (contiguous copies at stride
 * 1). A 1×1, stride-1, unpadded convolution skips im2col and multiplies the input directly. A
 * stride-1 forward with few filters, or a short patch over wide rows, is summed in place instead
 * ({@link DirectConvolution}: no im2col, no packing; the same bits as the GEMM path).
 *
 * <p>Threads: forward and backward split the batch into {@link BatchSplit} chunks of samples run by
 * {@link Parallelism#forEach} (the per-sample GEMMs are too small to split well: m = filters). The
 * weight and bias gradients are summed per chunk into partial buffers that are then added in chunk
 * order, and the chunks depend only on the batch, so results are bitwise identical for any thread
 * count. The calling thread packs patches into the scratch the layer was built with ({@link
 * ConvGeometry#colsSize()} floats); each pool worker into its own buffer, allocated once per thread
 * count. A layer object is not for concurrent use by two threads (nor is the model that owns it).
 *
 * <pre>{@code
 * Conv2d conv = Conv2d.of(geometry)
 *     .weights(new At(params, W), new At(params, B), Activation.RELU)
 *     .output(new At(arena, Y), new At(arena, COLS))
 *     .gradients(new At(arena, DZ), new At(grads, W), new At(grads, B))
 *     .inputGradient(new At(arena, DX), false)
 *     .backwardScratch(new At(arena, COLS), new At(arena, DCOLS))
 *     .build();
 * }</pre>
 *
 * <p>The test oracle is {@code ConvReference}.
 */
public final class Conv2d {
  private static final GemmKernel GEMM = Vectorization.provider().gemm();
  private static final DirectConvolution DIRECT = Vectorization.provider().directConvolution();
  private static final ElementwiseKernels ELEMENTWISE = Vectorization.provider().elementwise();
  /**
   * The direct path takes at most this many filters over any patch: on AVX-512 LeNet's two
   * convolutions (6 and 16 filters) direct took the one-sample predict from 34.0–34.5 to
   * 27.7–28.0 µs with the first direct kernels. cnn64's second convolution (64 filters over 288
   * taps) ran as fast either way at batch 64 (12.7 ms direct, 12.4 through the GEMM) and stays on
   * the GEMM.
   */
  static final int DIRECT_MAX_FILTERS = 16;
  /**
   * More filters also take the direct path over a patch this short and rows this wide: the GEMM's
   * K loop is too short to pay for its tiles and packing. cnn64's first convolution (27 taps, 62
   * columns, 32 filters) at batch 64 on two threads: 4.5 ms through im2col and the GEMM, 3.5 direct.
   */
  static final int DIRECT_SHORT_PATCH = 32;
  static final int DIRECT_MIN_WIDTH = 16;
  /** The direct path sums a patch as one chain, as the GEMM does only within one K block. */
  static final int DIRECT_MAX_PATCH = 512;
  private static final Epilogue[] NO_BIAS = new Epilogue[Activation.values().length];
  private static final Epilogue[] ACCUMULATE_THEN = new Epilogue[Activation.values().length];

  static {
    for (Activation a : Activation.values()) {
      NO_BIAS[a.ordinal()] = Epilogue.of(false, Epilogue.Bias.NONE, null, 0, a);
      ACCUMULATE_THEN[a.ordinal()] = Epilogue.of(true, Epilogue.Bias.NONE, null, 0, a);
    }
  }

  private final ConvGeometry g;
  private final At w;
  private final At bias;
  private final Epilogue ep;
  private final At y;
  private final At cols;
  private final At dz;
  private final At dw;
  private final At dBias;
  private final At dx;
  private final boolean accumulateDx;
  private final At backCols;
  private final At dcols;
  private final Job job;
  /** The direct path's geometry, or null where the forward takes the GEMM path. */
  private final DirectConvolution.Shape direct;
  /** The geometry for the stride-1 col2im kernel, or null (strided or dilated: the generic loop). */
  private final DirectConvolution.Shape stride1;

  private Conv2d(Builder b) {
    this.g = b.g;
    this.w = Objects.requireNonNull(b.w, "weights");
    this.bias = b.bias;
    this.ep = epilogue(bias.array(), bias.offset(), b.act);
    this.y = Objects.requireNonNull(b.y, "output");
    this.cols = b.cols;
    this.dz = b.dz;
    this.dw = b.dw;
    this.dBias = b.dBias;
    this.dx = b.dx;
    this.accumulateDx = b.accumulateDx;
    this.backCols = b.backCols;
    this.dcols = b.dcols;
    this.job = new Job();
    this.direct = directShape(g);
    this.stride1 = stride1Shape(g);
  }

  /**
   * The geometry of the direct forward when it applies: stride 1, no dilation, a real window (a
   * 1×1 one is a plain GEMM without im2col), few filters or a short patch over wide rows, a patch
   * summed in one chain, and its padded input fitting in the im2col scratch it replaces; else null.
   */
  static DirectConvolution.Shape directShape(ConvGeometry g) {
    DirectConvolution.Shape s = stride1Shape(g);
    boolean shortAndWide = g.patchSize() <= DIRECT_SHORT_PATCH && g.outWidth() >= DIRECT_MIN_WIDTH;
    if (s == null || g.isPointwise() || !(fewFilters(g) || shortAndWide) || g.patchSize() > DIRECT_MAX_PATCH) {
      return null;
    }
    return s.scratchSize() <= g.colsSize() ? s : null;
  }

  /** Few enough filters for the direct path over any patch ({@link #DIRECT_MAX_FILTERS}). */
  private static boolean fewFilters(ConvGeometry g) {
    return g.filters() <= DIRECT_MAX_FILTERS;
  }

  /** The geometry as {@link DirectConvolution}'s kernels take it: stride 1, no dilation, no negative padding; else null. */
  static DirectConvolution.Shape stride1Shape(ConvGeometry g) {
    ConvGeometry.Steps st = g.steps();
    if (st.strideHeight() != 1 || st.strideWidth() != 1 || st.dilationHeight() != 1 || st.dilationWidth() != 1
        || g.padTop() < 0 || g.padLeft() < 0) {
      return null;
    }
    return new DirectConvolution.Shape(g.channels(), g.height(), g.width(), g.filters(), g.kernelHeight(),
        g.kernelWidth(), g.padTop(), g.padLeft(), g.outHeight(), g.outWidth());
  }

  /** A builder for a convolution of geometry {@code g}. */
  public static Builder of(ConvGeometry g) {
    return new Builder(Objects.requireNonNull(g, "geometry"));
  }

  /**
   * {@code y[b] = act(W ⊛ x[b] + bias)} for every sample {@code b < batch}: computed directly where
   * {@link #directShape} gives a geometry, else one GEMM per sample over im2col patches.
   */
  public void forward(int batch, float[] x, int xOff) {
    checkForward(g, batch, x, xOff, w.array(), w.offset(), y.array(), y.offset(), cols.array(), cols.offset());
    job.forward(g, direct, batch, x, xOff, w.array(), w.offset(), null, 0, ep, y.array(), y.offset(), cols.array(),
        cols.offset());
  }

  /**
   * Backward of {@link #forward} for input {@code x}, given {@code dZ} (the gradient after the
   * activation's derivative was applied): {@code dW += Σ_b dZ[b] · im2col(x[b])ᵀ}, {@code dBias +=}
   * the row sums of {@code dZ[b]}, and, when the layer has an input gradient, {@code dx[b] =
   * col2im(Wᵀ · dZ[b])} (or {@code +=}).
   */
  public void backward(int batch, float[] x, int xOff) {
    if (!dw.present()) {
      throw new IllegalStateException("a convolution built without gradients cannot run backward");
    }
    backward(g, stride1, batch, x, xOff, w.array(), w.offset(), dz.array(), dz.offset(), dw.array(), dw.offset(),
        dBias.array(), dBias.offset(), dx.array(), dx.offset(), accumulateDx, backCols.array(), backCols.offset(),
        dcols.array(), dcols.offset(), job);
  }

  /** Collects where a convolution's tensors live; every optional one defaults to {@link At#NONE}. */
  public static final class Builder {
    private final ConvGeometry g;
    private At w;
    private At bias = At.NONE;
    private Activation act = Activation.NONE;
    private At y;
    private At cols = At.NONE;
    private At dz = At.NONE;
    private At dw = At.NONE;
    private At dBias = At.NONE;
    private At dx = At.NONE;
    private boolean accumulateDx;
    private At backCols = At.NONE;
    private At dcols = At.NONE;

    private Builder(ConvGeometry g) {
      this.g = g;
    }

    /** {@code [F, C, KH, KW]} weights, the {@code [F]} bias (or {@link At#NONE}) and the fused activation. */
    public Builder weights(At w, At bias, Activation act) {
      this.w = w;
      this.bias = bias;
      this.act = Objects.requireNonNull(act, "act");
      return this;
    }

    /** {@code [B, F, OH, OW]} output and the forward's im2col scratch ({@link ConvGeometry#colsSize()} floats). */
    public Builder output(At y, At cols) {
      this.y = y;
      this.cols = cols;
      return this;
    }

    /** ∂L/∂z read by backward, and the accumulated ({@code +=}) weight and bias gradients. */
    public Builder gradients(At dz, At dw, At dBias) {
      this.dz = dz;
      this.dw = dw;
      this.dBias = dBias;
      return this;
    }

    /** ∂L/∂x, written or (with {@code accumulate}) added to. */
    public Builder inputGradient(At dx, boolean accumulate) {
      this.dx = dx;
      this.accumulateDx = accumulate;
      return this;
    }

    /**
     * Backward's im2col and col2im scratch on the calling thread, {@link ConvGeometry#colsSize()}
     * floats each; they may be the same region (each sample uses cols before dcols).
     */
    public Builder backwardScratch(At cols, At dcols) {
      this.backCols = cols;
      this.dcols = dcols;
      return this;
    }

    public Conv2d build() {
      return new Conv2d(this);
    }
  }

  /**
   * The fused epilogue of a convolution: bias per output channel (row of the GEMM), then the
   * activation. {@code bias} may be null.
   */
  static Epilogue epilogue(float[] bias, int biasOff, Activation act) {
    Objects.requireNonNull(act, "act");
    return bias == null ? NO_BIAS[act.ordinal()] : Epilogue.of(false, Epilogue.Bias.PER_ROW, bias, biasOff, act);
  }

  /**
   * The kernel without a layer object (tests): as {@link #forward(int, float[], int)}, the bias first
   * broadcast into {@code y[b]} and the GEMM accumulating onto it. {@code bias} may be null.
   */
  static void forward(ConvGeometry g, int batch, float[] x, int xOff, float[] w, int wOff, float[] bias,
      int biasOff, Activation act, float[] y, int yOff, float[] cols, int colsOff) {
    Objects.requireNonNull(act, "act");
    if (bias != null) {
      Checks.range("bias", bias, biasOff, g.filters());
    }
    checkForward(g, batch, x, xOff, w, wOff, y, yOff, cols, colsOff);
    Epilogue ep = bias == null ? NO_BIAS[act.ordinal()] : ACCUMULATE_THEN[act.ordinal()];
    new Job().forward(g, null, batch, x, xOff, w, wOff, bias, biasOff, ep, y, yOff, cols, colsOff);
  }

  /** The kernel without a layer object (tests), the bias and activation fused into {@code ep} from {@link #epilogue}. */
  static void forward(ConvGeometry g, int batch, float[] x, int xOff, float[] w, int wOff, Epilogue ep,
      float[] y, int yOff, float[] cols, int colsOff) {
    Objects.requireNonNull(ep, "ep");
    if (ep.accumulate() || ep.bias() == Epilogue.Bias.PER_COLUMN) {
      throw new IllegalArgumentException("a convolution's epilogue must add a PER_ROW bias (or none) and not accumulate; "
          + "build it with Conv2d.epilogue(bias, biasOff, act)");
    }
    checkForward(g, batch, x, xOff, w, wOff, y, yOff, cols, colsOff);
    new Job().forward(g, directShape(g), batch, x, xOff, w, wOff, null, 0, ep, y, yOff, cols, colsOff);
  }

  /** The kernel without a layer object (tests): {@link #backward(int, float[], int)} with every tensor named. */
  static void backward(ConvGeometry g, int batch, float[] x, int xOff, float[] w, int wOff, float[] dz,
      int dzOff, float[] dw, int dwOff, float[] dBias, int dBiasOff, float[] dx, int dxOff, boolean accumulateDx,
      float[] cols, int colsOff, float[] dcols, int dcolsOff) {
    backward(g, stride1Shape(g), batch, x, xOff, w, wOff, dz, dzOff, dw, dwOff, dBias, dBiasOff, dx, dxOff,
        accumulateDx, cols, colsOff, dcols, dcolsOff, new Job());
  }

  private static void backward(ConvGeometry g, DirectConvolution.Shape stride1, int batch, float[] x, int xOff,
      float[] w, int wOff, float[] dz, int dzOff, float[] dw, int dwOff, float[] dBias, int dBiasOff, float[] dx,
      int dxOff, boolean accumulateDx, float[] cols, int colsOff, float[] dcols, int dcolsOff, Job job) {
    Checks.nonNegativeBatch(batch);
    long in = (long) batch * g.inputSize();
    long out = (long) batch * g.outputSize();
    Checks.range("x", x, xOff, in);
    Checks.range("w", w, wOff, g.weightSize());
    Checks.range("dz", dz, dzOff, out);
    Checks.range("dw", dw, dwOff, g.weightSize());
    if (dBias != null) {
      Checks.range("dBias", dBias, dBiasOff, g.filters());
    }
    boolean pointwise = g.isPointwise();
    if (!pointwise) {
      Checks.range("cols", cols, colsOff, g.colsSize());
    }
    if (dx != null) {
      Checks.range("dx", dx, dxOff, in);
      if (!pointwise) {
        Checks.range("dcols", dcols, dcolsOff, g.colsSize());
      }
    }
    job.backward(g, stride1, batch, x, xOff, w, wOff, dz, dzOff, dw, dwOff, dBias, dBiasOff, dx, dxOff,
        accumulateDx, cols, colsOff, dcols, dcolsOff);
  }

  /** {@code prepared}: the direct path's {@link DirectConvolution#prepareWeights} of w. */
  private static void multiply(ConvGeometry g, DirectConvolution.Shape direct, float[] prepared, float[] x, int xb,
      float[] w, int wOff, Epilogue ep, float[] y, int yb, float[] cols, int colsOff, int k, int n, int f) {
    if (direct != null) {
      DIRECT.forward(direct, x, xb, w, wOff, prepared, 0, ep, y, yb, cols, colsOff);
    } else if (g.isPointwise()) {
      GEMM.gemm(Layout.NN, f, n, k, w, wOff, x, xb, y, yb, ep);
    } else {
      im2col(g, x, xb, cols, colsOff);
      GEMM.gemm(Layout.NN, f, n, k, w, wOff, cols, colsOff, y, yb, ep);
    }
  }

  /**
   * One forward or backward call split over the batch ({@link BatchSplit}): each chunk of samples is a
   * task with its own im2col scratch (the caller's {@code cols}/{@code dcols} on the calling thread, the
   * worker's own buffer elsewhere). Outputs per sample are disjoint; the weight and bias gradients go to
   * per-chunk partial buffers that are added in chunk order afterwards, so results do not depend on
   * the thread count. Its fields hold the call's arguments so that the task body allocates nothing.
   */
  private static final class Job implements IntConsumer {
    boolean backward;
    ConvGeometry g;
    /** The forward's direct geometry, or null for the GEMM path. */
    DirectConvolution.Shape direct;
    /** The backward's stride-1 col2im geometry, or null for the generic loop. */
    DirectConvolution.Shape stride1;
    int batch;
    int chunks;
    Thread caller;
    float[] x, w, bias, y, cols, dcols, dz, dw, dBias, dx;
    int xOff, wOff, biasOff, yOff, colsOff, dcolsOff, dzOff, dwOff, dBiasOff, dxOff;
    Epilogue ep;
    boolean accumulateDx;
    /** The direct path's rearranged weights, prepared from {@link #preparedFrom}. */
    float[] prepared = new float[0];
    /** The weights {@link #prepared} was made from (null before the first direct call). */
    float[] preparedFrom;
    /** Per chunk: the partial dW (weightSize floats) then the partial dBias (filters floats). */
    float[] partials = new float[0];
    /** im2col/col2im scratch of pool worker i at index i (index 0, the caller, uses cols/dcols). */
    float[][] workerCols = new float[0][];

    void forward(ConvGeometry g, DirectConvolution.Shape direct, int batch, float[] x, int xOff, float[] w, int wOff,
        float[] bias, int biasOff, Epilogue ep, float[] y, int yOff, float[] cols, int colsOff) {
      this.backward = false;
      this.g = g;
      this.direct = direct != null && keepsThreadsBusy(g, batch) ? direct : null;
      this.batch = batch;
      this.x = x;
      this.xOff = xOff;
      this.w = w;
      this.wOff = wOff;
      this.bias = bias;
      this.biasOff = biasOff;
      this.ep = ep;
      this.y = y;
      this.yOff = yOff;
      this.cols = cols;
      this.colsOff = colsOff;
      if (this.direct != null) {
        prepare(this.direct, w, wOff);
      }
      run();
    }

    /**
     * A direct convolution runs a sample on one thread, where the GEMM path splits one sample's
     * product across the threads: with fewer samples than threads, a convolution with many filters
     * goes back to the GEMM (cnn64's one-sample predict at 2 threads: 0.31 ms with its first
     * convolution on the GEMM, 0.38 with it direct). Few filters stay direct: their GEMM has little
     * to split. Either path gives the same bits.
     */
    private static boolean keepsThreadsBusy(ConvGeometry g, int batch) {
      return fewFilters(g) || BatchSplit.chunks(batch) >= Parallelism.threads();
    }

    /**
     * Rearranges the weights for the direct path unless they are bit for bit those of the last
     * preparation: comparing costs a fraction of rearranging, and needs no signal from whoever
     * changes the weights (an optimizer step, a load, a user writing the parameters).
     */
    private void prepare(DirectConvolution.Shape direct, float[] w, int wOff) {
      int size = DIRECT.preparedWeightsSize(direct);
      if (size == 0) {
        return;
      }
      int ws = g.weightSize();
      if (preparedFrom != null && Arrays.equals(w, wOff, wOff + ws, preparedFrom, 0, ws)) {
        return;
      }
      if (preparedFrom == null || preparedFrom.length != ws || prepared.length < size) {
        preparedFrom = new float[ws];
        prepared = new float[size];
      }
      System.arraycopy(w, wOff, preparedFrom, 0, ws);
      DIRECT.prepareWeights(direct, w, wOff, prepared, 0);
    }

    void backward(ConvGeometry g, DirectConvolution.Shape stride1, int batch, float[] x, int xOff, float[] w, int wOff,
        float[] dz, int dzOff, float[] dw, int dwOff, float[] dBias, int dBiasOff, float[] dx, int dxOff,
        boolean accumulateDx, float[] cols, int colsOff, float[] dcols, int dcolsOff) {
      this.backward = true;
      this.g = g;
      this.stride1 = stride1;
      this.batch = batch;
      this.x = x;
      this.xOff = xOff;
      this.w = w;
      this.wOff = wOff;
      this.dz = dz;
      this.dzOff = dzOff;
      this.dw = dw;
      this.dwOff = dwOff;
      this.dBias = dBias;
      this.dBiasOff = dBiasOff;
      this.dx = dx;
      this.dxOff = dxOff;
      this.accumulateDx = accumulateDx;
      this.cols = cols;
      this.colsOff = colsOff;
      this.dcols = dcols;
      this.dcolsOff = dcolsOff;
      int stride = g.weightSize() + g.filters();
      int chunkCount = BatchSplit.chunks(batch);
      if (chunkCount > 1 && partials.length < chunkCount * stride) {
        partials = new float[chunkCount * stride];
      }
      run();
      if (chunkCount > 1) {
        reduce(dw, dwOff, 0, g.weightSize(), chunkCount, stride);
        if (dBias != null) {
          reduce(dBias, dBiasOff, g.weightSize(), g.filters(), chunkCount, stride);
        }
      }
    }

    /** {@code out[i] += ((p_0[i] + p_1[i]) + p_2[i]) + …} over the chunks, in chunk order. */
    private void reduce(float[] out, int outOff, int at, int len, int chunkCount, int stride) {
      float[] p = partials;
      for (int i = 0; i < len; i++) {
        float s = p[at + i];
        for (int c = 1; c < chunkCount; c++) {
          s += p[c * stride + at + i];
        }
        out[outOff + i] += s;
      }
    }

    private void run() {
      chunks = BatchSplit.chunks(batch);
      caller = Thread.currentThread();
      if (workerCols.length < Parallelism.threads()) {
        workerCols = Arrays.copyOf(workerCols, Parallelism.threads());
      }
      try {
        Parallelism.forEach(chunks, this);
      } finally {
        x = w = bias = y = cols = dcols = dz = dw = dBias = dx = null;
        ep = null;
        caller = null;
      }
    }

    /**
     * A pool worker's own im2col/col2im buffer, allocated the first time that worker runs a task of this
     * layer: each worker writes only its slot of {@code workerCols}, which the caller sized before the tasks.
     */
    private float[] workerCols(int size) {
      int i = Parallelism.workerIndex();
      if (i >= workerCols.length) {
        return new float[size]; // the thread count grew mid-call: a worker beyond those sized for
      }
      float[] mine = workerCols[i];
      if (mine == null || mine.length < size) {
        mine = new float[size];
        workerCols[i] = mine;
      }
      return mine;
    }

    @Override
    public void accept(int chunk) {
      int b0 = BatchSplit.start(chunk, batch, chunks);
      int b1 = BatchSplit.start(chunk + 1, batch, chunks);
      float[] cs;
      int co;
      float[] ds;
      int dso;
      if (Thread.currentThread() == caller) {
        cs = cols;
        co = colsOff;
        ds = dcols;
        dso = dcolsOff;
      } else {
        // one buffer serves as cols and dcols: each sample uses cols before dcols
        cs = ds = g.isPointwise() ? null : workerCols(g.colsSize());
        co = dso = 0;
      }
      if (backward) {
        backwardChunk(chunk, b0, b1, cs, co, ds, dso);
      } else {
        forwardChunk(b0, b1, cs, co);
      }
    }

    private void forwardChunk(int b0, int b1, float[] cs, int co) {
      int k = g.patchSize();
      int n = g.outPixels();
      int f = g.filters();
      for (int b = b0; b < b1; b++) {
        int yb = yOff + b * g.outputSize();
        if (bias != null) {
          for (int i = 0; i < f; i++) {
            Arrays.fill(y, yb + i * n, yb + (i + 1) * n, bias[biasOff + i]);
          }
        }
        multiply(g, direct, prepared, x, xOff + b * g.inputSize(), w, wOff, ep, y, yb, cs, co, k, n, f);
      }
    }

    private void backwardChunk(int chunk, int b0, int b1, float[] cs, int co, float[] ds, int dso) {
      int k = g.patchSize();
      int n = g.outPixels();
      int f = g.filters();
      boolean pointwise = g.isPointwise();
      // with one chunk, accumulate straight into dW/dBias; otherwise into this chunk's partials
      boolean direct = chunks == 1;
      float[] gw = direct ? dw : partials;
      int gwOff = direct ? dwOff : chunk * (g.weightSize() + f);
      float[] gb = direct ? dBias : partials;
      int gbOff = direct ? dBiasOff : gwOff + g.weightSize();
      for (int b = b0; b < b1; b++) {
        int xb = xOff + b * g.inputSize();
        int dxb = dxOff + b * g.inputSize();
        int zb = dzOff + b * g.outputSize();
        Epilogue acc = direct || b > b0 ? Epilogue.ACCUMULATE : Epilogue.NONE;
        // dW[F, K] (+)= dZ[F, N] · cols[K, N]ᵀ
        if (pointwise) {
          GEMM.gemm(Layout.NT, f, k, n, dz, zb, x, xb, gw, gwOff, acc);
        } else {
          im2col(g, x, xb, cs, co);
          GEMM.gemm(Layout.NT, f, k, n, dz, zb, cs, co, gw, gwOff, acc);
        }
        if (dBias != null) {
          if (!acc.accumulate()) {
            Arrays.fill(gb, gbOff, gbOff + f, 0f);
          }
          ELEMENTWISE.addRowSums(gb, gbOff, dz, zb, f, n);
        }
        if (dx != null) {
          // dcols[K, N] = W[F, K]ᵀ · dZ[F, N]
          if (pointwise) {
            GEMM.gemm(Layout.TN, k, n, f, w, wOff, dz, zb, dx, dxb, accumulateDx ? Epilogue.ACCUMULATE : Epilogue.NONE);
          } else {
            GEMM.gemm(Layout.TN, k, n, f, w, wOff, dz, zb, ds, dso, Epilogue.NONE);
            if (stride1 != null) {
              DIRECT.col2im(stride1, ds, dso, dx, dxb, accumulateDx);
            } else {
              if (!accumulateDx) {
                Arrays.fill(dx, dxb, dxb + g.inputSize(), 0f);
              }
              col2imAdd(g, ds, dso, dx, dxb);
            }
          }
        }
      }
    }
  }

  private static void checkForward(ConvGeometry g, int batch, float[] x, int xOff, float[] w, int wOff, float[] y,
      int yOff, float[] cols, int colsOff) {
    Checks.nonNegativeBatch(batch);
    Checks.range("x", x, xOff, (long) batch * g.inputSize());
    Checks.range("w", w, wOff, g.weightSize());
    Checks.range("y", y, yOff, (long) batch * g.outputSize());
    if (!g.isPointwise()) {
      Checks.range("cols", cols, colsOff, g.colsSize());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // im2col / col2im

  /**
   * Packs one sample's receptive fields: {@code cols[(c·KH + kh)·KW + kw][oh·OW + ow] =
   * x[c][oh·SH − padTop + kh·DH][ow·SW − padLeft + kw·DW]}, 0 where that lies in the padding.
   */
  public static void im2col(ConvGeometry g, float[] x, int xOff, float[] cols, int colsOff) {
    final int c = g.channels();
    final int h = g.height();
    final int w = g.width();
    final int kh = g.kernelHeight();
    final int kw = g.kernelWidth();
    final int sh = g.strideHeight();
    final int sw = g.strideWidth();
    final int dh = g.dilationHeight();
    final int dw = g.dilationWidth();
    final int pt = g.padTop();
    final int pl = g.padLeft();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    int row = colsOff;
    // stride 1 with as many output columns as input columns (SAME padding): a cols row is the
    // plane shifted by (kh, kw) read as one flat run; only the wrapped edge columns need zeros
    boolean flat = sh == 1 && sw == 1 && ow == w;
    for (int ci = 0; ci < c; ci++) {
      int plane = xOff + ci * h * w;
      for (int ki = 0; ki < kh; ki++) {
        int ohLo = validLo(pt - ki * dh, sh, oh);
        int ohHi = validHi(h - 1 + pt - ki * dh, sh, oh, ohLo);
        for (int kj = 0; kj < kw; kj++, row += oh * ow) {
          int owLo = validLo(pl - kj * dw, sw, ow);
          int owHi = validHi(w - 1 + pl - kj * dw, sw, ow, owLo);
          if (flat) {
            im2colFlatRow(x, plane + (ohLo - pt + ki * dh) * w + kj * dw - pl, cols, row, ohLo, ohHi, oh, ow, owLo, owHi);
            continue;
          }
          Arrays.fill(cols, row, row + ohLo * ow, 0f);
          for (int o = ohLo; o < ohHi; o++) {
            int dst = row + o * ow;
            int src = plane + (o * sh - pt + ki * dh) * w - pl + kj * dw;
            for (int j = 0; j < owLo; j++) {
              cols[dst + j] = 0f;
            }
            if (sw == 1) {
              System.arraycopy(x, src + owLo, cols, dst + owLo, owHi - owLo);
            } else {
              for (int j = owLo; j < owHi; j++) {
                cols[dst + j] = x[src + j * sw];
              }
            }
            for (int j = owHi; j < ow; j++) {
              cols[dst + j] = 0f;
            }
          }
          Arrays.fill(cols, row + ohHi * ow, row + oh * ow, 0f);
        }
      }
    }
  }

  /**
   * One cols row of a stride-1 convolution with {@code ow == w}: output rows {@code [ohLo, ohHi)}
   * are the flat run of x starting at {@code src} (output row ohLo, column 0), except columns outside
   * {@code [owLo, owHi)}, which the run takes from a neighbouring input row and which are zeros;
   * rows outside {@code [ohLo, ohHi)} are zeros.
   */
  private static void im2colFlatRow(float[] x, int src, float[] cols, int row, int ohLo, int ohHi, int oh, int ow,
      int owLo, int owHi) {
    Arrays.fill(cols, row, row + ohLo * ow, 0f);
    if (ohHi > ohLo) {
      // skip the leading owLo (padding: may lie before the plane) and trailing ow - owHi entries (may lie past it)
      int first = row + ohLo * ow + owLo;
      int len = (ohHi - ohLo) * ow - owLo - (ow - owHi);
      System.arraycopy(x, src + owLo, cols, first, len);
      if (owLo > 0 || owHi < ow) {
        for (int o = ohLo; o < ohHi; o++) {
          int d = row + o * ow;
          for (int j = 0; j < owLo; j++) {
            cols[d + j] = 0f;
          }
          for (int j = owHi; j < ow; j++) {
            cols[d + j] = 0f;
          }
        }
      }
    }
    Arrays.fill(cols, row + ohHi * ow, row + oh * ow, 0f);
  }

  /**
   * The adjoint of {@link #im2col}: {@code dx[c][ih][iw] += Σ dcols[(c·KH + kh)·KW + kw][oh·OW + ow]}
   * over the windows that read {@code (ih, iw)}; padding entries are dropped.
   */
  public static void col2imAdd(ConvGeometry g, float[] dcols, int dcolsOff, float[] dx, int dxOff) {
    final int c = g.channels();
    final int h = g.height();
    final int w = g.width();
    final int kh = g.kernelHeight();
    final int kw = g.kernelWidth();
    final int sh = g.strideHeight();
    final int sw = g.strideWidth();
    final int dh = g.dilationHeight();
    final int dw = g.dilationWidth();
    final int pt = g.padTop();
    final int pl = g.padLeft();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    int row = dcolsOff;
    for (int ci = 0; ci < c; ci++) {
      int plane = dxOff + ci * h * w;
      for (int ki = 0; ki < kh; ki++) {
        int ohLo = validLo(pt - ki * dh, sh, oh);
        int ohHi = validHi(h - 1 + pt - ki * dh, sh, oh, ohLo);
        for (int kj = 0; kj < kw; kj++, row += oh * ow) {
          int owLo = validLo(pl - kj * dw, sw, ow);
          int owHi = validHi(w - 1 + pl - kj * dw, sw, ow, owLo);
          for (int o = ohLo; o < ohHi; o++) {
            int src = row + o * ow;
            int dst = plane + (o * sh - pt + ki * dh) * w - pl + kj * dw;
            if (sw == 1) {
              for (int j = owLo; j < owHi; j++) {
                dx[dst + j] += dcols[src + j];
              }
            } else {
              for (int j = owLo; j < owHi; j++) {
                dx[dst + j * sw] += dcols[src + j];
              }
            }
          }
        }
      }
    }
  }

  /** The first output index o in [0, out] with {@code o·s ≥ lead} (lead = pad − k offset). */
  private static int validLo(int lead, int s, int out) {
    if (lead <= 0) {
      return 0;
    }
    return Math.min(out, (lead + s - 1) / s);
  }

  /** One past the last output index o with {@code o·s ≤ last}, at least lo. */
  private static int validHi(int last, int s, int out, int lo) {
    if (last < 0) {
      return lo;
    }
    return Math.max(lo, Math.min(out, last / s + 1));
  }
}
