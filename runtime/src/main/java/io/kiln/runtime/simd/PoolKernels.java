package io.kiln.runtime.simd;

/**
 * Plane kernels of the common pooling shapes, so {@code io.kiln.runtime.cnn.Pooling} can use the
 * Vector API without linking it. The default methods are the scalar twins; every implementation
 * must give bitwise identical results.
 */
public interface PoolKernels {
  /** The scalar twins. */
  PoolKernels SCALAR = new PoolKernels() {};

  /**
   * 2×2 stride-2 max pool of one {@code h × w} plane at {@code x[in]} into the {@code oh × ow} plane
   * at {@code y[out]} ({@code oh = h / 2}, {@code ow = w / 2}):
   * {@code y = max(max(max(x00, x01), max(x10, x11)), floor)} with {@link Math#max} semantics (a NaN
   * propagates, {@code max(-0, 0) = 0}); {@code floor} is {@code -∞} for a plain max pool and 0 for
   * the fused ReLU + max pool.
   */
  default void maxPool2x2(float[] x, int in, int w, int oh, int ow, float[] y, int out, float floor) {
    for (int i = 0; i < oh; i++) {
      int r0 = in + 2 * i * w;
      int r1 = r0 + w;
      int o = out + i * ow;
      for (int j = 0; j < ow; j++) {
        float m = Math.max(Math.max(x[r0 + 2 * j], x[r0 + 2 * j + 1]), Math.max(x[r1 + 2 * j], x[r1 + 2 * j + 1]));
        y[o + j] = Math.max(m, floor);
      }
    }
  }

  /**
   * The backward of a 2×2 stride-2 max pool over a prefix of one window row: for the windows
   * {@code j < J} (J returned, at most {@code ow}) whose top-left input is {@code x[r + 2j]} (the row
   * below at {@code + w}), sends {@code dy[o + j]} to the window's first max (row-major; a NaN counts
   * as the max) in {@code dx} (same offsets from {@code dr}), 0 to its other three positions; with
   * {@code relu} only where the max is {@code > 0}; {@code dx} is stored or, with
   * {@code accumulate}, added to. The caller does windows {@code [J, ow)}. Default: none (J = 0).
   * Stored windows may be written more than once (with the same values).
   */
  default int maxRoute2x2Row(float[] x, int r, int w, float[] dy, int o, float[] dx, int dr, int ow,
      boolean accumulate, boolean relu) {
    return 0;
  }
}
