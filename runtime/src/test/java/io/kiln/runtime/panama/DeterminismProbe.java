package io.kiln.runtime.panama;

import io.kiln.dsl.Activation;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.simd.ElementwiseKernels;
import io.kiln.runtime.simd.LayerNormKernels;
import io.kiln.runtime.simd.ScalarElementwise;
import io.kiln.runtime.simd.Vectorization;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Run by {@link DeterminismTest} in child JVMs (interpreter only, and C2 after warm-up): prints
 * one line per kernel result, {@code name hash}, where the hash covers every output bit. The
 * lines must not depend on how the JIT compiled the code.
 *
 * <p>Arguments: the number of warm-up rounds before the printed round (0 for the first run).
 */
public final class DeterminismProbe {
  private DeterminismProbe() {}

  public static void main(String[] args) {
    int warmUp = Integer.parseInt(args[0]);
    List<String> lines = null;
    for (int round = 0; round <= warmUp; round++) {
      lines = run();
    }
    lines.forEach(System.out::println);
  }

  static long hash(long h, float[] a) {
    for (float v : a) {
      h = h * 0x9E3779B97F4A7C15L + Float.floatToIntBits(v); // canonical NaN
    }
    return h;
  }

  static float[] data(long seed, int n, double scale) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextGaussian() * scale);
    }
    // Edge values the kernels must treat the same way in every mode.
    float[] specials = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 100f, -100f, 1e-30f};
    for (int i = 0; i < specials.length && 37 * i < n; i++) {
      a[37 * i] = specials[i];
    }
    return a;
  }

  static List<String> run() {
    List<String> out = new ArrayList<>();
    elementwise(out, "panama", new PanamaElementwise());
    elementwise(out, "scalar", new ScalarElementwise());
    gemm(out, "panama", new PanamaGemm());
    gemm(out, "scalar", Vectorization.scalar().gemm());
    layerNorm(out, "panama", new PanamaLayerNorm());
    layerNorm(out, "scalar", LayerNormKernels.SCALAR);
    return out;
  }

  static void layerNorm(List<String> out, String name, LayerNormKernels k) {
    int n = 133; // a ragged end after whole vectors
    int rows = 32;
    float[] u = data(8, rows * n, 2);
    float[] dy = data(9, rows * n, 1);
    float[] gamma = data(10, n, 1);
    for (int i = 0; i < u.length; i++) {
      u[i] = Float.isFinite(u[i]) ? u[i] * (1 + i % 7) + 3f : 0.5f;
      dy[i] = Float.isFinite(dy[i]) ? dy[i] * (1 + i % 5) : -0.5f;
    }
    for (int i = 0; i < n; i++) {
      gamma[i] = Float.isFinite(gamma[i]) ? gamma[i] : 1.5f;
    }
    float[] stats = new float[2 * rows];
    float[] du = new float[rows * n];
    for (int r = 0; r < rows; r++) {
      k.statistics(u, r * n, n, 1e-5f, stats, 2 * r, stats, 2 * r + 1);
      k.inputGradient(du, r * n, false, dy, r * n, u, r * n, n, stats[2 * r], stats[2 * r + 1], gamma, 0);
    }
    out.add(name + " layerNorm " + Long.toHexString(hash(hash(0, stats), du)));
  }


  static void elementwise(List<String> out, String name, ElementwiseKernels k) {
    for (Activation f : Activation.values()) {
      float[] x = data(1, 1003, 4);
      k.activate(f, x, 0, x.length);
      out.add(name + " activate " + f + " " + Long.toHexString(hash(0, x)));
    }
    int rows = 8;
    int classes = 101;
    float[] logits = data(2, rows * classes, 5);
    float[] soft = new float[logits.length];
    k.softmax(soft, 0, logits, 0, rows, classes);
    out.add(name + " softmax " + Long.toHexString(hash(0, soft)));
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) {
      labels[r] = (r * 13) % classes;
    }
    float[] dLogits = new float[logits.length];
    float loss = k.softmaxCrossEntropy(dLogits, 0, logits, 0, labels, 0, rows, classes);
    out.add(name + " softmaxCE " + Long.toHexString(hash(Float.floatToIntBits(loss), dLogits)));
    float[] z = data(3, 1003, 6);
    z[0] = 1f; // keep the BCE loss finite (NaN/∞ elsewhere are replaced below)
    for (int i = 0; i < z.length; i++) {
      if (!Float.isFinite(z[i])) {
        z[i] = i % 2 == 0 ? 90f : -90f;
      }
    }
    float[] t = data(4, z.length, 1);
    for (int i = 0; i < t.length; i++) {
      t[i] = t[i] > 0 ? 1f : 0f;
    }
    float[] dz = new float[z.length];
    float bce = k.sigmoidBinaryCrossEntropy(dz, 0, z, 0, t, 0, z.length);
    out.add(name + " bce " + Float.floatToIntBits(bce) + " " + Long.toHexString(hash(0, dz)));
    float[] dy = new float[z.length];
    float mse = k.meanSquaredError(dy, 0, z, 0, t, 0, z.length);
    out.add(name + " mse " + Float.floatToIntBits(mse) + " " + Long.toHexString(hash(0, dy)));
  }

  static void gemm(List<String> out, String name, GemmKernel g) {
    // The shape of the original report: NT 96×80×72, with a column bias.
    int m = 96;
    int n = 80;
    int k = 72;
    float[] a = data(5, m * k, 0.5);
    float[] b = data(6, n * k, 0.5);
    for (int i = 0; i < a.length; i++) {
      a[i] = Float.isFinite(a[i]) ? a[i] : 0.25f;
      b[i % b.length] = Float.isFinite(b[i % b.length]) ? b[i % b.length] : -0.25f;
    }
    float[] bias = data(7, n, 1);
    for (int j = 0; j < n; j++) {
      bias[j] = Float.isFinite(bias[j]) ? bias[j] : 0.5f;
    }
    for (Activation f : new Activation[] {Activation.SIGMOID, Activation.TANH}) {
      float[] c = new float[m * n];
      g.gemm(Layout.NT, m, n, k, a, 0, b, 0, c, 0, Epilogue.biasActivation(bias, 0, f));
      out.add(name + " gemm NT " + f + " " + Long.toHexString(hash(0, c)));
    }
  }
}
