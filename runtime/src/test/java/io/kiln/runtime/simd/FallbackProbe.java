package io.kiln.runtime.simd;

import io.kiln.dsl.Activation;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.Layout;
import java.util.Arrays;

/**
 * Run by {@link FallbackTest} in a child JVM started without {@code jdk.incubator.vector}: prints
 * the chosen provider's name, the kernel results computed with the chosen provider and with the
 * scalar twins (one line each), then the classes of the chosen provider's kernel families.
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
    System.out.println(families(chosen));
  }

  static String families(KernelProvider p) {
    return String.join(" ", p.gemm().getClass().getName(), p.elementwise().getClass().getName(),
        p.pooling().getClass().getName(), p.recurrentCells().getClass().getName(), p.attention().getClass().getName());
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
    p.gemm().gemm(Layout.NN, 2, 2, 2, a, 0, b, 0, c, 0, Epilogue.NONE);
    float[] gates = {-1, 0.5f, 2};
    p.recurrentCells().elmanForward(true, gates, 0, 3);
    float[] y = {1, 1, 1};
    p.attention().accumulateRows(new float[] {2}, 0, 1, a, 0, 3, y, 0, 3);
    float[] pooled = new float[1];
    p.pooling().maxPool2x2(a, 0, 2, 1, 1, pooled, 0, Float.NEGATIVE_INFINITY);
    return Arrays.toString(x) + " " + loss + " " + Arrays.toString(d) + " " + Arrays.toString(c) + " "
        + Arrays.toString(gates) + " " + Arrays.toString(y) + " " + Arrays.toString(pooled);
  }
}
