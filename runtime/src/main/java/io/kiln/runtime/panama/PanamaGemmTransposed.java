package io.kiln.runtime.panama;

import static io.kiln.runtime.panama.PanamaGemm.L;
import static io.kiln.runtime.panama.PanamaGemm.MR;
import static io.kiln.runtime.panama.PanamaGemm.NR;

import io.kiln.runtime.gemm.GemmBlocking;

/**
 * NT products with a batch of 32 or 64 rows of A ({@code C = A·Bᵀ}: a dense layer's forward pass
 * {@code x·Wᵀ}, an LSTM step), computed as {@code Cᵀ = B·Aᵀ}. The blocked path transposes all of B
 * (n × k) into panels, which costs most of the multiply-adds' time when m is small; here only A
 * (m × k) is transposed, 8 rows of B at a time are packed as an A micro-panel for the blocked
 * path's micro-kernel, and each 8 × NR tile of Cᵀ goes into C through an in-register transpose.
 * Rows of A come in NR-wide panels, so m must be a multiple of NR (m = 48 wastes a quarter of the
 * work and is slower than the blocked path), and k at least {@link #MIN_K}. Measured against the blocked path (docs/benchmarks.md): 32 × 1024 × 256
 * 1.08–1.15×, 64 × 512 × 512 1.1–1.27×, 32 × 100 × 300 1.14×, 64 × 1024 × 256 about even.
 *
 * <p>Every element of C gets the blocked path's operations in its order: {@code fma(b, a, acc)}
 * over p within a K block of the same size (the micro-kernel's {@code fma(a, b, acc)} with A and B
 * swapped; fma's product commutes exactly), then {@code acc + C} for later K blocks, then the
 * epilogue.
 */
final class PanamaGemmTransposed {
  /** The most rows of A this path takes. */
  static final int MAX_M = 2 * NR;
  /**
   * The least k: each tile's transpose into C costs as much as ~128 steps of the micro-kernel, so
   * below this the blocked path is faster (32 × 1024 × 128: 0.85×; 64 × 1024 × 64: 0.7×).
   */
  static final int MIN_K = 256;

  private PanamaGemmTransposed() {}

  /** Whether {@code layout = NT, m × n × k} takes this path (depends only on the shape). */
  static boolean applies(int m, int n, int k) {
    return PanamaGemmPacking.WIDE && m <= MAX_M && m % NR == 0 && n >= MR && k >= MIN_K;
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
        // 8 rows of B (columns of C) as an A micro-panel (zero rows past the end of B), so the
        // blocked path's micro-kernel computes the tile of Cᵀ
        PanamaGemmPacking.packA(b, call.bOff + jt * ldb + pc, ldb, jr, kc, rowsOfB);
        for (int ip = 0; ip < iPanels; ip++) {
          int i0 = ip * NR;
          PanamaGemm.kernelStore(rowsOfB, 0, at, ip * NR * kc, kc, tile, 0, NR);
          merge(tile, tt, c, call.cOff + i0 * ldc + jt, ldc, Math.min(NR, m - i0), jr, add);
        }
      }
    }
    if (!call.ep.isPlain()) {
      PanamaGemm.epilogue(call.ep, c, call.cOff + j0, ldc, m, cols, 0, j0);
    }
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
        int o = ci + i * ldc;
        if (add) {
          for (int j = 0; j < MR; j++) {
            c[o + j] = tt[i * MR + j] + c[o + j];
          }
        } else {
          System.arraycopy(tt, i * MR, c, o, MR);
        }
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
