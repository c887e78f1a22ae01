package io.kiln.runtime.panama;

import static io.kiln.runtime.panama.PanamaGemm.L;
import static io.kiln.runtime.panama.PanamaGemm.MR;
import static io.kiln.runtime.panama.PanamaGemm.NR;
import static io.kiln.runtime.panama.PanamaGemm.S;

// The unrolled A-packing loops below assume MR == 8, the micro-kernel height.

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * Packs GEMM operands into the micro-kernel's panel layouts. Panels are zero-padded to full
 * MR / NR width so the micro-kernel never branches on edges.
 *
 * <ul>
 *   <li>B panel ({@code kc × NR}): {@code dst[p·NR + j] = op(B)[p][j]}.
 *   <li>A micro-panel ({@code MR × kc}): {@code dst[p·MR + r] = op(A)[r][p]}; micro-panels of an
 *       M block follow each other.
 * </ul>
 */
final class PanamaGemmPacking {
  private PanamaGemmPacking() {}

  /** One B panel from a row-major {@code kc × cols} source ({@code src[s + p·ld + j]}; NN and TN). */
  static void packB(float[] src, int s, int ld, int kc, int cols, float[] dst, int d) {
    if (cols == NR) {
      for (int p = 0; p < kc; p++) {
        int o = s + p * ld;
        int q = d + p * NR;
        FloatVector.fromArray(S, src, o).intoArray(dst, q);
        FloatVector.fromArray(S, src, o + L).intoArray(dst, q + L);
      }
    } else {
      VectorMask<Float> m0 = S.indexInRange(0, cols);
      VectorMask<Float> m1 = S.indexInRange(L, cols);
      for (int p = 0; p < kc; p++) {
        int o = s + p * ld;
        int q = d + p * NR;
        if (o + NR <= src.length) {
          FloatVector.fromArray(S, src, o, m0).intoArray(dst, q);
          FloatVector.fromArray(S, src, o + L, m1).intoArray(dst, q + L);
        } else {
          // a masked load whose vector passes the array's end takes the Vector API's per-lane
          // check, which allocates (and is slow): the last rows of a tight im2col buffer
          for (int j = 0; j < NR; j++) {
            dst[q + j] = j < cols ? src[o + j] : 0f;
          }
        }
      }
    }
  }

  /**
   * One B panel from a source holding op(B) transposed ({@code op(B)[p][j] = src[s + j·ld + p]};
   * NT): a transpose, in strips of 16 source rows ({@link #transpose16}) where L = 16, then of 8
   * ({@link #transpose8} where L ≥ 8), the rest scalar.
   */
  static void packBTransposed(float[] src, int s, int ld, int kc, int cols, float[] dst, int d) {
    int j = 0;
    int pv = L >= MR ? kc - kc % L : 0; // the part of k the vector transpose covers
    if (L == 16) {
      for (; j + 16 <= cols; j += 16) {
        for (int p = 0; p < pv; p += 16) {
          transpose16(src, s + j * ld + p, ld, dst, d + p * NR + j, NR);
        }
        copyTransposed(src, s + j * ld, ld, 16, pv, kc, dst, d + j, NR);
      }
    }
    for (; j + MR <= cols; j += MR) {
      for (int p = 0; p < pv; p += L) {
        transpose8(src, s + j * ld + p, ld, dst, d + p * NR + j, NR);
      }
      copyTransposed(src, s + j * ld, ld, MR, pv, kc, dst, d + j, NR);
    }
    copyTransposed(src, s + j * ld, ld, cols - j, 0, kc, dst, d + j, NR);
    if (cols < NR) {
      for (int p = 0; p < kc; p++) {
        Arrays.fill(dst, d + p * NR + cols, d + (p + 1) * NR, 0f);
      }
    }
  }

  /**
   * {@code dst[d + p·stride + r] = src[s + r·ld + p]} for {@code rows} source rows and p in
   * {@code [p0, kc)}: what the vector transposes ({@link #transpose8}, {@link #transpose16}) leave,
   * one element at a time.
   */
  static void copyTransposed(float[] src, int s, int ld, int rows, int p0, int kc, float[] dst, int d, int stride) {
    for (int r = 0; r < rows; r++) {
      int q = d + p0 * stride + r;
      for (int p = p0; p < kc; p++, q += stride) {
        dst[q] = src[s + r * ld + p];
      }
    }
  }

  /**
   * Whether a vector holds at least a micro-panel row of A (8 floats), which the transposing
   * packers need. (The runtime uses one vector species only: FloatVector's methods share one type
   * profile across species, and a second species made C2 keep boxed vectors in packing, now and
   * then, depending on compile order.)
   */
  static final boolean WIDE = L >= MR;

  /**
   * Lane i of the low (high) half twice: 0 0 1 1 … (L/2 L/2 …). {@code x.rearrange(DUP_LO).blend(
   * y.rearrange(DUP_LO), ODD)} zips the low halves of x and y (x0 y0 x1 y1 …). Written out at each
   * use rather than in a helper: a vector passed to or returned from a method C2 does not inline is
   * boxed, and whether C2 inlines depends on what it compiled first (see PanamaMath).
   */
  private static final VectorShuffle<Float> DUP_LO = VectorShuffle.fromArray(S, dupIndexes(0), 0);
  private static final VectorShuffle<Float> DUP_HI = VectorShuffle.fromArray(S, dupIndexes(L / 2), 0);
  private static final VectorMask<Float> ODD = VectorMask.fromLong(S, 0xAAAAAAAAAAAAAAAAL);

  private static int[] dupIndexes(int from) {
    int[] ix = new int[L];
    for (int i = 0; i < L; i++) {
      ix[i] = from + i / 2;
    }
    return ix;
  }


  /**
   * The shuffles of {@link #transpose16}'s two-vector rearranges: lanes 0 … 7 (ZIP_LO) or 8 … 15
   * (ZIP_HI) of x and y interleaved (x_i y_i x_i+1 y_i+1 …; an index below 0 picks lane
   * index + L of y).
   */
  private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.fromArray(S, zipIndexes(0), 0);
  private static final VectorShuffle<Float> ZIP_HI = VectorShuffle.fromArray(S, zipIndexes(L / 2), 0);

  private static int[] zipIndexes(int from) {
    int[] ix = new int[L];
    for (int i = 0; i < L / 2; i++) {
      ix[2 * i] = from + i;
      ix[2 * i + 1] = from + i - L;
    }
    return ix;
  }

  /**
   * Transposes 16 source rows × 16 columns ({@code src[s + r·ld + p]}) into
   * {@code dst[d + p·stride + r]}, one whole vector per column: four rounds of perfect shuffles
   * (row i zipped with row i + 8 into rows 2i and 2i + 1, one two-vector rearrange each) leave row p
   * holding column p. Half the shuffles of two {@link #transpose8} calls and no masked stores.
   * Needs L = 16. Pure data movement: the same bits as the scalar copy's.
   */
  static void transpose16(float[] src, int s, int ld, float[] dst, int d, int stride) {
    FloatVector r0 = FloatVector.fromArray(S, src, s);
    FloatVector r1 = FloatVector.fromArray(S, src, s + ld);
    FloatVector r2 = FloatVector.fromArray(S, src, s + 2 * ld);
    FloatVector r3 = FloatVector.fromArray(S, src, s + 3 * ld);
    FloatVector r4 = FloatVector.fromArray(S, src, s + 4 * ld);
    FloatVector r5 = FloatVector.fromArray(S, src, s + 5 * ld);
    FloatVector r6 = FloatVector.fromArray(S, src, s + 6 * ld);
    FloatVector r7 = FloatVector.fromArray(S, src, s + 7 * ld);
    FloatVector r8 = FloatVector.fromArray(S, src, s + 8 * ld);
    FloatVector r9 = FloatVector.fromArray(S, src, s + 9 * ld);
    FloatVector r10 = FloatVector.fromArray(S, src, s + 10 * ld);
    FloatVector r11 = FloatVector.fromArray(S, src, s + 11 * ld);
    FloatVector r12 = FloatVector.fromArray(S, src, s + 12 * ld);
    FloatVector r13 = FloatVector.fromArray(S, src, s + 13 * ld);
    FloatVector r14 = FloatVector.fromArray(S, src, s + 14 * ld);
    FloatVector r15 = FloatVector.fromArray(S, src, s + 15 * ld);
    for (int round = 0; round < 4; round++) {
      FloatVector n0 = r0.rearrange(ZIP_LO, r8);
      FloatVector n1 = r0.rearrange(ZIP_HI, r8);
      FloatVector n2 = r1.rearrange(ZIP_LO, r9);
      FloatVector n3 = r1.rearrange(ZIP_HI, r9);
      FloatVector n4 = r2.rearrange(ZIP_LO, r10);
      FloatVector n5 = r2.rearrange(ZIP_HI, r10);
      FloatVector n6 = r3.rearrange(ZIP_LO, r11);
      FloatVector n7 = r3.rearrange(ZIP_HI, r11);
      FloatVector n8 = r4.rearrange(ZIP_LO, r12);
      FloatVector n9 = r4.rearrange(ZIP_HI, r12);
      FloatVector n10 = r5.rearrange(ZIP_LO, r13);
      FloatVector n11 = r5.rearrange(ZIP_HI, r13);
      FloatVector n12 = r6.rearrange(ZIP_LO, r14);
      FloatVector n13 = r6.rearrange(ZIP_HI, r14);
      FloatVector n14 = r7.rearrange(ZIP_LO, r15);
      FloatVector n15 = r7.rearrange(ZIP_HI, r15);
      r0 = n0;
      r1 = n1;
      r2 = n2;
      r3 = n3;
      r4 = n4;
      r5 = n5;
      r6 = n6;
      r7 = n7;
      r8 = n8;
      r9 = n9;
      r10 = n10;
      r11 = n11;
      r12 = n12;
      r13 = n13;
      r14 = n14;
      r15 = n15;
    }
    r0.intoArray(dst, d);
    r1.intoArray(dst, d + stride);
    r2.intoArray(dst, d + 2 * stride);
    r3.intoArray(dst, d + 3 * stride);
    r4.intoArray(dst, d + 4 * stride);
    r5.intoArray(dst, d + 5 * stride);
    r6.intoArray(dst, d + 6 * stride);
    r7.intoArray(dst, d + 7 * stride);
    r8.intoArray(dst, d + 8 * stride);
    r9.intoArray(dst, d + 9 * stride);
    r10.intoArray(dst, d + 10 * stride);
    r11.intoArray(dst, d + 11 * stride);
    r12.intoArray(dst, d + 12 * stride);
    r13.intoArray(dst, d + 13 * stride);
    r14.intoArray(dst, d + 14 * stride);
    r15.intoArray(dst, d + 15 * stride);
  }

  /** Lane groups of 8 (one source row each after {@link #transpose8}), for scattered stores. */
  @SuppressWarnings("unchecked")
  private static final VectorMask<Float>[] GROUPS = new VectorMask[Math.max(1, L / MR)];

  static {
    for (int g = 0; g < GROUPS.length; g++) {
      GROUPS[g] = S.indexInRange(-g * MR, MR);
    }
  }

  /**
   * Transposes 8 source rows × L columns ({@code src[s + r·ld + p]}, r < 8, p < L) into
   * {@code dst[d + p·stride + r]}: three rounds of zips (pairs of rows 4, 2, 1 apart) leave
   * vector q holding columns q·L/8 … as 8-float groups, one per column. With stride 8 (an A
   * micro-panel) those groups are contiguous; otherwise each goes to its row with a masked store.
   * Needs L ≥ 8. Pure data movement: the packed values are the same bits as the scalar copy's.
   */
  static void transpose8(float[] src, int s, int ld, float[] dst, int d, int stride) {
    FloatVector r0 = FloatVector.fromArray(S, src, s);
    FloatVector r1 = FloatVector.fromArray(S, src, s + ld);
    FloatVector r2 = FloatVector.fromArray(S, src, s + 2 * ld);
    FloatVector r3 = FloatVector.fromArray(S, src, s + 3 * ld);
    FloatVector r4 = FloatVector.fromArray(S, src, s + 4 * ld);
    FloatVector r5 = FloatVector.fromArray(S, src, s + 5 * ld);
    FloatVector r6 = FloatVector.fromArray(S, src, s + 6 * ld);
    FloatVector r7 = FloatVector.fromArray(S, src, s + 7 * ld);
    // rows 4 apart: a = (0,4), b = (1,5), c = (2,6), e = (3,7); suffix 0 low columns, 1 high
    FloatVector a0 = r0.rearrange(DUP_LO).blend(r4.rearrange(DUP_LO), ODD);
    FloatVector a1 = r0.rearrange(DUP_HI).blend(r4.rearrange(DUP_HI), ODD);
    FloatVector b0 = r1.rearrange(DUP_LO).blend(r5.rearrange(DUP_LO), ODD);
    FloatVector b1 = r1.rearrange(DUP_HI).blend(r5.rearrange(DUP_HI), ODD);
    FloatVector c0 = r2.rearrange(DUP_LO).blend(r6.rearrange(DUP_LO), ODD);
    FloatVector c1 = r2.rearrange(DUP_HI).blend(r6.rearrange(DUP_HI), ODD);
    FloatVector e0 = r3.rearrange(DUP_LO).blend(r7.rearrange(DUP_LO), ODD);
    FloatVector e1 = r3.rearrange(DUP_HI).blend(r7.rearrange(DUP_HI), ODD);
    // then 2 apart: f = rows (0,2,4,6), g = rows (1,3,5,7), in column quarters 0..3
    FloatVector f0 = a0.rearrange(DUP_LO).blend(c0.rearrange(DUP_LO), ODD);
    FloatVector f1 = a0.rearrange(DUP_HI).blend(c0.rearrange(DUP_HI), ODD);
    FloatVector f2 = a1.rearrange(DUP_LO).blend(c1.rearrange(DUP_LO), ODD);
    FloatVector f3 = a1.rearrange(DUP_HI).blend(c1.rearrange(DUP_HI), ODD);
    FloatVector g0 = b0.rearrange(DUP_LO).blend(e0.rearrange(DUP_LO), ODD);
    FloatVector g1 = b0.rearrange(DUP_HI).blend(e0.rearrange(DUP_HI), ODD);
    FloatVector g2 = b1.rearrange(DUP_LO).blend(e1.rearrange(DUP_LO), ODD);
    FloatVector g3 = b1.rearrange(DUP_HI).blend(e1.rearrange(DUP_HI), ODD);
    // then 1 apart: rows 0..7 in order; vector q holds columns [q·L/8, (q + 1)·L/8)
    FloatVector o0 = f0.rearrange(DUP_LO).blend(g0.rearrange(DUP_LO), ODD);
    FloatVector o1 = f0.rearrange(DUP_HI).blend(g0.rearrange(DUP_HI), ODD);
    FloatVector o2 = f1.rearrange(DUP_LO).blend(g1.rearrange(DUP_LO), ODD);
    FloatVector o3 = f1.rearrange(DUP_HI).blend(g1.rearrange(DUP_HI), ODD);
    FloatVector o4 = f2.rearrange(DUP_LO).blend(g2.rearrange(DUP_LO), ODD);
    FloatVector o5 = f2.rearrange(DUP_HI).blend(g2.rearrange(DUP_HI), ODD);
    FloatVector o6 = f3.rearrange(DUP_LO).blend(g3.rearrange(DUP_LO), ODD);
    FloatVector o7 = f3.rearrange(DUP_HI).blend(g3.rearrange(DUP_HI), ODD);
    if (stride == MR) {
      o0.intoArray(dst, d);
      o1.intoArray(dst, d + L);
      o2.intoArray(dst, d + 2 * L);
      o3.intoArray(dst, d + 3 * L);
      o4.intoArray(dst, d + 4 * L);
      o5.intoArray(dst, d + 5 * L);
      o6.intoArray(dst, d + 6 * L);
      o7.intoArray(dst, d + 7 * L);
      return;
    }
    // group g (lanes [8g, 8g + 8)) of vector q is column q·L/8 + g: a masked store shifted by −8g
    int groups = L / MR;
    int step = groups * stride;
    for (int g = 0; g < groups; g++) {
      VectorMask<Float> m = GROUPS[g];
      int o = d + g * stride - g * MR;
      o0.intoArray(dst, o, m);
      o1.intoArray(dst, o + step, m);
      o2.intoArray(dst, o + 2 * step, m);
      o3.intoArray(dst, o + 3 * step, m);
      o4.intoArray(dst, o + 4 * step, m);
      o5.intoArray(dst, o + 5 * step, m);
      o6.intoArray(dst, o + 6 * step, m);
      o7.intoArray(dst, o + 7 * step, m);
    }
  }

  /** An M block of op(A) = a row-major {@code rows × kc} source ({@code src[s + i·ld + p]}; NN and NT). */
  static void packA(float[] src, int s, int ld, int rows, int kc, float[] dst) {
    int d = 0;
    int i = 0;
    int pv = L >= MR ? kc - kc % L : 0; // the part of k the vector transpose covers
    for (; i + MR <= rows; i += MR, d += MR * kc) {
      int s0 = s + i * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
      int s4 = s3 + ld, s5 = s4 + ld, s6 = s5 + ld, s7 = s6 + ld;
      for (int p = 0; p < pv; p += L) {
        transpose8(src, s0 + p, ld, dst, d + p * MR, MR);
      }
      int q = d + pv * MR;
      for (int p = pv; p < kc; p++, q += MR) {
        dst[q] = src[s0 + p];
        dst[q + 1] = src[s1 + p];
        dst[q + 2] = src[s2 + p];
        dst[q + 3] = src[s3 + p];
        dst[q + 4] = src[s4 + p];
        dst[q + 5] = src[s5 + p];
        dst[q + 6] = src[s6 + p];
        dst[q + 7] = src[s7 + p];
      }
    }
    if (i < rows) {
      int left = rows - i;
      for (int p = 0; p < kc; p++) {
        int q = d + p * MR;
        for (int r = 0; r < MR; r++) {
          dst[q + r] = r < left ? src[s + (i + r) * ld + p] : 0f;
        }
      }
    }
  }

  /** An M block of op(A) from its transpose ({@code op(A)[i][p] = src[s + p·ld + i]}; TN): contiguous copies. */
  static void packATransposed(float[] src, int s, int ld, int rows, int kc, float[] dst) {
    int d = 0;
    int i = 0;
    if (WIDE) {
      // strips of 16 source rows, each strip's 8-float pieces micro-panel by micro-panel: a strip
      // stays in L1 (reading all kc rows per micro-panel thrashes L1 when ld is a power of two)
      int full = rows - rows % MR;
      for (int p0 = 0; p0 < kc; p0 += 16) {
        int p1 = Math.min(kc, p0 + 16);
        for (int r = 0; r < full; r += MR) {
          int q = r * kc + p0 * MR;
          for (int p = p0; p < p1; p++, q += MR) {
            System.arraycopy(src, s + p * ld + r, dst, q, MR);
          }
        }
      }
      i = full;
      d = full * kc;
    }
    for (; i + MR <= rows; i += MR, d += MR * kc) {
      int q = d;
      for (int p = 0; p < kc; p++, q += MR) {
        int o = s + p * ld + i;
        dst[q] = src[o];
        dst[q + 1] = src[o + 1];
        dst[q + 2] = src[o + 2];
        dst[q + 3] = src[o + 3];
        dst[q + 4] = src[o + 4];
        dst[q + 5] = src[o + 5];
        dst[q + 6] = src[o + 6];
        dst[q + 7] = src[o + 7];
      }
    }
    if (i < rows) {
      int left = rows - i;
      for (int p = 0; p < kc; p++) {
        int q = d + p * MR;
        int o = s + p * ld + i;
        for (int r = 0; r < MR; r++) {
          dst[q + r] = r < left ? src[o + r] : 0f;
        }
      }
    }
  }
}
