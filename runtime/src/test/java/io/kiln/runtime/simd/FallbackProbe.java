package io.kiln.runtime.simd;

import io.kiln.dsl.Activation;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.Layout;
import java.util.Arrays;

/**
 * Run by {@link FallbackTest} in a child JVM started without {@code jdk.incubator.vector}: prints
 * the chosen provider's name, then one line per kernel result, computed with the chosen provider
 * (first block) and with the scalar twins (second block).
 */
public final class FallbackProbe {
  private FallbackProbe() {}

  public static void main(String[] args) {
    KernelProvider chosen = Vectorization.provider();
    // Touch the provider twice: the warning must still be printed once.
    Vectorization.provider();
    System.out.println(chosen.name());
    System.out.println(results(chosen));
    System.out.println(results(Vectorization.scalar()));
  }

  static String results(KernelProvider p) {
    float[] x = {5, -10, -3, 7};
    p.elementwise().activate(Activation.RELU, x, 0, 4);
    float[] logits = {1, 2, 3, 4, 0, -1};
    float[] d = new float[6];
    float loss = p.elementwise().softmaxCrossEntropy(d, 0, logits, 0, new int[] {2, 0}, 0, 2, 3);
    float[] a = {1, 2, 3, 4};
    float[] b = {5, 6, 7, 8};
    float[] c = new float[4];
    p.gemm().gemm(Layout.NN, 2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2, Epilogue.NONE);
    return Arrays.toString(x) + " " + loss + " " + Arrays.toString(d) + " " + Arrays.toString(c);
  }
}
