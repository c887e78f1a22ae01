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
}
