package io.kiln.runtime.panama;

import io.kiln.dsl.Activation;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.simd.DirectConvolution;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API direct convolution: vectorised over the output columns of a row. The input is
 * first copied into a zero-padded buffer so that every tap is one unmasked vector load; a block of
 * {@link #FB} filters × {@link #PV} output vectors keeps its sums in 12 registers across all the
 * taps. Ragged blocks repeat their last filter or output vector (the repeat recomputes and stores
 * the same bits). A row at least a vector wide ends in a vector overlapping the one before it; a
 * narrower row's only vector is copied lane by lane, its lanes past the row read the next row or
 * the slack and are dropped.
 */
final class PanamaDirectConvolution implements DirectConvolution {
  private static final VectorSpecies<Float> S = PanamaGemm.S;
  private static final int L = S.length();
  /** Filters per block: broadcast weights per tap. */
  static final int FB = 3;
  /** Output vectors per block: vector loads per tap. */
  static final int PV = 4;
  /** Output positions per block of the filters-across-lanes path: one accumulator each. */
  static final int PB = 12;

  PanamaDirectConvolution() {}

  /** Filters across the lanes read the weights transposed, one row of {@link Shape#paddedFilters()} per tap. */
  @Override
  public int preparedWeightsSize(Shape s) {
    return acrossLanes(s) ? s.patchSize() * s.paddedFilters() : 0;
  }

  @Override
  public void prepareWeights(Shape s, float[] w, int wOff, float[] prepared, int preparedOff) {
    if (acrossLanes(s)) {
      Arrays.fill(prepared, preparedOff, preparedOff + s.patchSize() * s.paddedFilters(), 0f); // filters past F: 0
      transposeWeights(w, wOff, s.filters(), s.patchSize(), prepared, preparedOff, s.paddedFilters());
    }
  }

  /** More filters than half a vector: they go across the lanes. */
  private static boolean acrossLanes(Shape s) {
    return s.filters() > L / 2;
  }

  @Override
  public void forward(Shape s, float[] x, int xOff, float[] w, int wOff, float[] prepared, int preparedOff,
      Epilogue ep, float[] y, int yOff, float[] scratch, int scratchOff) {
    pad(s, x, xOff, scratch, scratchOff);
    // the bias is added as the sums are stored; -0 where there is none (x + -0 is x, bit for bit)
    float[] bias = ep.bias() == Epilogue.Bias.PER_ROW ? ep.biasData() : null;
    int bo = ep.biasOffset();
    int n = s.outHeight() * s.outWidth();
    if (acrossLanes(s)) {
      acrossFilters(s, prepared, preparedOff, bias, bo, y, yOff, scratch, scratchOff);
    } else {
      int perRow = (s.outWidth() + L - 1) / L;
      int vectors = s.outHeight() * perRow;
      for (int f0 = 0; f0 < s.filters(); f0 += FB) {
        for (int q0 = 0; q0 < vectors; q0 += PV) {
          block(s, scratch, scratchOff, w, wOff, bias, bo, y, yOff, f0, q0, perRow, vectors);
        }
      }
    }
    if (ep.activation() != Activation.NONE) {
      PanamaGemm.epilogue(ACTIVATION_ONLY[ep.activation().ordinal()], y, yOff, n, s.filters(), n, 0, 0);
    }
  }

  /** Per activation: the epilogue that applies it alone (the bias is in already). */
  private static final Epilogue[] ACTIVATION_ONLY = new Epilogue[Activation.values().length];

  static {
    for (Activation a : Activation.values()) {
      ACTIVATION_ONLY[a.ordinal()] = Epilogue.of(false, Epilogue.Bias.NONE, null, 0, a);
    }
  }

  /** Filter f's bias, or -0 without one. */
  private static float biasOf(float[] bias, int bo, int f) {
    return bias == null ? -0f : bias[bo + f];
  }

  /** Copies each input plane into the middle of a zeroed padded plane; zeroes the slack after them. */
  private static void pad(Shape s, float[] x, int xOff, float[] xp, int xpOff) {
    int ph = s.paddedHeight(), pw = s.paddedWidth(), h = s.height(), wd = s.width();
    Arrays.fill(xp, xpOff, xpOff + s.channels() * ph * pw + SCRATCH_SLACK, 0f);
    // rows and columns of the image inside the window reach (padding may exceed what windows read)
    int r0 = Math.max(0, s.padTop()), r1 = Math.min(ph, s.padTop() + h);
    int c0 = Math.max(0, s.padLeft()), c1 = Math.min(pw, s.padLeft() + wd);
    if (c1 <= c0) {
      return;
    }
    for (int c = 0; c < s.channels(); c++) {
      for (int r = r0; r < r1; r++) {
        System.arraycopy(x, xOff + (c * h + r - s.padTop()) * wd + c0 - s.padLeft(), xp, xpOff + (c * ph + r) * pw + c0,
            c1 - c0);
      }
    }
  }

  /**
   * Filters {@code f0..f0+FB-1} × output vectors {@code q0..q0+PV-1} (vector q is row q / perRow,
   * columns from (q % perRow)·L), indices past the end clamped to the last one: the sums go to the
   * tile, then the tile's lanes inside the image to y.
   */
  private static void block(Shape s, float[] xp, int xpOff, float[] w, int wOff, float[] bias, int bo, float[] y,
      int yOff, int f0, int q0, int perRow, int vectors) {
    int pw = s.paddedWidth(), patch = s.patchSize(), last = s.filters() - 1, ow = s.outWidth();
    int qb = Math.min(q0 + 1, vectors - 1), qc = Math.min(q0 + 2, vectors - 1), qd = Math.min(q0 + 3, vectors - 1);
    // each vector's row and first column, found once (a division each): its window in xp, its place in y
    int ra = q0 / perRow, rb = qb / perRow, rc = qc / perRow, rd = qd / perRow;
    int ca = column(q0 - ra * perRow, ow), cb = column(qb - rb * perRow, ow);
    int cc = column(qc - rc * perRow, ow), cd = column(qd - rd * perRow, ow);
    int tile = xpOff + s.channels() * s.paddedHeight() * pw + TILE_AT;
    sums(xp, xpOff + ra * pw + ca, xpOff + rb * pw + cb, xpOff + rc * pw + cc, xpOff + rd * pw + cd,
        s.channels() * s.paddedHeight(), s.paddedHeight(), s.kernelHeight(), pw, s.kernelWidth(), w,
        wOff + f0 * patch, wOff + Math.min(f0 + 1, last) * patch, wOff + Math.min(f0 + 2, last) * patch, tile);
    int n = s.outHeight() * ow;
    for (int f = 0; f < FB; f++) {
      int filter = Math.min(f0 + f, last);
      int yf = yOff + filter * n;
      float b = biasOf(bias, bo, filter);
      store(xp, tile + f * PV * L, b, y, yf + ra * ow + ca, ow - ca);
      store(xp, tile + (f * PV + 1) * L, b, y, yf + rb * ow + cb, ow - cb);
      store(xp, tile + (f * PV + 2) * L, b, y, yf + rc * ow + cc, ow - cc);
      store(xp, tile + (f * PV + 3) * L, b, y, yf + rd * ow + cd, ow - cd);
    }
  }

  /**
   * The first output column of the row's vector v. A row at least a vector wide ends in a vector
   * that overlaps the one before it instead of a ragged one, so every store is a whole vector; the
   * overlapped outputs are computed twice by the same operations, so they get the same bits.
   */
  private static int column(int v, int ow) {
    int col = v * L;
    return ow >= L ? Math.min(col, ow - L) : col;
  }

  /** Where the tile starts after the padded planes: past the vector overrun of the last row. */
  private static final int TILE_AT = 16;

  static {
    if (TILE_AT + Math.max(FB * PV, PB) * L > SCRATCH_SLACK || Math.max(L, PB) > TILE_AT
        || L > DirectConvolution.FILTER_ROUNDING) {
      throw new AssertionError("the direct convolution's tile does not fit in its scratch slack");
    }
  }

  /**
   * The 12 sums of a block over every tap, in (channel, kernel row, kernel column) order: rows
   * {@code r} of the padded input ({@code rows} = C·PH of them, kernel row {@code r % ph}) hold the
   * taps; the tile receives filter f's vector v at {@code tile + (f·PV + v)·L}.
   */
  private static void sums(float[] xp, int xa, int xb, int xc, int xd, int rows, int ph, int kh, int pw, int kw,
      float[] w, int w0, int w1, int w2, int tile) {
    FloatVector s0a = FloatVector.zero(S), s0b = s0a, s0c = s0a, s0d = s0a, s1a = s0a, s1b = s0a, s1c = s0a;
    FloatVector s1d = s0a, s2a = s0a, s2b = s0a, s2c = s0a, s2d = s0a;
    int t = 0;
    for (int plane = 0; plane < rows; plane += ph) {
      for (int at = plane * pw, end = (plane + kh) * pw; at < end; at += pw) {
        for (int j = 0; j < kw; j++, t++) {
          FloatVector va = FloatVector.fromArray(S, xp, xa + at + j);
          FloatVector vb = FloatVector.fromArray(S, xp, xb + at + j);
          FloatVector vc = FloatVector.fromArray(S, xp, xc + at + j);
          FloatVector vd = FloatVector.fromArray(S, xp, xd + at + j);
          FloatVector k0 = FloatVector.broadcast(S, w[w0 + t]);
          s0a = k0.fma(va, s0a);
          s0b = k0.fma(vb, s0b);
          s0c = k0.fma(vc, s0c);
          s0d = k0.fma(vd, s0d);
          FloatVector k1 = FloatVector.broadcast(S, w[w1 + t]);
          s1a = k1.fma(va, s1a);
          s1b = k1.fma(vb, s1b);
          s1c = k1.fma(vc, s1c);
          s1d = k1.fma(vd, s1d);
          FloatVector k2 = FloatVector.broadcast(S, w[w2 + t]);
          s2a = k2.fma(va, s2a);
          s2b = k2.fma(vb, s2b);
          s2c = k2.fma(vc, s2c);
          s2d = k2.fma(vd, s2d);
        }
      }
    }
    s0a.intoArray(xp, tile);
    s0b.intoArray(xp, tile + L);
    s0c.intoArray(xp, tile + 2 * L);
    s0d.intoArray(xp, tile + 3 * L);
    s1a.intoArray(xp, tile + 4 * L);
    s1b.intoArray(xp, tile + 5 * L);
    s1c.intoArray(xp, tile + 6 * L);
    s1d.intoArray(xp, tile + 7 * L);
    s2a.intoArray(xp, tile + 8 * L);
    s2b.intoArray(xp, tile + 9 * L);
    s2c.intoArray(xp, tile + 10 * L);
    s2d.intoArray(xp, tile + 11 * L);
  }

  /**
   * One output vector of a filter plus its bias b, from the tile at {@code from} to {@code to} in y,
   * its first {@code min(L, room)} lanes (the rest lie past the row).
   */
  private static void store(float[] tile, int from, float b, float[] y, int to, int room) {
    if (room >= L) {
      FloatVector.fromArray(S, tile, from).add(b).intoArray(y, to);
    } else {
      // the row's ragged end lane by lane: a masked store built from indexInRange allocated on this JDK
      for (int k = 0; k < room; k++) {
        y[to + k] = tile[from + k] + b;
      }
    }
  }

  /**
   * Filters across the lanes, for more filters than half a vector: a block is {@link #PB}
   * consecutive outputs of one row × L filters, one vector of transposed weights and PB broadcast
   * inputs per tap. Positions past the row end read on into the padded buffer and are dropped.
   */
  private static void acrossFilters(Shape s, float[] wt, int wtOff, float[] bias, int bo, float[] y, int yOff,
      float[] xp, int xpOff) {
    int filters = s.filters(), fp = s.paddedFilters();
    int ph = s.paddedHeight(), pw = s.paddedWidth(), oh = s.outHeight(), ow = s.outWidth(), n = oh * ow;
    int tile = xpOff + s.channels() * ph * pw + TILE_AT;
    for (int f0 = 0; f0 < filters; f0 += L) {
      int lanes = Math.min(L, filters - f0);
      for (int r = 0; r < oh; r++) {
        for (int c0 = 0; c0 < ow; c0 += PB) {
          sumsAcrossFilters(xp, xpOff + r * pw + c0, s.channels() * ph, ph, s.kernelHeight(), pw, s.kernelWidth(),
              wt, wtOff + f0, fp, tile);
          int to = yOff + f0 * n + r * ow + c0;
          for (int k = 0, count = Math.min(PB, ow - c0); k < count; k++) {
            for (int lane = 0; lane < lanes; lane++) {
              y[to + lane * n + k] = xp[tile + k * L + lane] + biasOf(bias, bo, f0 + lane);
            }
          }
        }
      }
    }
  }

  /**
   * {@code wt[t][f] = w[f][t]} (rows of {@code fp} floats; the filters past F stay 0): blocks of 8
   * filters × L taps through {@link PanamaGemmPacking#transpose8}, the ragged rest one by one.
   */
  private static void transposeWeights(float[] w, int wOff, int filters, int patch, float[] wt, int wtOff, int fp) {
    int mr = PanamaGemm.MR;
    int fv = L >= mr ? filters - filters % mr : 0, tv = L >= mr ? patch - patch % L : 0;
    for (int f = 0; f < fv; f += mr) {
      for (int t = 0; t < tv; t += L) {
        PanamaGemmPacking.transpose8(w, wOff + f * patch + t, patch, wt, wtOff + t * fp + f, fp);
      }
      PanamaGemmPacking.copyTransposed(w, wOff + f * patch, patch, mr, tv, patch, wt, wtOff + f, fp);
    }
    PanamaGemmPacking.copyTransposed(w, wOff + fv * patch, patch, filters - fv, 0, patch, wt, wtOff + fv, fp);
  }

  /**
   * The PB sums of outputs {@code b + k} (k < PB) over every tap, each a vector over L filters whose
   * weights for tap t are at {@code wt + t·fp}; output k goes to {@code tile + k·L}.
   */
  private static void sumsAcrossFilters(float[] xp, int b, int rows, int ph, int kh, int pw, int kw, float[] wt,
      int wtOff, int fp, int tile) {
    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    int tw = wtOff;
    for (int plane = 0; plane < rows; plane += ph) {
      for (int at = b + plane * pw, end = b + (plane + kh) * pw; at < end; at += pw) {
        for (int o = at; o < at + kw; o++, tw += fp) {
          FloatVector k = FloatVector.fromArray(S, wt, tw);
          a0 = k.fma(FloatVector.broadcast(S, xp[o]), a0);
          a1 = k.fma(FloatVector.broadcast(S, xp[o + 1]), a1);
          a2 = k.fma(FloatVector.broadcast(S, xp[o + 2]), a2);
          a3 = k.fma(FloatVector.broadcast(S, xp[o + 3]), a3);
          a4 = k.fma(FloatVector.broadcast(S, xp[o + 4]), a4);
          a5 = k.fma(FloatVector.broadcast(S, xp[o + 5]), a5);
          a6 = k.fma(FloatVector.broadcast(S, xp[o + 6]), a6);
          a7 = k.fma(FloatVector.broadcast(S, xp[o + 7]), a7);
          a8 = k.fma(FloatVector.broadcast(S, xp[o + 8]), a8);
          a9 = k.fma(FloatVector.broadcast(S, xp[o + 9]), a9);
          a10 = k.fma(FloatVector.broadcast(S, xp[o + 10]), a10);
          a11 = k.fma(FloatVector.broadcast(S, xp[o + 11]), a11);
        }
      }
    }
    a0.intoArray(xp, tile);
    a1.intoArray(xp, tile + L);
    a2.intoArray(xp, tile + 2 * L);
    a3.intoArray(xp, tile + 3 * L);
    a4.intoArray(xp, tile + 4 * L);
    a5.intoArray(xp, tile + 5 * L);
    a6.intoArray(xp, tile + 6 * L);
    a7.intoArray(xp, tile + 7 * L);
    a8.intoArray(xp, tile + 8 * L);
    a9.intoArray(xp, tile + 9 * L);
    a10.intoArray(xp, tile + 10 * L);
    a11.intoArray(xp, tile + 11 * L);
  }

  /**
   * Row by row of dx: the columns that every tap of a window row reaches inside the output row are
   * vectors summing their KH·KW shifted dcols rows in one register, a stored row's ragged end one
   * more vector overlapping the last (it rewrites the same bits); the few edge columns with taps
   * outside the output are summed one by one. The additions per element are the scalar twin's.
   */
  @Override
  public void col2im(Shape s, float[] dcols, int dcolsOff, float[] dx, int dxOff, boolean accumulate) {
    int c = s.channels(), h = s.height(), w = s.width(), kh = s.kernelHeight(), kw = s.kernelWidth();
    int pt = s.padTop(), pl = s.padLeft(), oh = s.outHeight(), ow = s.outWidth(), plane = oh * ow;
    // columns iw whose taps j all land inside the output row: 0 <= iw + pl - j < ow
    int lo = Math.min(w, Math.max(0, kw - 1 - pl));
    int hi = Math.max(lo, Math.min(w, ow - pl));
    for (int ch = 0; ch < c; ch++) {
      for (int ih = 0; ih < h; ih++) {
        int row = dxOff + (ch * h + ih) * w;
        // the window rows i whose output row ih + pt - i exists
        int iLo = Math.max(0, ih + pt - oh + 1);
        int iHi = Math.min(kh, ih + pt + 1);
        // dcols of tap (0, 0) for this dx row's column 0; tap (i, j) is i·(KW·plane − OW) + j·(plane − 1) on
        int d0 = dcolsOff + ch * kh * kw * plane + (ih + pt) * ow + pl;
        if (hi - lo < L) {
          tapByTapRow(dcols, d0, plane, ow, kw, pl, iLo, iHi, dx, row, w, accumulate);
          continue;
        }
        for (int iw = 0; iw < lo; iw++) {
          dx[row + iw] = sum(dcols, d0 + iw, plane, ow, kw, iLo, iHi, iw + pl, accumulate ? dx[row + iw] : 0f);
        }
        int iw = lo;
        for (; iw + L <= hi; iw += L) {
          columns(dcols, d0 + iw, plane, ow, kw, iLo, iHi, dx, row + iw, accumulate);
        }
        if (iw < hi && !accumulate && hi - lo >= L) {
          columns(dcols, d0 + hi - L, plane, ow, kw, iLo, iHi, dx, row + hi - L, false);
          iw = hi;
        }
        for (; iw < w; iw++) {
          dx[row + iw] = sum(dcols, d0 + iw, plane, ow, kw, iLo, iHi, iw + pl, accumulate ? dx[row + iw] : 0f);
        }
      }
    }
  }

  /**
   * A dx row with fewer than L columns whose taps are all inside the output (LeNet's second
   * convolution: 14 columns, 6 of them full): each tap adds the columns it reaches, {@code [j −
   * padLeft, j − padLeft + OW)}, in one short loop over the row, in the scalar twin's tap order, so
   * every element gets the twin's additions in its order. (One sum per element with its own tap
   * bounds was slower; masked vector adds were faster but allocated in one CI run's compile order.)
   */
  private static void tapByTapRow(float[] dcols, int d0, int plane, int ow, int kw, int pl, int iLo, int iHi,
      float[] dx, int row, int w, boolean accumulate) {
    if (!accumulate) {
      Arrays.fill(dx, row, row + w, 0f);
    }
    for (int i = iLo; i < iHi; i++) {
      int di = d0 + i * (kw * plane - ow);
      for (int j = 0; j < kw; j++) {
        int src = di + j * (plane - 1);
        for (int iw = Math.max(0, j - pl), end = Math.min(w, j - pl + ow); iw < end; iw++) {
          dx[row + iw] += dcols[src + iw];
        }
      }
    }
  }

  /** L columns of dx at {@code at} whose every tap is inside the output: dcols of tap (0, 0) at {@code d}. */
  private static void columns(float[] dcols, int d, int plane, int ow, int kw, int iLo, int iHi, float[] dx, int at,
      boolean accumulate) {
    // the start value without a branch (a vector phi can box): dx, or +0 when stored
    FloatVector acc = FloatVector.fromArray(S, dx, at).blend(0f, S.maskAll(!accumulate));
    for (int i = iLo; i < iHi; i++) {
      int di = d + i * (kw * plane - ow);
      for (int j = 0; j < kw; j++) {
        acc = acc.add(FloatVector.fromArray(S, dcols, di + j * (plane - 1)));
      }
    }
    acc.intoArray(dx, at);
  }

  /**
   * One dx element from {@code start}: the taps (i, j) whose output column {@code q − j} lies in
   * {@code [0, OW)}; dcols of tap (0, 0) at {@code d}.
   */
  private static float sum(float[] dcols, int d, int plane, int ow, int kw, int iLo, int iHi, int q, float start) {
    float s = start;
    for (int i = iLo; i < iHi; i++) {
      int di = d + i * (kw * plane - ow);
      for (int j = Math.max(0, q - ow + 1); j < Math.min(kw, q + 1); j++) {
        s += dcols[di + j * (plane - 1)];
      }
    }
    return s;
  }
}
