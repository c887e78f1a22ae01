package io.kiln.runtime.panama;

import io.kiln.runtime.gemm.Epilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code c (+)= a·Bᵀ} for a single row {@code a} (NT with m = 1: a dense layer's {@code predict} of
 * one sample), where the dot path would spend as long summing each output's lanes as multiplying:
 * 16 rows of B at a time, each with its own accumulator of per-lane partial sums, then the 16
 * accumulators reduced together in 4 rounds of swap-and-add (round r adds lanes 2^r apart and keeps
 * accumulator j's sums in the lanes whose bit r matches j's), so lane j ends holding row j's sum in
 * 15 vector additions instead of 16 × 15 scalar ones. k's ragged rest is added afterwards, one
 * vector of 16 rows per element. Every output is computed by the same operations in the same order
 * wherever it falls, and on one thread. Needs L = 16; {@link #applies} says when it is taken.
 */
final class PanamaGemv {
  private static final VectorSpecies<Float> S = PanamaGemm.S;
  private static final int L = S.length();
  private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(S, i -> i ^ 1);
  private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(S, i -> i ^ 2);
  private static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(S, i -> i ^ 4);
  private static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(S, i -> i ^ 8);
  private static final VectorMask<Float> BIT1 = VectorMask.fromLong(S, 0xAAAAL);
  private static final VectorMask<Float> BIT2 = VectorMask.fromLong(S, 0xCCCCL);
  private static final VectorMask<Float> BIT4 = VectorMask.fromLong(S, 0xF0F0L);
  private static final VectorMask<Float> BIT8 = VectorMask.fromLong(S, 0xFF00L);
  private static final VectorMask<Float> NOT1 = BIT1.not();
  private static final VectorMask<Float> NOT2 = BIT2.not();
  private static final VectorMask<Float> NOT4 = BIT4.not();
  private static final VectorMask<Float> NOT8 = BIT8.not();

  private PanamaGemv() {}

  /** One row of A, NT, at least a vector of k, on 16-lane vectors. */
  static boolean applies(int m, int k) {
    return m == 1 && k >= L && L == 16;
  }

  /**
   * @param red at least 2·L floats of scratch
   */
  static void nt(int n, int k, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff, Epilogue ep,
      float[] red) {
    boolean add = ep.accumulate();
    int kv = k - k % L;
    int last = n - 1;
    for (int j0 = 0; j0 < n; j0 += L) {
      int b0 = bOff + j0 * ldb, b1 = row(bOff, j0 + 1, last, ldb), b2 = row(bOff, j0 + 2, last, ldb);
      int b3 = row(bOff, j0 + 3, last, ldb), b4 = row(bOff, j0 + 4, last, ldb), b5 = row(bOff, j0 + 5, last, ldb);
      int b6 = row(bOff, j0 + 6, last, ldb), b7 = row(bOff, j0 + 7, last, ldb), b8 = row(bOff, j0 + 8, last, ldb);
      int b9 = row(bOff, j0 + 9, last, ldb), b10 = row(bOff, j0 + 10, last, ldb), b11 = row(bOff, j0 + 11, last, ldb);
      int b12 = row(bOff, j0 + 12, last, ldb), b13 = row(bOff, j0 + 13, last, ldb);
      int b14 = row(bOff, j0 + 14, last, ldb), b15 = row(bOff, j0 + 15, last, ldb);
      FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
      FloatVector c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
      for (int p = 0; p < kv; p += L) {
        FloatVector x = FloatVector.fromArray(S, a, aOff + p);
        c0 = x.fma(FloatVector.fromArray(S, b, b0 + p), c0);
        c1 = x.fma(FloatVector.fromArray(S, b, b1 + p), c1);
        c2 = x.fma(FloatVector.fromArray(S, b, b2 + p), c2);
        c3 = x.fma(FloatVector.fromArray(S, b, b3 + p), c3);
        c4 = x.fma(FloatVector.fromArray(S, b, b4 + p), c4);
        c5 = x.fma(FloatVector.fromArray(S, b, b5 + p), c5);
        c6 = x.fma(FloatVector.fromArray(S, b, b6 + p), c6);
        c7 = x.fma(FloatVector.fromArray(S, b, b7 + p), c7);
        c8 = x.fma(FloatVector.fromArray(S, b, b8 + p), c8);
        c9 = x.fma(FloatVector.fromArray(S, b, b9 + p), c9);
        c10 = x.fma(FloatVector.fromArray(S, b, b10 + p), c10);
        c11 = x.fma(FloatVector.fromArray(S, b, b11 + p), c11);
        c12 = x.fma(FloatVector.fromArray(S, b, b12 + p), c12);
        c13 = x.fma(FloatVector.fromArray(S, b, b13 + p), c13);
        c14 = x.fma(FloatVector.fromArray(S, b, b14 + p), c14);
        c15 = x.fma(FloatVector.fromArray(S, b, b15 + p), c15);
      }
      // round 1: lanes 1 apart; accumulator pairs (2i, 2i+1) share a vector, 2i in the even lanes
      FloatVector d0 = c0.blend(c1, BIT1).add(c0.blend(c1, NOT1).rearrange(SWAP1));
      FloatVector d1 = c2.blend(c3, BIT1).add(c2.blend(c3, NOT1).rearrange(SWAP1));
      FloatVector d2 = c4.blend(c5, BIT1).add(c4.blend(c5, NOT1).rearrange(SWAP1));
      FloatVector d3 = c6.blend(c7, BIT1).add(c6.blend(c7, NOT1).rearrange(SWAP1));
      FloatVector d4 = c8.blend(c9, BIT1).add(c8.blend(c9, NOT1).rearrange(SWAP1));
      FloatVector d5 = c10.blend(c11, BIT1).add(c10.blend(c11, NOT1).rearrange(SWAP1));
      FloatVector d6 = c12.blend(c13, BIT1).add(c12.blend(c13, NOT1).rearrange(SWAP1));
      FloatVector d7 = c14.blend(c15, BIT1).add(c14.blend(c15, NOT1).rearrange(SWAP1));
      // round 2: lanes 2 apart
      FloatVector e0 = d0.blend(d1, BIT2).add(d0.blend(d1, NOT2).rearrange(SWAP2));
      FloatVector e1 = d2.blend(d3, BIT2).add(d2.blend(d3, NOT2).rearrange(SWAP2));
      FloatVector e2 = d4.blend(d5, BIT2).add(d4.blend(d5, NOT2).rearrange(SWAP2));
      FloatVector e3 = d6.blend(d7, BIT2).add(d6.blend(d7, NOT2).rearrange(SWAP2));
      // round 3: lanes 4 apart
      FloatVector f0 = e0.blend(e1, BIT4).add(e0.blend(e1, NOT4).rearrange(SWAP4));
      FloatVector f1 = e2.blend(e3, BIT4).add(e2.blend(e3, NOT4).rearrange(SWAP4));
      // round 4: lanes 8 apart; lane j now holds row j0 + j's sum over the whole vectors of k
      FloatVector sums = f0.blend(f1, BIT8).add(f0.blend(f1, NOT8).rearrange(SWAP8));
      for (int p = kv; p < k; p++) { // the ragged rest, one element of all 16 rows at a time
        red[0] = b[b0 + p]; red[1] = b[b1 + p]; red[2] = b[b2 + p]; red[3] = b[b3 + p];
        red[4] = b[b4 + p]; red[5] = b[b5 + p]; red[6] = b[b6 + p]; red[7] = b[b7 + p];
        red[8] = b[b8 + p]; red[9] = b[b9 + p]; red[10] = b[b10 + p]; red[11] = b[b11 + p];
        red[12] = b[b12 + p]; red[13] = b[b13 + p]; red[14] = b[b14 + p]; red[15] = b[b15 + p];
        sums = FloatVector.fromArray(S, red, 0).fma(FloatVector.broadcast(S, a[aOff + p]), sums);
      }
      int cols = Math.min(L, n - j0);
      if (cols == L) {
        if (add) {
          sums = sums.add(FloatVector.fromArray(S, c, cOff + j0));
        }
        sums.intoArray(c, cOff + j0);
      } else {
        sums.intoArray(red, L);
        for (int q = 0; q < cols; q++) {
          c[cOff + j0 + q] = add ? c[cOff + j0 + q] + red[L + q] : red[L + q];
        }
      }
    }
    if (!ep.isPlain()) {
      PanamaGemm.epilogue(ep, c, cOff, 1, 1, n, 0, 0);
    }
  }

  /** Where row j of B starts, rows past the last repeating it (their sums are dropped). */
  private static int row(int bOff, int j, int last, int ldb) {
    return bOff + Math.min(j, last) * ldb;
  }
}
