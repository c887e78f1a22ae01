package io.kiln.runtime.attention;

import io.kiln.runtime.Checks;
import io.kiln.runtime.simd.GeluKernels;

/**
 * GELU, PyTorch's default exact form {@code gelu(x) = x·Φ(x) = ½·x·(1 + erf(x/√2))} (not the tanh
 * approximation), forward and backward, element-wise over flat arrays. Checks its arguments and
 * runs {@link GeluKernels} (deterministic erf, parallel in fixed chunks, nothing allocated per
 * call). The test oracle is {@code GeluReference}.
 */
public final class Gelu {
  private Gelu() {}

  /** erf(x) for a float, to ~1.5e-7 absolute, deterministic; odd, erf(±∞) = ±1, NaN stays NaN. */
  public static float erf(float x) {
    return GeluKernels.erf(x);
  }

  /** gelu(x) for one value. */
  public static float gelu(float x) {
    return GeluKernels.gelu(x);
  }

  /** gelu'(x) = Φ(x) + x·φ(x) for one value. */
  public static float derivative(float x) {
    return GeluKernels.derivative(x);
  }

  /** {@code y[i] = gelu(x[i])} for {@code n} elements; y may alias x (same offset). */
  public static void forward(int n, float[] x, int xOff, float[] y, int yOff) {
    Checks.range("x", x, xOff, n);
    Checks.range("y", y, yOff, n);
    GeluKernels.forward(n, x, xOff, y, yOff);
  }

  /**
   * {@code dx[i] = dy[i]·gelu'(x[i])} (or {@code +=} when {@code accumulate}), x the forward's
   * input; dx may alias dy (same offset) when not accumulating.
   */
  public static void backward(int n, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
      boolean accumulate) {
    Checks.range("x", x, xOff, n);
    Checks.range("dy", dy, dyOff, n);
    Checks.range("dx", dx, dxOff, n);
    GeluKernels.backward(n, x, xOff, dy, dyOff, dx, dxOff, accumulate);
  }
}
