package io.kiln.runtime.attention;

import io.kiln.runtime.Parallelism;
import java.util.Random;

/**
 * Not a test: the tiny GPT's attention shape (B 32, T 64, 4 heads × 32, causal), forward and
 * forward+backward ms per call for the flash kernels vs {@link AttentionReference}, interleaved in
 * rounds. Run by hand: {@code java --add-modules jdk.incubator.vector -cp ... io.kiln.runtime.attention.AttentionBench [threads]}.
 */
public final class AttentionBench {
  static final int B = 32;
  static final int T = 64;
  static final int H = 4;
  static final int D = 32;

  private AttentionBench() {}

  public static void main(String[] args) {
    if (args.length > 0) {
      Parallelism.setThreads(Integer.parseInt(args[0]));
    }
    boolean causal = args.length < 2 || Boolean.parseBoolean(args[1]);
    Random r = new Random(1);
    MultiHeadAttentionTest.Case c = new MultiHeadAttentionTest.Case(r, B, T, T, H, D, causal, 1);
    for (int i = 0; i < 300; i++) {
      c.forward();
      c.backward(false);
    }
    for (int i = 0; i < 3; i++) {
      reference(c);
    }
    System.out.printf("B %d, T %d, %d heads × %d, causal %s, threads %d%n", B, T, H, D, causal, Parallelism.threads());
    for (int round = 0; round < 3; round++) {
      int n = 200;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        c.forward();
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        c.forward();
        c.backward(false);
      }
      long t2 = System.nanoTime();
      int m = 5;
      long t3 = System.nanoTime();
      for (int i = 0; i < m; i++) {
        AttentionReference.forward(B, T, T, H, D, causal, c.q, 3, c.k, 3, c.v, 3, c.o, 3, c.lse, 3);
      }
      long t4 = System.nanoTime();
      for (int i = 0; i < m; i++) {
        reference(c);
      }
      long t5 = System.nanoTime();
      System.out.printf("flash: fwd %.3f ms, fwd+bwd %.3f ms | naive reference: fwd %.2f ms, fwd+bwd %.2f ms%n",
          (t1 - t0) / 1e6 / n, (t2 - t1) / 1e6 / n, (t4 - t3) / 1e6 / m, (t5 - t4) / 1e6 / m);
    }
  }

  static void reference(MultiHeadAttentionTest.Case c) {
    AttentionReference.forward(B, T, T, H, D, c.causal, c.q, 3, c.k, 3, c.v, 3, c.o, 3, c.lse, 3);
    AttentionReference.backward(B, T, T, H, D, c.causal, c.q, 3, c.k, 3, c.v, 3, c.dO, 3, c.dq, 3, c.dk, 3, c.dv, 3,
        false);
  }
}
