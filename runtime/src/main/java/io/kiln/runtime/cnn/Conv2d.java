package io.kiln.runtime.cnn;

import io.kiln.dsl.Activation;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;
import java.util.Objects;

/**
 * 2-D convolution (cross-correlation, as PyTorch's {@code conv2d}) over NCHW float32 tensors, as a
 * GEMM over packed patches: per sample, {@code im2col} lays the receptive fields out as a
 * {@code [C·KH·KW, OH·OW]} matrix and one GEMM multiplies the {@code [F, C·KH·KW]} weights by it,
 * writing {@code [F, OH·OW]} = the sample's NCHW output directly. Weights are PyTorch's
 * {@code [F, C, KH, KW]} layout, which is that matrix row-major.
 *
 * <p>The GEMM is {@link Vectorization#provider()}'s (Vector API when present, parallel for large
 * products); im2col/col2im are plain loops (contiguous copies at stride 1). A 1×1, stride-1,
 * unpadded convolution skips im2col and multiplies the input directly.
 *
 * <p>Nothing is allocated per call: the caller passes the {@code cols}/{@code dcols} scratch
 * ({@link ConvGeometry#colsSize()} floats each). The oracle is {@link ConvReference}.
 */
public final class Conv2d {
  private static final GemmKernel GEMM = Vectorization.provider().gemm();
  private static final Epilogue[] NO_BIAS = new Epilogue[Activation.values().length];
  private static final Epilogue[] ACCUMULATE_THEN = new Epilogue[Activation.values().length];

  static {
    for (Activation a : Activation.values()) {
      NO_BIAS[a.ordinal()] = Epilogue.of(false, Epilogue.Bias.NONE, null, 0, a);
      ACCUMULATE_THEN[a.ordinal()] = Epilogue.of(true, Epilogue.Bias.NONE, null, 0, a);
    }
  }

  private Conv2d() {}

  /**
   * The fused epilogue {@link #forward(ConvGeometry, int, float[], int, float[], int, Epilogue, float[], int, float[], int)}
   * wants: bias per output channel (row of the GEMM), then the activation. Build it once (e.g. in a
   * generated model's constructor) and reuse it. {@code bias} may be null.
   */
  public static Epilogue epilogue(float[] bias, int biasOff, Activation act) {
    Objects.requireNonNull(act, "act");
    return bias == null ? NO_BIAS[act.ordinal()] : Epilogue.of(false, Epilogue.Bias.PER_ROW, bias, biasOff, act);
  }

  /**
   * {@code y[b] = act(W[F, C·KH·KW] · im2col(x[b]) + bias[F])} for every sample {@code b < batch}: one
   * GEMM (NN) per sample. {@code bias} may be null.
   *
   * <p>Without a prebuilt epilogue the bias is first broadcast into {@code y[b]} and the GEMM
   * accumulates onto it and applies {@code act} (same result up to rounding order, no allocation); the
   * overload taking an {@link Epilogue} from {@link #epilogue} fuses the bias into the GEMM's store.
   *
   * @param cols scratch of at least {@link ConvGeometry#colsSize()} floats (unused for 1×1 stride-1 unpadded)
   */
  public static void forward(ConvGeometry g, int batch, float[] x, int xOff, float[] w, int wOff, float[] bias,
      int biasOff, Activation act, float[] y, int yOff, float[] cols, int colsOff) {
    Objects.requireNonNull(act, "act");
    if (bias != null) {
      CnnChecks.range("bias", bias, biasOff, g.filters());
    }
    checkForward(g, batch, x, xOff, w, wOff, y, yOff, cols, colsOff);
    int k = g.patchSize();
    int n = g.outPixels();
    int f = g.filters();
    Epilogue ep = bias == null ? NO_BIAS[act.ordinal()] : ACCUMULATE_THEN[act.ordinal()];
    for (int b = 0; b < batch; b++) {
      int yb = yOff + b * g.outputSize();
      if (bias != null) {
        for (int i = 0; i < f; i++) {
          Arrays.fill(y, yb + i * n, yb + (i + 1) * n, bias[biasOff + i]);
        }
      }
      multiply(g, x, xOff + b * g.inputSize(), w, wOff, ep, y, yb, cols, colsOff, k, n, f);
    }
  }

  /**
   * As {@link #forward(ConvGeometry, int, float[], int, float[], int, float[], int, Activation, float[], int, float[], int)}
   * with the bias and activation fused into the GEMM's store: {@code ep} from {@link #epilogue} (bias
   * {@code PER_ROW} of length F, or none; not accumulating).
   */
  public static void forward(ConvGeometry g, int batch, float[] x, int xOff, float[] w, int wOff, Epilogue ep,
      float[] y, int yOff, float[] cols, int colsOff) {
    Objects.requireNonNull(ep, "ep");
    if (ep.accumulate() || ep.bias() == Epilogue.Bias.PER_COLUMN) {
      throw new IllegalArgumentException("a convolution's epilogue must add a PER_ROW bias (or none) and not accumulate; "
          + "build it with Conv2d.epilogue(bias, biasOff, act)");
    }
    checkForward(g, batch, x, xOff, w, wOff, y, yOff, cols, colsOff);
    for (int b = 0; b < batch; b++) {
      multiply(g, x, xOff + b * g.inputSize(), w, wOff, ep, y, yOff + b * g.outputSize(), cols, colsOff,
          g.patchSize(), g.outPixels(), g.filters());
    }
  }

  private static void multiply(ConvGeometry g, float[] x, int xb, float[] w, int wOff, Epilogue ep, float[] y,
      int yb, float[] cols, int colsOff, int k, int n, int f) {
    if (g.isPointwise()) {
      GEMM.gemm(Layout.NN, f, n, k, w, wOff, k, x, xb, n, y, yb, n, ep);
    } else {
      im2col(g, x, xb, cols, colsOff);
      GEMM.gemm(Layout.NN, f, n, k, w, wOff, k, cols, colsOff, n, y, yb, n, ep);
    }
  }

  /**
   * Backward of {@link #forward}, given {@code dZ} (the gradient after the activation's derivative was
   * applied by the caller), for all samples:
   *
   * <ul>
   *   <li>{@code dW += Σ_b dZ[b] · im2col(x[b])ᵀ} (GEMM NT, accumulating);
   *   <li>{@code dBias += } the row sums of {@code dZ[b]} (per output channel), if {@code dBias} is not null;
   *   <li>if {@code dx} is not null: {@code dx[b] = col2im(Wᵀ · dZ[b])} (GEMM TN into {@code dcols}),
   *       or {@code +=} when {@code accumulateDx}.
   * </ul>
   *
   * @param cols scratch of {@link ConvGeometry#colsSize()} floats (im2col of x is recomputed here)
   * @param dcols scratch of {@link ConvGeometry#colsSize()} floats (unused when dx is null); may be the
   *     same array region as {@code cols}: each sample uses cols before dcols
   */
  public static void backward(ConvGeometry g, int batch, float[] x, int xOff, float[] w, int wOff, float[] dz,
      int dzOff, float[] dw, int dwOff, float[] dBias, int dBiasOff, float[] dx, int dxOff, boolean accumulateDx,
      float[] cols, int colsOff, float[] dcols, int dcolsOff) {
    CnnChecks.batch(batch);
    long in = (long) batch * g.inputSize();
    long out = (long) batch * g.outputSize();
    CnnChecks.range("x", x, xOff, in);
    CnnChecks.range("w", w, wOff, g.weightSize());
    CnnChecks.range("dz", dz, dzOff, out);
    CnnChecks.range("dw", dw, dwOff, g.weightSize());
    if (dBias != null) {
      CnnChecks.range("dBias", dBias, dBiasOff, g.filters());
    }
    boolean pointwise = g.isPointwise();
    if (!pointwise) {
      CnnChecks.range("cols", cols, colsOff, g.colsSize());
    }
    if (dx != null) {
      CnnChecks.range("dx", dx, dxOff, in);
      if (!pointwise) {
        CnnChecks.range("dcols", dcols, dcolsOff, g.colsSize());
      }
    }
    int k = g.patchSize();
    int n = g.outPixels();
    int f = g.filters();
    for (int b = 0; b < batch; b++) {
      int xb = xOff + b * g.inputSize();
      int dxb = dxOff + b * g.inputSize();
      int zb = dzOff + b * g.outputSize();
      // dW[F, K] += dZ[F, N] · cols[K, N]ᵀ
      if (pointwise) {
        GEMM.gemm(Layout.NT, f, k, n, dz, zb, n, x, xb, n, dw, dwOff, k, Epilogue.ACCUMULATE);
      } else {
        im2col(g, x, xb, cols, colsOff);
        GEMM.gemm(Layout.NT, f, k, n, dz, zb, n, cols, colsOff, n, dw, dwOff, k, Epilogue.ACCUMULATE);
      }
      if (dBias != null) {
        for (int i = 0; i < f; i++) {
          dBias[dBiasOff + i] += rowSum(dz, zb + i * n, n);
        }
      }
      if (dx != null) {
        // dcols[K, N] = W[F, K]ᵀ · dZ[F, N]
        if (pointwise) {
          GEMM.gemm(Layout.TN, k, n, f, w, wOff, k, dz, zb, n, dx, dxb, n,
              accumulateDx ? Epilogue.ACCUMULATE : Epilogue.NONE);
        } else {
          GEMM.gemm(Layout.TN, k, n, f, w, wOff, k, dz, zb, n, dcols, dcolsOff, n, Epilogue.NONE);
          if (!accumulateDx) {
            Arrays.fill(dx, dxb, dxb + g.inputSize(), 0f);
          }
          col2imAdd(g, dcols, dcolsOff, dx, dxb);
        }
      }
    }
  }

  private static void checkForward(ConvGeometry g, int batch, float[] x, int xOff, float[] w, int wOff, float[] y,
      int yOff, float[] cols, int colsOff) {
    CnnChecks.batch(batch);
    CnnChecks.range("x", x, xOff, (long) batch * g.inputSize());
    CnnChecks.range("w", w, wOff, g.weightSize());
    CnnChecks.range("y", y, yOff, (long) batch * g.outputSize());
    if (!g.isPointwise()) {
      CnnChecks.range("cols", cols, colsOff, g.colsSize());
    }
  }

  /** A row sum with four independent accumulators (ILP; C2 does not reorder float additions). */
  static float rowSum(float[] a, int off, int n) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += a[off + i];
      s1 += a[off + i + 1];
      s2 += a[off + i + 2];
      s3 += a[off + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[off + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  // ---------------------------------------------------------------------------------------------
  // im2col / col2im

  /**
   * Packs one sample's receptive fields: {@code cols[(c·KH + kh)·KW + kw][oh·OW + ow] =
   * x[c][oh·S − padTop + kh][ow·S − padLeft + kw]}, 0 where that lies in the padding.
   */
  public static void im2col(ConvGeometry g, float[] x, int xOff, float[] cols, int colsOff) {
    final int c = g.channels();
    final int h = g.height();
    final int w = g.width();
    final int kh = g.kernelHeight();
    final int kw = g.kernelWidth();
    final int s = g.stride();
    final int pt = g.padTop();
    final int pl = g.padLeft();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    int row = colsOff;
    for (int ci = 0; ci < c; ci++) {
      int plane = xOff + ci * h * w;
      for (int ki = 0; ki < kh; ki++) {
        int ohLo = validLo(pt - ki, s, oh);
        int ohHi = validHi(h - 1 + pt - ki, s, oh, ohLo);
        for (int kj = 0; kj < kw; kj++, row += oh * ow) {
          int owLo = validLo(pl - kj, s, ow);
          int owHi = validHi(w - 1 + pl - kj, s, ow, owLo);
          Arrays.fill(cols, row, row + ohLo * ow, 0f);
          for (int o = ohLo; o < ohHi; o++) {
            int dst = row + o * ow;
            int src = plane + (o * s - pt + ki) * w - pl + kj;
            for (int j = 0; j < owLo; j++) {
              cols[dst + j] = 0f;
            }
            if (s == 1) {
              System.arraycopy(x, src + owLo, cols, dst + owLo, owHi - owLo);
            } else {
              for (int j = owLo; j < owHi; j++) {
                cols[dst + j] = x[src + j * s];
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
   * The adjoint of {@link #im2col}: {@code dx[c][ih][iw] += Σ dcols[(c·KH + kh)·KW + kw][oh·OW + ow]}
   * over the windows that read {@code (ih, iw)}; padding entries are dropped.
   */
  public static void col2imAdd(ConvGeometry g, float[] dcols, int dcolsOff, float[] dx, int dxOff) {
    final int c = g.channels();
    final int h = g.height();
    final int w = g.width();
    final int kh = g.kernelHeight();
    final int kw = g.kernelWidth();
    final int s = g.stride();
    final int pt = g.padTop();
    final int pl = g.padLeft();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    int row = dcolsOff;
    for (int ci = 0; ci < c; ci++) {
      int plane = dxOff + ci * h * w;
      for (int ki = 0; ki < kh; ki++) {
        int ohLo = validLo(pt - ki, s, oh);
        int ohHi = validHi(h - 1 + pt - ki, s, oh, ohLo);
        for (int kj = 0; kj < kw; kj++, row += oh * ow) {
          int owLo = validLo(pl - kj, s, ow);
          int owHi = validHi(w - 1 + pl - kj, s, ow, owLo);
          for (int o = ohLo; o < ohHi; o++) {
            int src = row + o * ow;
            int dst = plane + (o * s - pt + ki) * w - pl + kj;
            if (s == 1) {
              for (int j = owLo; j < owHi; j++) {
                dx[dst + j] += dcols[src + j];
              }
            } else {
              for (int j = owLo; j < owHi; j++) {
                dx[dst + j * s] += dcols[src + j];
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
