package io.kiln.runtime.panama;

import static io.kiln.runtime.panama.PanamaGemm.L;
import static io.kiln.runtime.panama.PanamaGemm.MR;
import static io.kiln.runtime.panama.PanamaGemm.NR;
import static io.kiln.runtime.panama.PanamaGemm.S;

// The unrolled A-packing loops below assume MR == 8, the micro-kernel height.

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

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
   * NT): a transpose, done in strips of 4 source rows so reads stay sequential.
   */
  static void packBTransposed(float[] src, int s, int ld, int kc, int cols, float[] dst, int d) {
    int j = 0;
    for (; j + 4 <= cols; j += 4) {
      int s0 = s + j * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
      int q = d + j;
      for (int p = 0; p < kc; p++, q += NR) {
        dst[q] = src[s0 + p];
        dst[q + 1] = src[s1 + p];
        dst[q + 2] = src[s2 + p];
        dst[q + 3] = src[s3 + p];
      }
    }
    for (; j < cols; j++) {
      int s0 = s + j * ld;
      int q = d + j;
      for (int p = 0; p < kc; p++, q += NR) {
        dst[q] = src[s0 + p];
      }
    }
    if (cols < NR) {
      for (int p = 0; p < kc; p++) {
        Arrays.fill(dst, d + p * NR + cols, d + (p + 1) * NR, 0f);
      }
    }
  }

  /** An M block of op(A) = a row-major {@code rows × kc} source ({@code src[s + i·ld + p]}; NN and NT). */
  static void packA(float[] src, int s, int ld, int rows, int kc, float[] dst) {
    int d = 0;
    int i = 0;
    for (; i + MR <= rows; i += MR, d += MR * kc) {
      int s0 = s + i * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
      int s4 = s3 + ld, s5 = s4 + ld, s6 = s5 + ld, s7 = s6 + ld;
      int q = d;
      for (int p = 0; p < kc; p++, q += MR) {
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
