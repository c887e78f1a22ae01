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
 * 4 filters × 6 output vectors (or 6 × 4 where that wastes fewer filter slots, as for LeNet's 6)
 * keeps its sums in 24 registers across all the taps, one loop over the taps. Ragged blocks
 * repeat their last filter or output vector (the repeat recomputes and stores the same bits). A
 * row at least a vector wide ends in a vector overlapping the one before it; a narrower row's only
 * vector is copied lane by lane, its lanes past the row read the next row or the slack and are
 * dropped. Rows narrower than a vector with more than half a vector of filters put the filters
 * across the lanes instead.
 */
final class PanamaDirectConvolution implements DirectConvolution {
  private static final VectorSpecies<Float> S = PanamaGemm.S;
  private static final int L = S.length();
  /** Accumulators of a block of the outputs-across-lanes path: filters × output vectors. */
  static final int BLOCK = 24;
  /** Output positions per block of the filters-across-lanes path: one accumulator each. */
  static final int PB = 10;

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

  /**
   * Rows narrower than a vector (their output vectors would be partly empty) and more filters than
   * half a vector: the filters go across the lanes. Wider rows keep outputs across the lanes even
   * for many filters: cnn64's first convolution (32 filters, 62 columns) ran 2.5× faster so.
   */
  private static boolean acrossLanes(Shape s) {
    return s.filters() > L / 2 && s.outWidth() < L;
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
      int tile = scratchOff + s.channels() * s.paddedHeight() * s.paddedWidth() + TILE_AT;
      int f = s.filters();
      boolean sixFilters = (f + 5) / 6 * 6 < (f + 3) / 4 * 4; // 6 × 4 wastes fewer filter slots than 4 × 6
      int fb = sixFilters ? 6 : 4, pv = BLOCK / fb;
      for (int f0 = 0; f0 < f; f0 += fb) {
        for (int q0 = 0; q0 < vectors; q0 += pv) {
          if (sixFilters) {
            PanamaConvolutionSums.sums6x4(s, scratch, scratchOff, w, wOff, f0, q0, perRow, vectors, tile);
          } else {
            PanamaConvolutionSums.sums4x6(s, scratch, scratchOff, w, wOff, f0, q0, perRow, vectors, tile);
          }
          storeTile(s, scratch, tile, fb, pv, f0, q0, perRow, vectors, bias, bo, y, yOff);
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
   * The tile's sums of filters {@code f0..f0+fb-1} × output vectors {@code q0..q0+pv-1} (indices past
   * the end clamped to the last one), filter f's vector v at {@code tile + (f·pv + v)·L}, plus their
   * bias, to y: the lanes inside each row.
   */
  private static void storeTile(Shape s, float[] xp, int tile, int fb, int pv, int f0, int q0, int perRow,
      int vectors, float[] bias, int bo, float[] y, int yOff) {
    int ow = s.outWidth(), n = s.outHeight() * ow, last = s.filters() - 1;
    for (int v = 0; v < pv; v++) {
      int q = Math.min(q0 + v, vectors - 1), r = q / perRow;
      int col = PanamaConvolutionSums.column(q - r * perRow, ow);
      for (int f = 0; f < fb; f++) {
        int filter = Math.min(f0 + f, last);
        store(xp, tile + (f * pv + v) * L, biasOf(bias, bo, filter), y, yOff + filter * n + r * ow + col, ow - col);
      }
    }
  }

  /** Where the tile starts after the padded planes: past the vector overrun of the last row. */
  private static final int TILE_AT = 16;

  static {
    if (TILE_AT + Math.max(BLOCK, PB) * L > SCRATCH_SLACK || Math.max(L, PB) > TILE_AT
        || L > DirectConvolution.FILTER_ROUNDING) {
      throw new AssertionError("the direct convolution's tile does not fit in its scratch slack");
    }
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
   * Filters across the lanes, for rows narrower than a vector with more filters than half a vector:
   * a block is {@link #PB} consecutive outputs of one row × L filters, the weights transposed by
   * {@link #prepareWeights}. Positions past the row end read on into the padded buffer and are
   * dropped.
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
          int at = xpOff + r * pw + c0, rows = s.channels() * ph, kh = s.kernelHeight(), kw = s.kernelWidth();
          if (kw == 5) {
            PanamaConvolutionSums.sumsAcrossFilters5(xp, at, rows, ph, kh, pw, wt, wtOff + f0, fp, tile);
          } else if (kw == 3) {
            PanamaConvolutionSums.sumsAcrossFilters3(xp, at, rows, ph, kh, pw, wt, wtOff + f0, fp, tile);
          } else {
            PanamaConvolutionSums.sumsAcrossFilters(xp, at, rows, ph, kh, pw, kw, wt, wtOff + f0, fp, tile);
          }
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
