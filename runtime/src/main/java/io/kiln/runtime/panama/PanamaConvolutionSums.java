package io.kiln.runtime.panama;

import io.kiln.runtime.simd.DirectConvolution.Shape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register blocks of {@link PanamaDirectConvolution}: the sums of a block of outputs over
 * every tap, in (channel, kernel row, kernel column) order, one fused multiply-add per tap, written
 * to a tile in the scratch for the caller to store. The taps run in one loop, the steps to the next
 * kernel row and channel plane taken as branches: nested loops paid a range-check preamble per
 * kernel row, more than a row of 3 or 5 taps costs (LeNet's first convolution went from 6.3 to
 * 4.0 µs a sample). Outputs across the lanes: filter f's vector v of a block of pv vectors goes to
 * {@code tile + (f·pv + v)·L}. Filters across the lanes: output k goes to {@code tile + k·L}.
 */
final class PanamaConvolutionSums {
  private static final VectorSpecies<Float> S = PanamaGemm.S;
  private static final int L = S.length();

  private PanamaConvolutionSums() {}

  /** Where output vector q (clamped to the last of {@code vectors}) starts its window in the padded input. */
  static int start(int q, int vectors, int perRow, int pw, int ow) {
    int clamped = Math.min(q, vectors - 1), r = clamped / perRow;
    return r * pw + column(clamped - r * perRow, ow);
  }

  /**
   * The first output column of the row's vector v. A row at least a vector wide ends in a vector
   * that overlaps the one before it instead of a ragged one, so every store is a whole vector; the
   * overlapped outputs are computed twice by the same operations, so they get the same bits.
   */
  static int column(int v, int ow) {
    int col = v * L;
    return ow >= L ? Math.min(col, ow - L) : col;
  }

  /** 4 filters × 6 output vectors from filter f0 and vector q0. */
  static void sums4x6(Shape s, float[] xp, int xpOff, float[] w, int wOff, int f0, int q0, int perRow,
      int vectors, int tile) {
    int pw = s.paddedWidth(), ow = s.outWidth(), patch = s.patchSize(), last = s.filters() - 1;
    int xa = xpOff + start(q0, vectors, perRow, pw, ow);
    int xb = xpOff + start(q0 + 1, vectors, perRow, pw, ow);
    int xc = xpOff + start(q0 + 2, vectors, perRow, pw, ow);
    int xd = xpOff + start(q0 + 3, vectors, perRow, pw, ow);
    int xe = xpOff + start(q0 + 4, vectors, perRow, pw, ow);
    int xf = xpOff + start(q0 + 5, vectors, perRow, pw, ow);
    int w0 = wOff + f0 * patch;
    int w1 = wOff + Math.min(f0 + 1, last) * patch;
    int w2 = wOff + Math.min(f0 + 2, last) * patch;
    int w3 = wOff + Math.min(f0 + 3, last) * patch;
    FloatVector s0a = FloatVector.zero(S);
    FloatVector s0b = s0a, s0c = s0a, s0d = s0a, s0e = s0a, s0f = s0a, s1a = s0a, s1b = s0a, s1c = s0a;
    FloatVector s1d = s0a, s1e = s0a, s1f = s0a, s2a = s0a, s2b = s0a, s2c = s0a, s2d = s0a, s2e = s0a;
    FloatVector s2f = s0a, s3a = s0a, s3b = s0a, s3c = s0a, s3d = s0a, s3e = s0a, s3f = s0a;
    int kh = s.kernelHeight(), kw = s.kernelWidth(), rowStep = pw - kw, planeStep = (s.paddedHeight() - kh) * pw;
    for (int t = 0, at = 0, j = 0, i = 0; t < patch; t++) {
      FloatVector va = FloatVector.fromArray(S, xp, xa + at);
      FloatVector vb = FloatVector.fromArray(S, xp, xb + at);
      FloatVector vc = FloatVector.fromArray(S, xp, xc + at);
      FloatVector vd = FloatVector.fromArray(S, xp, xd + at);
      FloatVector ve = FloatVector.fromArray(S, xp, xe + at);
      FloatVector vf = FloatVector.fromArray(S, xp, xf + at);
      FloatVector k0 = FloatVector.broadcast(S, w[w0 + t]);
      s0a = k0.fma(va, s0a);
      s0b = k0.fma(vb, s0b);
      s0c = k0.fma(vc, s0c);
      s0d = k0.fma(vd, s0d);
      s0e = k0.fma(ve, s0e);
      s0f = k0.fma(vf, s0f);
      FloatVector k1 = FloatVector.broadcast(S, w[w1 + t]);
      s1a = k1.fma(va, s1a);
      s1b = k1.fma(vb, s1b);
      s1c = k1.fma(vc, s1c);
      s1d = k1.fma(vd, s1d);
      s1e = k1.fma(ve, s1e);
      s1f = k1.fma(vf, s1f);
      FloatVector k2 = FloatVector.broadcast(S, w[w2 + t]);
      s2a = k2.fma(va, s2a);
      s2b = k2.fma(vb, s2b);
      s2c = k2.fma(vc, s2c);
      s2d = k2.fma(vd, s2d);
      s2e = k2.fma(ve, s2e);
      s2f = k2.fma(vf, s2f);
      FloatVector k3 = FloatVector.broadcast(S, w[w3 + t]);
      s3a = k3.fma(va, s3a);
      s3b = k3.fma(vb, s3b);
      s3c = k3.fma(vc, s3c);
      s3d = k3.fma(vd, s3d);
      s3e = k3.fma(ve, s3e);
      s3f = k3.fma(vf, s3f);
      at++;
      if (++j == kw) { // the next kernel row, and after the last one the next channel's plane
        j = 0;
        at += rowStep;
        if (++i == kh) {
          i = 0;
          at += planeStep;
        }
      }
    }
    s0a.intoArray(xp, tile);
    s0b.intoArray(xp, tile + 1 * L);
    s0c.intoArray(xp, tile + 2 * L);
    s0d.intoArray(xp, tile + 3 * L);
    s0e.intoArray(xp, tile + 4 * L);
    s0f.intoArray(xp, tile + 5 * L);
    s1a.intoArray(xp, tile + 6 * L);
    s1b.intoArray(xp, tile + 7 * L);
    s1c.intoArray(xp, tile + 8 * L);
    s1d.intoArray(xp, tile + 9 * L);
    s1e.intoArray(xp, tile + 10 * L);
    s1f.intoArray(xp, tile + 11 * L);
    s2a.intoArray(xp, tile + 12 * L);
    s2b.intoArray(xp, tile + 13 * L);
    s2c.intoArray(xp, tile + 14 * L);
    s2d.intoArray(xp, tile + 15 * L);
    s2e.intoArray(xp, tile + 16 * L);
    s2f.intoArray(xp, tile + 17 * L);
    s3a.intoArray(xp, tile + 18 * L);
    s3b.intoArray(xp, tile + 19 * L);
    s3c.intoArray(xp, tile + 20 * L);
    s3d.intoArray(xp, tile + 21 * L);
    s3e.intoArray(xp, tile + 22 * L);
    s3f.intoArray(xp, tile + 23 * L);
  }

  /** 6 filters × 4 output vectors from filter f0 and vector q0. */
  static void sums6x4(Shape s, float[] xp, int xpOff, float[] w, int wOff, int f0, int q0, int perRow,
      int vectors, int tile) {
    int pw = s.paddedWidth(), ow = s.outWidth(), patch = s.patchSize(), last = s.filters() - 1;
    int xa = xpOff + start(q0, vectors, perRow, pw, ow);
    int xb = xpOff + start(q0 + 1, vectors, perRow, pw, ow);
    int xc = xpOff + start(q0 + 2, vectors, perRow, pw, ow);
    int xd = xpOff + start(q0 + 3, vectors, perRow, pw, ow);
    int w0 = wOff + f0 * patch;
    int w1 = wOff + Math.min(f0 + 1, last) * patch;
    int w2 = wOff + Math.min(f0 + 2, last) * patch;
    int w3 = wOff + Math.min(f0 + 3, last) * patch;
    int w4 = wOff + Math.min(f0 + 4, last) * patch;
    int w5 = wOff + Math.min(f0 + 5, last) * patch;
    FloatVector s0a = FloatVector.zero(S);
    FloatVector s0b = s0a, s0c = s0a, s0d = s0a, s1a = s0a, s1b = s0a, s1c = s0a, s1d = s0a, s2a = s0a;
    FloatVector s2b = s0a, s2c = s0a, s2d = s0a, s3a = s0a, s3b = s0a, s3c = s0a, s3d = s0a, s4a = s0a;
    FloatVector s4b = s0a, s4c = s0a, s4d = s0a, s5a = s0a, s5b = s0a, s5c = s0a, s5d = s0a;
    int kh = s.kernelHeight(), kw = s.kernelWidth(), rowStep = pw - kw, planeStep = (s.paddedHeight() - kh) * pw;
    for (int t = 0, at = 0, j = 0, i = 0; t < patch; t++) {
      FloatVector va = FloatVector.fromArray(S, xp, xa + at);
      FloatVector vb = FloatVector.fromArray(S, xp, xb + at);
      FloatVector vc = FloatVector.fromArray(S, xp, xc + at);
      FloatVector vd = FloatVector.fromArray(S, xp, xd + at);
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
      FloatVector k3 = FloatVector.broadcast(S, w[w3 + t]);
      s3a = k3.fma(va, s3a);
      s3b = k3.fma(vb, s3b);
      s3c = k3.fma(vc, s3c);
      s3d = k3.fma(vd, s3d);
      FloatVector k4 = FloatVector.broadcast(S, w[w4 + t]);
      s4a = k4.fma(va, s4a);
      s4b = k4.fma(vb, s4b);
      s4c = k4.fma(vc, s4c);
      s4d = k4.fma(vd, s4d);
      FloatVector k5 = FloatVector.broadcast(S, w[w5 + t]);
      s5a = k5.fma(va, s5a);
      s5b = k5.fma(vb, s5b);
      s5c = k5.fma(vc, s5c);
      s5d = k5.fma(vd, s5d);
      at++;
      if (++j == kw) { // the next kernel row, and after the last one the next channel's plane
        j = 0;
        at += rowStep;
        if (++i == kh) {
          i = 0;
          at += planeStep;
        }
      }
    }
    s0a.intoArray(xp, tile);
    s0b.intoArray(xp, tile + 1 * L);
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
    s3a.intoArray(xp, tile + 12 * L);
    s3b.intoArray(xp, tile + 13 * L);
    s3c.intoArray(xp, tile + 14 * L);
    s3d.intoArray(xp, tile + 15 * L);
    s4a.intoArray(xp, tile + 16 * L);
    s4b.intoArray(xp, tile + 17 * L);
    s4c.intoArray(xp, tile + 18 * L);
    s4d.intoArray(xp, tile + 19 * L);
    s5a.intoArray(xp, tile + 20 * L);
    s5b.intoArray(xp, tile + 21 * L);
    s5c.intoArray(xp, tile + 22 * L);
    s5d.intoArray(xp, tile + 23 * L);
  }

  /**
   * The PB sums of outputs {@code b + k} (k < PB) over every tap, each a vector over L filters whose
   * weights for tap t are at {@code wt + t·fp}; output k goes to {@code tile + k·L}.
   */
  static void sumsAcrossFilters(float[] xp, int b, int rows, int ph, int kh, int pw, int kw, float[] wt,
      int wtOff, int fp, int tile) {
    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0;
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
  }

  /**
   * {@link #sumsAcrossFilters(float[], int, int, int, int, int, int, float[], int, int, int)
   * sumsAcrossFilters} for 3-wide kernels: a kernel row's 3 weight vectors stay in registers and
   * each of the 12 inputs under the row's windows is broadcast once for the (position, tap) pairs
   * that read it, not once per pair. Each sum still adds its taps in order.
   */
  static void sumsAcrossFilters3(float[] xp, int b, int rows, int ph, int kh, int pw, float[] wt,
      int wtOff, int fp, int tile) {
    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0;
    int kernelRows = rows / ph * kh, planeStep = (ph - kh) * pw;
    for (int r = 0, o = b, i = 0, tw = wtOff; r < kernelRows; r++, tw += 3 * fp) {
      FloatVector k0 = FloatVector.fromArray(S, wt, tw);
      FloatVector k1 = FloatVector.fromArray(S, wt, tw + fp);
      FloatVector k2 = FloatVector.fromArray(S, wt, tw + 2 * fp);
      FloatVector x;
      x = FloatVector.broadcast(S, xp[o]); a0 = k0.fma(x, a0);
      x = FloatVector.broadcast(S, xp[o + 1]); a0 = k1.fma(x, a0); a1 = k0.fma(x, a1);
      x = FloatVector.broadcast(S, xp[o + 2]); a0 = k2.fma(x, a0); a1 = k1.fma(x, a1); a2 = k0.fma(x, a2);
      x = FloatVector.broadcast(S, xp[o + 3]); a1 = k2.fma(x, a1); a2 = k1.fma(x, a2); a3 = k0.fma(x, a3);
      x = FloatVector.broadcast(S, xp[o + 4]); a2 = k2.fma(x, a2); a3 = k1.fma(x, a3); a4 = k0.fma(x, a4);
      x = FloatVector.broadcast(S, xp[o + 5]); a3 = k2.fma(x, a3); a4 = k1.fma(x, a4); a5 = k0.fma(x, a5);
      x = FloatVector.broadcast(S, xp[o + 6]); a4 = k2.fma(x, a4); a5 = k1.fma(x, a5); a6 = k0.fma(x, a6);
      x = FloatVector.broadcast(S, xp[o + 7]); a5 = k2.fma(x, a5); a6 = k1.fma(x, a6); a7 = k0.fma(x, a7);
      x = FloatVector.broadcast(S, xp[o + 8]); a6 = k2.fma(x, a6); a7 = k1.fma(x, a7); a8 = k0.fma(x, a8);
      x = FloatVector.broadcast(S, xp[o + 9]); a7 = k2.fma(x, a7); a8 = k1.fma(x, a8); a9 = k0.fma(x, a9);
      x = FloatVector.broadcast(S, xp[o + 10]); a8 = k2.fma(x, a8); a9 = k1.fma(x, a9);
      x = FloatVector.broadcast(S, xp[o + 11]); a9 = k2.fma(x, a9);
      o += pw;
      if (++i == kh) { // the next channel's plane
        i = 0;
        o += planeStep;
      }
    }
    a0.intoArray(xp, tile);
    a1.intoArray(xp, tile + 1 * L);
    a2.intoArray(xp, tile + 2 * L);
    a3.intoArray(xp, tile + 3 * L);
    a4.intoArray(xp, tile + 4 * L);
    a5.intoArray(xp, tile + 5 * L);
    a6.intoArray(xp, tile + 6 * L);
    a7.intoArray(xp, tile + 7 * L);
    a8.intoArray(xp, tile + 8 * L);
    a9.intoArray(xp, tile + 9 * L);
  }

  /**
   * {@link #sumsAcrossFilters(float[], int, int, int, int, int, int, float[], int, int, int)
   * sumsAcrossFilters} for 5-wide kernels: a kernel row's 5 weight vectors stay in registers and
   * each of the 14 inputs under the row's windows is broadcast once for the (position, tap) pairs
   * that read it, not once per pair. Each sum still adds its taps in order.
   */
  static void sumsAcrossFilters5(float[] xp, int b, int rows, int ph, int kh, int pw, float[] wt,
      int wtOff, int fp, int tile) {
    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0;
    int kernelRows = rows / ph * kh, planeStep = (ph - kh) * pw;
    for (int r = 0, o = b, i = 0, tw = wtOff; r < kernelRows; r++, tw += 5 * fp) {
      FloatVector k0 = FloatVector.fromArray(S, wt, tw);
      FloatVector k1 = FloatVector.fromArray(S, wt, tw + fp);
      FloatVector k2 = FloatVector.fromArray(S, wt, tw + 2 * fp);
      FloatVector k3 = FloatVector.fromArray(S, wt, tw + 3 * fp);
      FloatVector k4 = FloatVector.fromArray(S, wt, tw + 4 * fp);
      FloatVector x;
      x = FloatVector.broadcast(S, xp[o]); a0 = k0.fma(x, a0);
      x = FloatVector.broadcast(S, xp[o + 1]); a0 = k1.fma(x, a0); a1 = k0.fma(x, a1);
      x = FloatVector.broadcast(S, xp[o + 2]); a0 = k2.fma(x, a0); a1 = k1.fma(x, a1); a2 = k0.fma(x, a2);
      x = FloatVector.broadcast(S, xp[o + 3]); a0 = k3.fma(x, a0); a1 = k2.fma(x, a1); a2 = k1.fma(x, a2);
      a3 = k0.fma(x, a3);
      x = FloatVector.broadcast(S, xp[o + 4]); a0 = k4.fma(x, a0); a1 = k3.fma(x, a1); a2 = k2.fma(x, a2);
      a3 = k1.fma(x, a3); a4 = k0.fma(x, a4);
      x = FloatVector.broadcast(S, xp[o + 5]); a1 = k4.fma(x, a1); a2 = k3.fma(x, a2); a3 = k2.fma(x, a3);
      a4 = k1.fma(x, a4); a5 = k0.fma(x, a5);
      x = FloatVector.broadcast(S, xp[o + 6]); a2 = k4.fma(x, a2); a3 = k3.fma(x, a3); a4 = k2.fma(x, a4);
      a5 = k1.fma(x, a5); a6 = k0.fma(x, a6);
      x = FloatVector.broadcast(S, xp[o + 7]); a3 = k4.fma(x, a3); a4 = k3.fma(x, a4); a5 = k2.fma(x, a5);
      a6 = k1.fma(x, a6); a7 = k0.fma(x, a7);
      x = FloatVector.broadcast(S, xp[o + 8]); a4 = k4.fma(x, a4); a5 = k3.fma(x, a5); a6 = k2.fma(x, a6);
      a7 = k1.fma(x, a7); a8 = k0.fma(x, a8);
      x = FloatVector.broadcast(S, xp[o + 9]); a5 = k4.fma(x, a5); a6 = k3.fma(x, a6); a7 = k2.fma(x, a7);
      a8 = k1.fma(x, a8); a9 = k0.fma(x, a9);
      x = FloatVector.broadcast(S, xp[o + 10]); a6 = k4.fma(x, a6); a7 = k3.fma(x, a7); a8 = k2.fma(x, a8);
      a9 = k1.fma(x, a9);
      x = FloatVector.broadcast(S, xp[o + 11]); a7 = k4.fma(x, a7); a8 = k3.fma(x, a8); a9 = k2.fma(x, a9);
      x = FloatVector.broadcast(S, xp[o + 12]); a8 = k4.fma(x, a8); a9 = k3.fma(x, a9);
      x = FloatVector.broadcast(S, xp[o + 13]); a9 = k4.fma(x, a9);
      o += pw;
      if (++i == kh) { // the next channel's plane
        i = 0;
        o += planeStep;
      }
    }
    a0.intoArray(xp, tile);
    a1.intoArray(xp, tile + 1 * L);
    a2.intoArray(xp, tile + 2 * L);
    a3.intoArray(xp, tile + 3 * L);
    a4.intoArray(xp, tile + 4 * L);
    a5.intoArray(xp, tile + 5 * L);
    a6.intoArray(xp, tile + 6 * L);
    a7.intoArray(xp, tile + 7 * L);
    a8.intoArray(xp, tile + 8 * L);
    a9.intoArray(xp, tile + 9 * L);
  }
}
