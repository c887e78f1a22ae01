package io.kiln.runtime.panama;

import static io.kiln.runtime.panama.PanamaGemm.KC;
import static io.kiln.runtime.panama.PanamaGemm.L;
import static io.kiln.runtime.panama.PanamaGemm.MR;
import static io.kiln.runtime.panama.PanamaGemm.NR;
import static io.kiln.runtime.panama.PanamaGemm.S;

import io.kiln.runtime.gemm.GemmBlocking;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * NT products with a batch of 32 or 64 rows of A ({@code C = A·Bᵀ}: a dense layer's forward pass
 * {@code x·Wᵀ}, an LSTM step), computed as {@code Cᵀ = B·Aᵀ}. The blocked path transposes all of B
 * (n × k) into panels, which costs most of the multiply-adds' time when m is small; here only A
 * (m × k) is transposed, 8 rows of B at a time are copied side by side, and each 8 × NR tile of Cᵀ
 * goes into C through an in-register transpose. Rows of A come in NR-wide panels, so m must be a
 * multiple of NR (m = 48 wastes a quarter of the work and is slower than the blocked path; m = 32
 * and 64 are 13% and 7% faster, see docs/benchmarks.md).
 *
 * <p>Every element of C gets the blocked path's operations in its order: {@code fma(b, a, acc)}
 * over p within a K block of the same size (fma's product commutes exactly), then
 * {@code acc + C} for later K blocks, then the epilogue.
 */
final class PanamaGemmTransposed {
  /** The most rows of A this path takes. */
  static final int MAX_M = 2 * NR;
  private static final VectorSpecies<Float> EIGHT = PanamaGemm.L >= MR ? FloatVector.SPECIES_256 : null;

  private PanamaGemmTransposed() {}

  /** Whether {@code layout = NT, m × n × k} takes this path (depends only on the shape). */
  static boolean applies(int m, int n, int k) {
    return EIGHT != null && m <= MAX_M && m % NR == 0 && n >= MR;
  }

  /**
   * Columns {@code [j0, j0 + cols)} of C (a multiple of MR wide except at the end of C), all rows,
   * all of K; the epilogue too.
   */
  static void columns(PanamaGemm.Call call, PanamaGemm.Scratch s, int j0, int cols) {
    int m = call.m, n = call.n, k = call.k, kcBlock = call.kcBlock;
    float[] a = call.a, b = call.b, c = call.c;
    int lda = call.lda, ldb = call.ldb, ldc = call.ldc;
    int iPanels = GemmBlocking.ceilDiv(m, NR);
    float[] at = s.packedA(iPanels * NR * kcBlock);
    float[] tile = s.tile;
    float[] tt = s.transposedTile;
    float[] rowsOfB = s.rowsOfB;
    for (int pc = 0; pc < k; pc += kcBlock) {
      int kc = Math.min(kcBlock, k - pc);
      for (int ip = 0; ip < iPanels; ip++) {
        int i0 = ip * NR;
        PanamaGemmPacking.packBTransposed(a, call.aOff + i0 * lda + pc, lda, kc, Math.min(NR, m - i0), at, ip * NR * kc);
      }
      boolean add = call.accumulate || pc > 0;
      for (int jt = j0; jt < j0 + cols; jt += MR) {
        int jr = Math.min(MR, j0 + cols - jt);
        // 8 rows of B (columns of C) side by side at a fixed stride, so the kernel addresses them
        // with one index; rows past the end repeat the last one and their results are dropped
        for (int r = 0; r < MR; r++) {
          System.arraycopy(b, call.bOff + Math.min(jt + r, n - 1) * ldb + pc, rowsOfB, r * KC, kc);
        }
        for (int ip = 0; ip < iPanels; ip++) {
          int i0 = ip * NR;
          kernel(at, ip * NR * kc, rowsOfB, kc, tile);
          merge(tile, tt, c, call.cOff + i0 * ldc + jt, ldc, Math.min(NR, m - i0), jr, add);
        }
      }
    }
    if (!call.ep.isPlain()) {
      PanamaGemm.epilogue(call.ep, c, call.cOff + j0, ldc, m, cols, 0, j0);
    }
  }

  /**
   * {@code tile[r·NR + i] = Σ_p b[r·KC + p] · at[ai + p·NR + i]}: 8 rows of B (broadcast) times a
   * packed NR-wide panel of Aᵀ, in 16 accumulators. The rows' fixed stride KC folds into the
   * address constants (8 separate row offsets spill registers and cost a fifth of the speed).
   */
  static void kernel(float[] at, int ai, float[] b, int kc, float[] tile) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int p = 0; p < kc; p++) {
      int ao = ai + p * NR;
      FloatVector x0 = FloatVector.fromArray(S, at, ao);
      FloatVector x1 = FloatVector.fromArray(S, at, ao + L);
      FloatVector y0 = FloatVector.broadcast(S, b[p]);
      c00 = y0.fma(x0, c00);
      c01 = y0.fma(x1, c01);
      FloatVector y1 = FloatVector.broadcast(S, b[KC + p]);
      c10 = y1.fma(x0, c10);
      c11 = y1.fma(x1, c11);
      FloatVector y2 = FloatVector.broadcast(S, b[2 * KC + p]);
      c20 = y2.fma(x0, c20);
      c21 = y2.fma(x1, c21);
      FloatVector y3 = FloatVector.broadcast(S, b[3 * KC + p]);
      c30 = y3.fma(x0, c30);
      c31 = y3.fma(x1, c31);
      FloatVector y4 = FloatVector.broadcast(S, b[4 * KC + p]);
      c40 = y4.fma(x0, c40);
      c41 = y4.fma(x1, c41);
      FloatVector y5 = FloatVector.broadcast(S, b[5 * KC + p]);
      c50 = y5.fma(x0, c50);
      c51 = y5.fma(x1, c51);
      FloatVector y6 = FloatVector.broadcast(S, b[6 * KC + p]);
      c60 = y6.fma(x0, c60);
      c61 = y6.fma(x1, c61);
      FloatVector y7 = FloatVector.broadcast(S, b[7 * KC + p]);
      c70 = y7.fma(x0, c70);
      c71 = y7.fma(x1, c71);
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + L);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + L);
    c60.intoArray(tile, 6 * NR);
    c61.intoArray(tile, 6 * NR + L);
    c70.intoArray(tile, 7 * NR);
    c71.intoArray(tile, 7 * NR + L);
  }

  /**
   * {@code C[i][j] = (add ? C[i][j] : 0) + tile[j·NR + i]} for {@code rows × cols} of C at
   * {@code ci}: a full tile through {@link PanamaGemmPacking#transpose8} and 8-float rows, an edge
   * tile element by element.
   */
  static void merge(float[] tile, float[] tt, float[] c, int ci, int ldc, int rows, int cols, boolean add) {
    if (rows == NR && cols == MR) {
      for (int h = 0; h < NR; h += L) {
        PanamaGemmPacking.transpose8(tile, h, NR, tt, h * MR, MR);
      }
      for (int i = 0; i < NR; i++) {
        FloatVector v = FloatVector.fromArray(EIGHT, tt, i * MR);
        int o = ci + i * ldc;
        if (add) {
          v = v.add(FloatVector.fromArray(EIGHT, c, o));
        }
        v.intoArray(c, o);
      }
      return;
    }
    for (int i = 0; i < rows; i++) {
      int o = ci + i * ldc;
      for (int j = 0; j < cols; j++) {
        float t = tile[j * NR + i];
        c[o + j] = add ? t + c[o + j] : t;
      }
    }
  }
}
