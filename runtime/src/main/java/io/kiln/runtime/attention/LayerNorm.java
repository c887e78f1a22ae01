package io.kiln.runtime.attention;

import io.kiln.runtime.At;
import io.kiln.runtime.Checks;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.simd.LayerNormKernels;
import io.kiln.runtime.simd.Vectorization;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * Layer normalization over the last axis of a {@code [rows, n]} tensor (rows = B·T), PyTorch's
 * {@code nn.LayerNorm(n, eps)}: {@code y = (u − mean)/√(var + eps)·γ + β} with the biased
 * variance, optionally fused with the residual add in front of it ({@code u = x + r}, the
 * Transformer's {@code LN(x + sublayer(x))}); γ, β may be null ({@code elementwise_affine=False}).
 *
 * <p>Forward saves the mean and {@code rstd = 1/√(var + eps)} per row (and, with a residual, the
 * sum {@code u}) for {@link #backward}. The row passes are {@link LayerNormKernels} (statistics
 * in double: the mean, then the squared deviations from it). Work: forward and ∂u in fixed chunks
 * of {@value #ROWS_PER_TASK} rows;
 * ∂γ, ∂β in fixed chunks of {@value #COLUMNS_PER_TASK} columns, each summed over the rows in row
 * order. So results do not depend on the thread count. Nothing is allocated per call. The oracle
 * is {@code LayerNormReference} (in the tests).
 *
 * <p>A layer is built once with its width and where its parameters, outputs and gradients live; a
 * step then calls {@code ln.forward(rows, x, xOff)} (or with the residual {@code r}) and {@code
 * ln.backward(rows, u, uOff)}. Inputs are passed per call because they may be the caller's arrays.
 * A layer object is not for concurrent use by two threads.
 */
public final class LayerNorm {
  private static final LayerNormKernels K = Vectorization.provider().layerNorm();
  static final int ROWS_PER_TASK = 32;
  static final int COLUMNS_PER_TASK = 64;
  private final int n;
  private final float eps;
  private final At gamma;
  private final At beta;
  private final At sum;
  private final At y;
  private final At mean;
  private final At rstd;
  private final At dy;
  private final At dGamma;
  private final At dBeta;
  private final At du;
  private final boolean accumulateDu;
  private final Call call = new Call();

  private LayerNorm(Builder b) {
    this.n = b.n;
    this.eps = b.eps;
    this.gamma = b.gamma;
    this.beta = b.beta;
    this.sum = b.sum;
    this.y = Objects.requireNonNull(b.y, "output");
    this.mean = b.mean;
    this.rstd = b.rstd;
    this.dy = b.dy;
    this.dGamma = b.dGamma;
    this.dBeta = b.dBeta;
    this.du = b.du;
    this.accumulateDu = b.accumulateDu;
  }

  /** A builder for layer normalization over rows of {@code n} values. */
  public static Builder of(int n, float eps) {
    return new Builder(n, eps);
  }

  /** {@code y = LN(x)} over {@code rows} rows of x. */
  public void forward(int rows, float[] x, int xOff) {
    forward(rows, n, eps, x, xOff, null, 0, null, 0, gamma.array(), gamma.offset(), beta.array(), beta.offset(),
        y.array(), y.offset(), mean.array(), mean.offset(), rstd.array(), rstd.offset(), call);
  }

  /** {@code sum = x + r} and {@code y = LN(sum)} in one pass ({@link Builder#residualSum} names where sum goes). */
  public void forward(int rows, float[] x, int xOff, float[] r, int rOff) {
    Objects.requireNonNull(r, "r");
    forward(rows, n, eps, x, xOff, r, rOff, sum.array(), sum.offset(), gamma.array(), gamma.offset(), beta.array(),
        beta.offset(), y.array(), y.offset(), mean.array(), mean.offset(), rstd.array(), rstd.offset(), call);
  }

  /** Gradients of the last forward, whose normalized input was {@code u} (the sum with a residual, else x). */
  public void backward(int rows, float[] u, int uOff) {
    backward(rows, n, u, uOff, gamma.array(), gamma.offset(), mean.array(), mean.offset(), rstd.array(), rstd.offset(),
        dy.array(), dy.offset(), du.array(), du.offset(), accumulateDu, dGamma.array(), dGamma.offset(), dBeta.array(),
        dBeta.offset(), call);
  }

  /** Collects where a layer norm's tensors live; every optional one defaults to {@link At#NONE}. */
  public static final class Builder {
    private final int n;
    private final float eps;
    private At gamma = At.NONE;
    private At beta = At.NONE;
    private At sum = At.NONE;
    private At y;
    private At mean = At.NONE;
    private At rstd = At.NONE;
    private At dy = At.NONE;
    private At dGamma = At.NONE;
    private At dBeta = At.NONE;
    private At du = At.NONE;
    private boolean accumulateDu;

    private Builder(int n, float eps) {
      this.n = n;
      this.eps = eps;
    }

    /** {@code [n]} γ and β; {@link At#NONE} for 1 and 0 ({@code elementwise_affine=False}). */
    public Builder parameters(At gamma, At beta) {
      this.gamma = gamma;
      this.beta = beta;
      return this;
    }

    /** Where the residual forward writes {@code x + r} ({@code [rows, n]}, backward's input). */
    public Builder residualSum(At sum) {
      this.sum = sum;
      return this;
    }

    /** {@code [rows, n]} output and the {@code [rows]} mean and rstd kept for backward. */
    public Builder output(At y, At mean, At rstd) {
      this.y = y;
      this.mean = mean;
      this.rstd = rstd;
      return this;
    }

    /** ∂L/∂y read by backward, and the accumulated ({@code +=}) γ and β gradients ({@link At#NONE} to skip). */
    public Builder gradients(At dy, At dGamma, At dBeta) {
      this.dy = dy;
      this.dGamma = dGamma;
      this.dBeta = dBeta;
      return this;
    }

    /** ∂L/∂u, written or (with {@code accumulate}) added to; it may be the same region as dy when not accumulating. */
    public Builder inputGradient(At du, boolean accumulate) {
      this.du = du;
      this.accumulateDu = accumulate;
      return this;
    }

    public LayerNorm build() {
      return new LayerNorm(this);
    }
  }

  /**
   * {@code y = LN(x [+ r])} row by row.
   *
   * @param r the residual {@code [rows, n]} added to x first, or null for none
   * @param sum {@code [rows, n]}: receives {@code x + r} when r is given (backward's input); ignored
   *     (may be null) otherwise. May alias x (then x is overwritten with the sum).
   * @param gamma {@code [n]} or null (1); {@code beta} {@code [n]} or null (0)
   * @param y {@code [rows, n]}; may alias x or sum
   * @param mean {@code [rows]} written; {@code rstd} {@code [rows]} written
   */
  static void forward(int rows, int n, float eps, float[] x, int xOff, float[] r, int rOff, float[] sum,
      int sumOff, float[] gamma, int gammaOff, float[] beta, int betaOff, float[] y, int yOff, float[] mean,
      int meanOff, float[] rstd, int rstdOff) {
    forward(rows, n, eps, x, xOff, r, rOff, sum, sumOff, gamma, gammaOff, beta, betaOff, y, yOff, mean, meanOff, rstd,
        rstdOff, new Call());
  }

  private static void forward(int rows, int n, float eps, float[] x, int xOff, float[] r, int rOff, float[] sum,
      int sumOff, float[] gamma, int gammaOff, float[] beta, int betaOff, float[] y, int yOff, float[] mean,
      int meanOff, float[] rstd, int rstdOff, Call c) {
    Checks.positive("rows", rows);
    Checks.positive("n", n);
    long size = (long) rows * n;
    Checks.range("x", x, xOff, size);
    if (r != null) {
      Checks.range("r", r, rOff, size);
      Checks.range("sum", sum, sumOff, size);
    }
    Checks.optionalRange("gamma", gamma, gammaOff, n);
    Checks.optionalRange("beta", beta, betaOff, n);
    Checks.range("y", y, yOff, size);
    Checks.range("mean", mean, meanOff, rows);
    Checks.range("rstd", rstd, rstdOff, rows);
    if (!(eps >= 0f)) {
      throw new IllegalArgumentException("eps must be >= 0 but was " + eps);
    }
    c.mode = Call.FORWARD;
    c.rows = rows;
    c.n = n;
    c.eps = eps;
    c.x = x;
    c.xOff = xOff;
    c.r = r;
    c.rOff = rOff;
    c.sum = sum;
    c.sumOff = sumOff;
    c.gamma = gamma;
    c.gammaOff = gammaOff;
    c.beta = beta;
    c.betaOff = betaOff;
    c.y = y;
    c.yOff = yOff;
    c.mean = mean;
    c.meanOff = meanOff;
    c.rstd = rstd;
    c.rstdOff = rstdOff;
    try {
      Parallelism.forEach((rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK, c);
    } finally {
      c.clear();
    }
  }

  /**
   * Gradients of {@link #forward}.
   *
   * @param u the normalized input: {@code sum} when forward had a residual, else {@code x}
   * @param dy {@code [rows, n]} ∂L/∂y
   * @param du {@code [rows, n]} ∂L/∂u, written or added to ({@code accumulate}); with a residual it
   *     is the gradient of both x and r (the caller routes it to both branches). May alias dy when
   *     not accumulating; null to skip.
   * @param dGamma {@code [n]} accumulated ({@code +=}), or null; {@code dBeta} likewise
   */
  static void backward(int rows, int n, float[] u, int uOff, float[] gamma, int gammaOff, float[] mean,
      int meanOff, float[] rstd, int rstdOff, float[] dy, int dyOff, float[] du, int duOff, boolean accumulate,
      float[] dGamma, int dGammaOff, float[] dBeta, int dBetaOff) {
    backward(rows, n, u, uOff, gamma, gammaOff, mean, meanOff, rstd, rstdOff, dy, dyOff, du, duOff, accumulate, dGamma,
        dGammaOff, dBeta, dBetaOff, new Call());
  }

  private static void backward(int rows, int n, float[] u, int uOff, float[] gamma, int gammaOff, float[] mean,
      int meanOff, float[] rstd, int rstdOff, float[] dy, int dyOff, float[] du, int duOff, boolean accumulate,
      float[] dGamma, int dGammaOff, float[] dBeta, int dBetaOff, Call c) {
    Checks.positive("rows", rows);
    Checks.positive("n", n);
    long size = (long) rows * n;
    Checks.range("u", u, uOff, size);
    Checks.optionalRange("gamma", gamma, gammaOff, n);
    Checks.range("mean", mean, meanOff, rows);
    Checks.range("rstd", rstd, rstdOff, rows);
    Checks.range("dy", dy, dyOff, size);
    Checks.optionalRange("du", du, duOff, size);
    Checks.optionalRange("dGamma", dGamma, dGammaOff, n);
    Checks.optionalRange("dBeta", dBeta, dBetaOff, n);
    c.rows = rows;
    c.n = n;
    c.x = u;
    c.xOff = uOff;
    c.gamma = gamma;
    c.gammaOff = gammaOff;
    c.mean = mean;
    c.meanOff = meanOff;
    c.rstd = rstd;
    c.rstdOff = rstdOff;
    c.dy = dy;
    c.dyOff = dyOff;
    c.y = du;
    c.yOff = duOff;
    c.accumulate = accumulate;
    c.dGamma = dGamma;
    c.dGammaOff = dGammaOff;
    c.dBeta = dBeta;
    c.dBetaOff = dBetaOff;
    try {
      // parameter gradients first: du may alias dy
      if (dGamma != null || dBeta != null) {
        c.mode = Call.PARAMS;
        Parallelism.forEach((n + COLUMNS_PER_TASK - 1) / COLUMNS_PER_TASK, c);
      }
      if (du != null) {
        c.mode = Call.INPUT;
        Parallelism.forEach((rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK, c);
      }
    } finally {
      c.clear();
    }
  }

  private static final class Call implements IntConsumer {
    static final int FORWARD = 0;
    static final int PARAMS = 1;
    static final int INPUT = 2;
    int mode;
    int rows;
    int n;
    float eps;
    float[] x;
    int xOff;
    float[] r;
    int rOff;
    float[] sum;
    int sumOff;
    float[] gamma;
    int gammaOff;
    float[] beta;
    int betaOff;
    float[] y;
    int yOff;
    float[] mean;
    int meanOff;
    float[] rstd;
    int rstdOff;
    float[] dy;
    int dyOff;
    boolean accumulate;
    float[] dGamma;
    int dGammaOff;
    float[] dBeta;
    int dBetaOff;

    void clear() {
      x = r = sum = gamma = beta = y = mean = rstd = dy = dGamma = dBeta = null;
    }

    @Override
    public void accept(int task) {
      switch (mode) {
        case FORWARD -> forwardRows(task);
        case PARAMS -> parameterColumns(task);
        default -> inputRows(task);
      }
    }

    private void forwardRows(int task) {
      int end = Math.min(rows, (task + 1) * ROWS_PER_TASK);
      for (int row = task * ROWS_PER_TASK; row < end; row++) {
        float[] in = x;
        int ui = xOff + row * n;
        if (r != null) {
          int si = sumOff + row * n;
          K.add(sum, si, x, ui, r, rOff + row * n, n);
          in = sum;
          ui = si;
        }
        K.statistics(in, ui, n, eps, mean, meanOff + row, rstd, rstdOff + row);
        K.normalize(y, yOff + row * n, in, ui, n, mean[meanOff + row], rstd[rstdOff + row], gamma, gammaOff, beta,
            betaOff);
      }
    }

    /** Every row in order, so each column's sums do not depend on the thread count. */
    private void parameterColumns(int task) {
      int j0 = task * COLUMNS_PER_TASK;
      int width = Math.min(n, j0 + COLUMNS_PER_TASK) - j0;
      for (int row = 0; row < rows; row++) {
        K.accumulateParameterGradients(dGamma, dGammaOff + j0, dBeta, dBetaOff + j0, dy, dyOff + row * n + j0, x,
            xOff + row * n + j0, width, mean[meanOff + row], rstd[rstdOff + row]);
      }
    }

    private void inputRows(int task) {
      int end = Math.min(rows, (task + 1) * ROWS_PER_TASK);
      for (int row = task * ROWS_PER_TASK; row < end; row++) {
        K.inputGradient(y, yOff + row * n, accumulate, dy, dyOff + row * n, x, xOff + row * n, n, mean[meanOff + row],
            rstd[rstdOff + row], gamma, gammaOff);
      }
    }
  }
}
