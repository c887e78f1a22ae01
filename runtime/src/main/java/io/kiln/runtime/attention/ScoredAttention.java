package io.kiln.runtime.attention;

import io.kiln.runtime.At;
import io.kiln.runtime.Checks;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.simd.ElementwiseKernels;
import io.kiln.runtime.simd.FastMath;
import io.kiln.runtime.simd.Vectorization;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * Encoder–decoder (Luong / Bahdanau) attention: decoder states {@code s [B, Tq, n]} score the
 * encoder states {@code h [B, Tk, n]}, {@code α = softmax over keys}, and the context is
 * {@code c_i = Σ_j α_ij h_j [B, Tq, n]}. Scores ({@link Score}):
 *
 * <ul>
 *   <li>{@code DOT}: {@code e_ij = s_i · h_j} (Luong "dot");
 *   <li>{@code GENERAL}: {@code e_ij = s_iᵀ W h_j}, {@code W [n, n]} in {@code w1} (Luong
 *       "general"; {@code W h_j} is PyTorch's {@code nn.Linear(n, n, bias=False)} applied to h);
 *   <li>{@code ADDITIVE}: {@code e_ij = vᵀ tanh(W1 s_i + W2 h_j)}, {@code W1 [a, n]} in {@code w1},
 *       {@code W2 [a, n]} in {@code w2}, {@code v [a]} (Bahdanau; PyTorch Linear layouts, no biases).
 * </ul>
 *
 * <p>Sequences here are short (Tq, Tk up to ~64), so α is materialized: {@link #forward} keeps it
 * (and the projections {@code W h} or {@code W1 s}, {@code W2 h}) in a workspace that
 * {@link #backward} reads. The projections and the weight/input gradients of the projections are
 * {@link Vectorization#provider()} GEMMs over all {@code B·T} rows at once; the scores, softmax,
 * context and their gradients run per batch element as {@link Parallelism} tasks (one per
 * element, disjoint outputs), the element's products as small GEMMs ({@code s·hᵀ}, {@code α·h},
 * {@code ∂c·hᵀ}, {@code αᵀ·∂c}, {@code ∂e·h}, {@code ∂eᵀ·s}) and its softmax as the vector
 * softmax; Bahdanau's {@code ∂v} is summed per element in scratch and reduced in element order.
 * Results do not depend on the thread count; exp and tanh are {@link FastMath}'s bits.
 * Nothing is allocated per call. The test oracle is {@code ScoredAttentionReference}.
 *
 * <p>A layer object is built once with the score, the widths and where its weights, outputs,
 * workspace and gradients live; a step then calls {@code attn.forward(batch, tq, tk, s, sOff, h,
 * hOff)} and {@code attn.backward(...)} with the same inputs (passed per call because they may be
 * the caller's arrays). It is not for concurrent use by two threads.
 */
public final class ScoredAttention {
  /** How decoder state i scores encoder state j. */
  public enum Score {
    DOT,
    GENERAL,
    ADDITIVE
  }

  private static final GemmKernel GEMM = Vectorization.provider().gemm();
  private static final ElementwiseKernels OPS = Vectorization.provider().elementwise();

  private final Score kind;
  private final int n;
  private final int attn;
  private final At w1;
  private final At w2;
  private final At v;
  private final At context;
  private final At alpha;
  private final At workspace;
  private final At dContext;
  private final At ds;
  private final At dh;
  private final boolean accumulate;
  private final At dW1;
  private final At dW2;
  private final At dV;
  private final At scratch;
  private final Call call = new Call();

  private ScoredAttention(Builder b) {
    this.kind = b.kind;
    this.n = b.n;
    this.attn = b.attn;
    this.w1 = b.w1;
    this.w2 = b.w2;
    this.v = b.v;
    this.context = Objects.requireNonNull(b.context, "output");
    this.alpha = b.alpha;
    this.workspace = Objects.requireNonNull(b.workspace, "workspace");
    this.dContext = b.dContext;
    this.ds = b.ds;
    this.dh = b.dh;
    this.accumulate = b.accumulate;
    this.dW1 = b.dW1;
    this.dW2 = b.dW2;
    this.dV = b.dV;
    this.scratch = b.scratch;
  }

  /** A builder for {@code kind} attention over states of width {@code n} ({@code attn}: ADDITIVE's hidden width, else ignored). */
  public static Builder of(Score kind, int n, int attn) {
    return new Builder(Objects.requireNonNull(kind, "kind"), n, attn);
  }

  /** The context of decoder states {@code s [B, Tq, n]} over encoder states {@code h [B, Tk, n]}. */
  public void forward(int batch, int tq, int tk, float[] s, int sOff, float[] h, int hOff) {
    forward(kind, batch, tq, tk, n, attn, s, sOff, h, hOff, w1.array(), w1.offset(), w2.array(), w2.offset(), v.array(),
        v.offset(), context.array(), context.offset(), alpha.array(), alpha.offset(), workspace.array(),
        workspace.offset(), call);
  }

  /** Gradients of the last {@link #forward} (same sizes and inputs). */
  public void backward(int batch, int tq, int tk, float[] s, int sOff, float[] h, int hOff) {
    if (!dContext.present() || !scratch.present()) {
      throw new IllegalStateException("an attention built without gradients and scratch cannot run backward");
    }
    backward(kind, batch, tq, tk, n, attn, s, sOff, h, hOff, w1.array(), w1.offset(), w2.array(), w2.offset(), v.array(),
        v.offset(), dContext.array(), dContext.offset(), ds.array(), ds.offset(), dh.array(), dh.offset(), accumulate,
        dW1.array(), dW1.offset(), dW2.array(), dW2.offset(), dV.array(), dV.offset(), workspace.array(),
        workspace.offset(), scratch.array(), scratch.offset(), call);
  }

  /** Collects where an attention's tensors live; every optional one defaults to {@link At#NONE}. */
  public static final class Builder {
    private final Score kind;
    private final int n;
    private final int attn;
    private At w1 = At.NONE;
    private At w2 = At.NONE;
    private At v = At.NONE;
    private At context;
    private At alpha = At.NONE;
    private At workspace;
    private At dContext = At.NONE;
    private At ds = At.NONE;
    private At dh = At.NONE;
    private boolean accumulate;
    private At dW1 = At.NONE;
    private At dW2 = At.NONE;
    private At dV = At.NONE;
    private At scratch = At.NONE;

    private Builder(Score kind, int n, int attn) {
      this.kind = kind;
      this.n = n;
      this.attn = attn;
    }

    /** GENERAL: W in w1; ADDITIVE: W1, W2 and v; DOT: none. */
    public Builder weights(At w1, At w2, At v) {
      this.w1 = w1;
      this.w2 = w2;
      this.v = v;
      return this;
    }

    /** The context {@code [B, Tq, n]} and, unless {@link At#NONE}, the weights α {@code [B, Tq, Tk]}. */
    public Builder output(At context, At alpha) {
      this.context = context;
      this.alpha = alpha;
      return this;
    }

    /** {@link #workspaceFloats} floats that forward writes and backward reads. */
    public Builder workspace(At workspace) {
      this.workspace = workspace;
      return this;
    }

    /** ∂L/∂context read by backward, and the accumulated ({@code +=}) weight gradients. */
    public Builder gradients(At dContext, At dW1, At dW2, At dV) {
      this.dContext = dContext;
      this.dW1 = dW1;
      this.dW2 = dW2;
      this.dV = dV;
      return this;
    }

    /** ∂L/∂s and ∂L/∂h, written or (with {@code accumulate}) added to; {@link At#NONE} skips one. */
    public Builder inputGradients(At ds, At dh, boolean accumulate) {
      this.ds = ds;
      this.dh = dh;
      this.accumulate = accumulate;
      return this;
    }

    /** {@link #backwardScratchFloats} floats of backward working memory. */
    public Builder scratch(At scratch) {
      this.scratch = scratch;
      return this;
    }

    public ScoredAttention build() {
      return new ScoredAttention(this);
    }
  }

  /**
   * Floats of the workspace {@link #forward} writes and {@link #backward} reads: α
   * {@code [B, Tq, Tk]}, then GENERAL {@code W h [B, Tk, n]}, ADDITIVE {@code W1 s [B, Tq, a]} and
   * {@code W2 h [B, Tk, a]}. {@code attn} (a) is ignored unless ADDITIVE.
   */
  public static int workspaceFloats(Score kind, int batch, int tq, int tk, int n, int attn) {
    check(kind, batch, tq, tk, n, attn);
    long f = (long) batch * tq * tk;
    switch (kind) {
      case GENERAL -> f += (long) batch * tk * n;
      case ADDITIVE -> f += (long) batch * (tq + tk) * attn;
      default -> { }
    }
    return Math.toIntExact(f);
  }

  /**
   * Floats of {@link #backward}'s scratch: ∂e {@code [B, Tq, Tk]}, then GENERAL ∂(W h)
   * {@code [B, Tk, n]}, ADDITIVE ∂(W1 s) {@code [B, Tq, a]}, ∂(W2 h) {@code [B, Tk, a]} and per
   * element ∂v {@code [B, a]}.
   */
  public static int backwardScratchFloats(Score kind, int batch, int tq, int tk, int n, int attn) {
    check(kind, batch, tq, tk, n, attn);
    long f = (long) batch * tq * tk;
    switch (kind) {
      case GENERAL -> f += (long) batch * tk * n;
      case ADDITIVE -> f += (long) batch * (tq + tk + 1) * attn;
      default -> { }
    }
    return Math.toIntExact(f);
  }

  /**
   * Context {@code [B, Tq, n]} and, when {@code alpha} is not null, the attention weights
   * {@code α [B, Tq, Tk]}.
   *
   * @param w1 GENERAL: W {@code [n, n]}; ADDITIVE: W1 {@code [a, n]}; DOT: ignored (may be null)
   * @param w2 ADDITIVE: W2 {@code [a, n]}; otherwise ignored
   * @param v ADDITIVE: v {@code [a]}; otherwise ignored
   * @param workspace {@link #workspaceFloats} floats at {@code wsOff}; keep for {@link #backward}
   */
  static void forward(Score kind, int batch, int tq, int tk, int n, int attn, float[] s, int sOff,
      float[] h, int hOff, float[] w1, int w1Off, float[] w2, int w2Off, float[] v, int vOff,
      float[] context, int cOff, float[] alpha, int alphaOff, float[] workspace, int wsOff) {
    forward(kind, batch, tq, tk, n, attn, s, sOff, h, hOff, w1, w1Off, w2, w2Off, v, vOff, context, cOff, alpha, alphaOff,
        workspace, wsOff, new Call());
  }

  private static void forward(Score kind, int batch, int tq, int tk, int n, int attn, float[] s, int sOff,
      float[] h, int hOff, float[] w1, int w1Off, float[] w2, int w2Off, float[] v, int vOff,
      float[] context, int cOff, float[] alpha, int alphaOff, float[] workspace, int wsOff, Call c) {
    int wsFloats = workspaceFloats(kind, batch, tq, tk, n, attn);
    checkInputs(kind, batch, tq, tk, n, attn, s, sOff, h, hOff, w1, w1Off, w2, w2Off, v, vOff);
    Checks.range("context", context, cOff, (long) batch * tq * n);
    Checks.optionalRange("alpha", alpha, alphaOff, (long) batch * tq * tk);
    Checks.range("workspace", workspace, wsOff, wsFloats);
    int a = attn;
    int proj = wsOff + batch * tq * tk;
    if (kind == Score.GENERAL) {
      // (W h_j) for every encoder row: [B·Tk, n] = H · Wᵀ
      GEMM.gemm(Layout.NT, batch * tk, n, n, h, hOff, w1, w1Off, workspace, proj, Epilogue.NONE);
    } else if (kind == Score.ADDITIVE) {
      GEMM.gemm(Layout.NT, batch * tq, a, n, s, sOff, w1, w1Off, workspace, proj, Epilogue.NONE);
      GEMM.gemm(Layout.NT, batch * tk, a, n, h, hOff, w2, w2Off, workspace, proj + batch * tq * a, Epilogue.NONE);
    }
    c.set(false, kind, batch, tq, tk, n, a, s, sOff, h, hOff, v, vOff, context, cOff, alpha, alphaOff, null, 0,
        null, 0, null, 0, workspace, wsOff, null, 0);
    try {
      Parallelism.forEach(batch, c);
    } finally {
      c.clear();
    }
  }

  /**
   * Gradients of the {@link #forward} call that filled {@code workspace} (same kind, sizes, inputs
   * and weights), given {@code dContext = ∂L/∂c [B, Tq, n]}.
   *
   * @param ds {@code [B, Tq, n]} ∂L/∂s, or null to skip; written, or added to when {@code accumulate}
   * @param dh {@code [B, Tk, n]} ∂L/∂h (through the scores and the context), or null; likewise
   * @param dW1 gradient of w1, accumulated ({@code +=}), or null; {@code dW2}, {@code dV} likewise
   *     (ADDITIVE only)
   * @param scratch {@link #backwardScratchFloats} floats at {@code scratchOff}
   */
  static void backward(Score kind, int batch, int tq, int tk, int n, int attn, float[] s, int sOff,
      float[] h, int hOff, float[] w1, int w1Off, float[] w2, int w2Off, float[] v, int vOff,
      float[] dContext, int dcOff, float[] ds, int dsOff, float[] dh, int dhOff, boolean accumulate,
      float[] dW1, int dW1Off, float[] dW2, int dW2Off, float[] dV, int dVOff,
      float[] workspace, int wsOff, float[] scratch, int scratchOff) {
    backward(kind, batch, tq, tk, n, attn, s, sOff, h, hOff, w1, w1Off, w2, w2Off, v, vOff, dContext, dcOff, ds, dsOff, dh,
        dhOff, accumulate, dW1, dW1Off, dW2, dW2Off, dV, dVOff, workspace, wsOff, scratch, scratchOff, new Call());
  }

  private static void backward(Score kind, int batch, int tq, int tk, int n, int attn, float[] s, int sOff,
      float[] h, int hOff, float[] w1, int w1Off, float[] w2, int w2Off, float[] v, int vOff,
      float[] dContext, int dcOff, float[] ds, int dsOff, float[] dh, int dhOff, boolean accumulate,
      float[] dW1, int dW1Off, float[] dW2, int dW2Off, float[] dV, int dVOff,
      float[] workspace, int wsOff, float[] scratch, int scratchOff, Call c) {
    int wsFloats = workspaceFloats(kind, batch, tq, tk, n, attn);
    checkInputs(kind, batch, tq, tk, n, attn, s, sOff, h, hOff, w1, w1Off, w2, w2Off, v, vOff);
    int a = attn;
    Checks.range("dContext", dContext, dcOff, (long) batch * tq * n);
    Checks.optionalRange("ds", ds, dsOff, (long) batch * tq * n);
    Checks.optionalRange("dh", dh, dhOff, (long) batch * tk * n);
    if (kind == Score.GENERAL) {
      Checks.optionalRange("dW", dW1, dW1Off, (long) n * n);
    } else if (kind == Score.ADDITIVE) {
      Checks.optionalRange("dW1", dW1, dW1Off, (long) a * n);
      Checks.optionalRange("dW2", dW2, dW2Off, (long) a * n);
      Checks.optionalRange("dV", dV, dVOff, a);
    }
    Checks.range("workspace", workspace, wsOff, wsFloats);
    Checks.range("scratch", scratch, scratchOff, backwardScratchFloats(kind, batch, tq, tk, n, attn));
    if (!accumulate) {
      if (ds != null) {
        Arrays.fill(ds, dsOff, dsOff + batch * tq * n, 0f);
      }
      if (dh != null) {
        Arrays.fill(dh, dhOff, dhOff + batch * tk * n, 0f);
      }
    }
    c.set(true, kind, batch, tq, tk, n, a, s, sOff, h, hOff, v, vOff, null, 0, null, 0, dContext, dcOff, ds, dsOff,
        dh, dhOff, workspace, wsOff, scratch, scratchOff);
    try {
      Parallelism.forEach(batch, c);
    } finally {
      c.clear();
    }
    int grad = scratchOff + batch * tq * tk;
    if (kind == Score.GENERAL) {
      // ∂(W h) [B·Tk, n]: dh += ∂(Wh)·W, dW += ∂(Wh)ᵀ·H
      if (dh != null) {
        GEMM.gemm(Layout.NN, batch * tk, n, n, scratch, grad, w1, w1Off, dh, dhOff, Epilogue.ACCUMULATE);
      }
      if (dW1 != null) {
        GEMM.gemm(Layout.TN, n, n, batch * tk, scratch, grad, h, hOff, dW1, dW1Off, Epilogue.ACCUMULATE);
      }
    } else if (kind == Score.ADDITIVE) {
      int dP = grad;
      int dQ = dP + batch * tq * a;
      int dVs = dQ + batch * tk * a;
      if (ds != null) {
        GEMM.gemm(Layout.NN, batch * tq, n, a, scratch, dP, w1, w1Off, ds, dsOff, Epilogue.ACCUMULATE);
      }
      if (dW1 != null) {
        GEMM.gemm(Layout.TN, a, n, batch * tq, scratch, dP, s, sOff, dW1, dW1Off, Epilogue.ACCUMULATE);
      }
      if (dh != null) {
        GEMM.gemm(Layout.NN, batch * tk, n, a, scratch, dQ, w2, w2Off, dh, dhOff, Epilogue.ACCUMULATE);
      }
      if (dW2 != null) {
        GEMM.gemm(Layout.TN, a, n, batch * tk, scratch, dQ, h, hOff, dW2, dW2Off, Epilogue.ACCUMULATE);
      }
      if (dV != null) {
        for (int b = 0; b < batch; b++) {
          for (int k = 0; k < a; k++) {
            dV[dVOff + k] += scratch[dVs + b * a + k];
          }
        }
      }
    }
  }

  private static void check(Score kind, int batch, int tq, int tk, int n, int attn) {
    Objects.requireNonNull(kind, "kind");
    Checks.positive("batch", batch);
    Checks.positive("tq", tq);
    Checks.positive("tk", tk);
    Checks.positive("n", n);
    if (kind == Score.ADDITIVE) {
      Checks.positive("attn", attn);
    }
  }

  private static void checkInputs(Score kind, int batch, int tq, int tk, int n, int a, float[] s, int sOff,
      float[] h, int hOff, float[] w1, int w1Off, float[] w2, int w2Off, float[] v, int vOff) {
    Checks.range("s", s, sOff, (long) batch * tq * n);
    Checks.range("h", h, hOff, (long) batch * tk * n);
    if (kind == Score.GENERAL) {
      Checks.range("W", w1, w1Off, (long) n * n);
    } else if (kind == Score.ADDITIVE) {
      Checks.range("W1", w1, w1Off, (long) a * n);
      Checks.range("W2", w2, w2Off, (long) a * n);
      Checks.range("v", v, vOff, a);
    }
  }

  /** One call's arguments; a layer object keeps one, so a call allocates nothing. One task per batch element. */
  private static final class Call implements IntConsumer {
    boolean backward;
    Score kind;
    int tq;
    int tk;
    int n;
    int a;
    int batch;
    float[] s;
    int sOff;
    float[] h;
    int hOff;
    float[] v;
    int vOff;
    float[] context;
    int cOff;
    float[] alpha;
    int alphaOff;
    float[] dc;
    int dcOff;
    float[] ds;
    int dsOff;
    float[] dh;
    int dhOff;
    float[] ws;
    int wsOff;
    float[] sc;
    int scOff;

    void set(boolean backward, Score kind, int batch, int tq, int tk, int n, int a, float[] s, int sOff, float[] h,
        int hOff, float[] v, int vOff, float[] context, int cOff, float[] alpha, int alphaOff, float[] dc, int dcOff,
        float[] ds, int dsOff, float[] dh, int dhOff, float[] ws, int wsOff, float[] sc, int scOff) {
      this.backward = backward;
      this.kind = kind;
      this.batch = batch;
      this.tq = tq;
      this.tk = tk;
      this.n = n;
      this.a = a;
      this.s = s;
      this.sOff = sOff;
      this.h = h;
      this.hOff = hOff;
      this.v = v;
      this.vOff = vOff;
      this.context = context;
      this.cOff = cOff;
      this.alpha = alpha;
      this.alphaOff = alphaOff;
      this.dc = dc;
      this.dcOff = dcOff;
      this.ds = ds;
      this.dsOff = dsOff;
      this.dh = dh;
      this.dhOff = dhOff;
      this.ws = ws;
      this.wsOff = wsOff;
      this.sc = sc;
      this.scOff = scOff;
    }

    void clear() {
      s = h = v = context = alpha = dc = ds = dh = ws = sc = null;
    }

    @Override
    public void accept(int b) {
      if (backward) {
        backwardElement(b);
      } else {
        forwardElement(b);
      }
    }

    private void forwardElement(int b) {
      final int n = this.n;
      final int a = this.a;
      final int al = wsOff + b * tq * tk;
      final int proj = wsOff + batch * tq * tk;
      if (kind != Score.ADDITIVE) {
        // e = s·hᵀ (dot) or s·(h·W)ᵀ (general): [tq, n] · [tk, n]ᵀ -> [tq, tk], one product
        GEMM.gemm(Layout.NT, tq, tk, n, s, sOff + b * tq * n, kind == Score.DOT ? h : ws,
            kind == Score.DOT ? hOff + b * tk * n : proj + b * tk * n, ws, al, Epilogue.NONE);
      } else {
        for (int i = 0; i < tq; i++) {
          int row = al + i * tk;
          int pi = proj + (b * tq + i) * a;
          for (int j = 0; j < tk; j++) {
            int qj = proj + batch * tq * a + (b * tk + j) * a;
            float e = 0f;
            for (int k = 0; k < a; k++) {
              e += v[vOff + k] * FastMath.tanh(ws[pi + k] + ws[qj + k]);
            }
            ws[row + j] = e;
          }
        }
      }
      // α = softmax of each row of e, in place
      OPS.softmax(ws, al, ws, al, tq, tk);
      // c = α·h: [tq, tk] · [tk, n] -> [tq, n], one product
      GEMM.gemm(Layout.NN, tq, n, tk, ws, al, h, hOff + b * tk * n, context, cOff + b * tq * n, Epilogue.NONE);
      if (alpha != null) {
        System.arraycopy(ws, al, alpha, alphaOff + b * tq * tk, tq * tk);
      }
    }

    private void backwardElement(int b) {
      final int n = this.n;
      final int a = this.a;
      final int al = wsOff + b * tq * tk;
      final int proj = wsOff + batch * tq * tk;
      final int de = scOff + b * tq * tk;
      final int grad = scOff + batch * tq * tk;
      // ∂e_ij = α_ij (∂α_ij − Σ_l α_il ∂α_il), ∂α_ij = ∂c_i · h_j; and the context's ∂h_j += α_ij ∂c_i
      // ∂α = ∂c · hᵀ: [tq, n] · [tk, n]ᵀ -> [tq, tk], one product
      GEMM.gemm(Layout.NT, tq, tk, n, dc, dcOff + b * tq * n, h, hOff + b * tk * n, sc, de, Epilogue.NONE);
      if (dh != null) {
        // the context's part: ∂h += αᵀ·∂c, [tq, tk]ᵀ · [tq, n] -> [tk, n]
        GEMM.gemm(Layout.TN, tk, n, tq, ws, al, dc, dcOff + b * tq * n, dh, dhOff + b * tk * n, Epilogue.ACCUMULATE);
      }
      for (int i = 0; i < tq; i++) {
        int row = al + i * tk;
        float dot = 0f;
        for (int j = 0; j < tk; j++) {
          dot += ws[row + j] * sc[de + i * tk + j];
        }
        for (int j = 0; j < tk; j++) {
          sc[de + i * tk + j] = ws[row + j] * (sc[de + i * tk + j] - dot);
        }
      }
      switch (kind) {
        case DOT -> {
          // ∂s += ∂e·h: [tq, tk] · [tk, n]; ∂h += ∂eᵀ·s: [tq, tk]ᵀ · [tq, n]
          if (ds != null) {
            GEMM.gemm(Layout.NN, tq, n, tk, sc, de, h, hOff + b * tk * n, ds, dsOff + b * tq * n, Epilogue.ACCUMULATE);
          }
          if (dh != null) {
            GEMM.gemm(Layout.TN, tk, n, tq, sc, de, s, sOff + b * tq * n, dh, dhOff + b * tk * n, Epilogue.ACCUMULATE);
          }
        }
        case GENERAL -> {
          // ∂s += ∂e·(h·W): [tq, tk] · [tk, n]; ∂(h·W) = ∂eᵀ·s: [tq, tk]ᵀ · [tq, n]
          if (ds != null) {
            GEMM.gemm(Layout.NN, tq, n, tk, sc, de, ws, proj + b * tk * n, ds, dsOff + b * tq * n, Epilogue.ACCUMULATE);
          }
          GEMM.gemm(Layout.TN, tk, n, tq, sc, de, s, sOff + b * tq * n, sc, grad + b * tk * n, Epilogue.NONE);
        }
        default -> {
          int dP = grad + b * tq * a;
          int dQ = grad + batch * tq * a + b * tk * a;
          int dVs = grad + batch * (tq + tk) * a + b * a;
          Arrays.fill(sc, dP, dP + tq * a, 0f);
          Arrays.fill(sc, dQ, dQ + tk * a, 0f);
          Arrays.fill(sc, dVs, dVs + a, 0f);
          for (int i = 0; i < tq; i++) {
            int pi = proj + (b * tq + i) * a;
            for (int j = 0; j < tk; j++) {
              float g = sc[de + i * tk + j];
              int qj = proj + batch * tq * a + (b * tk + j) * a;
              for (int k = 0; k < a; k++) {
                float t = FastMath.tanh(ws[pi + k] + ws[qj + k]);
                sc[dVs + k] += g * t;
                float dz = g * v[vOff + k] * (1f - t * t);
                sc[dP + i * a + k] += dz;
                sc[dQ + j * a + k] += dz;
              }
            }
          }
        }
      }
    }
  }
}
