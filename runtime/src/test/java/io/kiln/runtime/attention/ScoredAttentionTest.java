package io.kiln.runtime.attention;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.attention.AttnArrays.OFF;
import static io.kiln.runtime.attention.AttnArrays.assertClose;
import static io.kiln.runtime.attention.AttnArrays.random;
import static io.kiln.runtime.attention.AttnArrays.zeros;

import io.kiln.runtime.At;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.attention.ScoredAttention.Score;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link ScoredAttention} against {@link ScoredAttentionReference}, finite differences, threads. */
class ScoredAttentionTest {

  static final class Case {
    final Score kind;
    final int b;
    final int tq;
    final int tk;
    final int n;
    final int a;
    final float[] s;
    final float[] h;
    final float[] w1;
    final float[] w2;
    final float[] v;
    final float[] dc;
    final float[] c;
    final float[] alpha;
    final float[] ds;
    final float[] dh;
    final float[] dW1;
    final float[] dW2;
    final float[] dV;
    final float[] ws;
    final float[] scratch;
    /** The layer objects over these arrays, writing and accumulating ds and dh. */
    final ScoredAttention layer;
    final ScoredAttention accumulating;

    Case(Random r, Score kind, int b, int tq, int tk, int n, int a) {
      this.kind = kind;
      this.b = b;
      this.tq = tq;
      this.tk = tk;
      this.n = n;
      this.a = a;
      s = random(r, b * tq * n, 1);
      h = random(r, b * tk * n, 1);
      int w1n = kind == Score.GENERAL ? n * n : a * n;
      w1 = random(r, w1n, 1 / Math.sqrt(n));
      w2 = random(r, a * n, 1 / Math.sqrt(n));
      v = random(r, a, 1);
      dc = random(r, b * tq * n, 1);
      c = zeros(b * tq * n);
      alpha = zeros(b * tq * tk);
      ds = zeros(b * tq * n);
      dh = zeros(b * tk * n);
      dW1 = zeros(w1n);
      dW2 = zeros(a * n);
      dV = zeros(a);
      ws = new float[ScoredAttention.workspaceFloats(kind, b, tq, tk, n, a) + 2];
      scratch = new float[ScoredAttention.backwardScratchFloats(kind, b, tq, tk, n, a) + 4];
      layer = layer(false);
      accumulating = layer(true);
    }

    private ScoredAttention layer(boolean accumulate) {
      return ScoredAttention.of(kind, n, a)
          .weights(new At(w1, OFF), new At(w2, OFF), new At(v, OFF))
          .output(new At(c, OFF), new At(alpha, OFF))
          .workspace(new At(ws, 2))
          .gradients(new At(dc, OFF), new At(dW1, OFF), new At(dW2, OFF), new At(dV, OFF))
          .inputGradients(new At(ds, OFF), new At(dh, OFF), accumulate)
          .scratch(new At(scratch, 4))
          .build();
    }

    void forward() {
      layer.forward(b, tq, tk, s, OFF, h, OFF);
    }

    void backward(boolean accumulate) {
      (accumulate ? accumulating : layer).backward(b, tq, tk, s, OFF, h, OFF);
    }

    double loss() {
      forward();
      return AttnArrays.dot(dc, c);
    }
  }

  @ParameterizedTest
  @EnumSource(Score.class)
  void matchesTheReference(Score kind) {
    Random r = new Random(kind.ordinal() + 1);
    for (int b : new int[] {1, 2}) {
      for (int tq : new int[] {1, 3, 17}) {
        for (int tk : new int[] {1, 3, 17, 64}) {
          for (int n : new int[] {1, 8, 32}) {
            Case c = new Case(r, kind, b, tq, tk, n, 5 + n / 2);
            String what = kind + " B" + b + " Tq" + tq + " Tk" + tk + " n" + n;
            float[] ctx = zeros(b * tq * n);
            float[] alpha = zeros(b * tq * tk);
            ScoredAttentionReference.forward(kind, b, tq, tk, n, c.a, c.s, OFF, c.h, OFF, c.w1, OFF, c.w2, OFF, c.v,
                OFF, ctx, OFF, alpha, OFF);
            c.forward();
            assertClose(what + " context", ctx, c.c, 1e-5, 1e-3);
            assertClose(what + " alpha", alpha, c.alpha, 1e-5, 1e-3);
            boolean accumulate = (tq + tk + n) % 2 == 0;
            float[][] fast = {c.ds, c.dh, c.dW1, c.dW2, c.dV};
            float[][] ref = new float[fast.length][];
            for (int i = 0; i < fast.length; i++) {
              float[] init = random(r, AttnArrays.size(fast[i]), 1);
              System.arraycopy(init, 0, fast[i], 0, init.length);
              ref[i] = init.clone();
            }
            ScoredAttentionReference.backward(kind, b, tq, tk, n, c.a, c.s, OFF, c.h, OFF, c.w1, OFF, c.w2, OFF, c.v,
                OFF, c.dc, OFF, ref[0], OFF, ref[1], OFF, accumulate, ref[2], OFF, ref[3], OFF, ref[4], OFF);
            c.backward(accumulate);
            String[] names = {"ds", "dh", "dW1", "dW2", "dv"};
            for (int i = 0; i < fast.length; i++) {
              // floor 1: the natural gradient scale (|∂c|·|h|); a saturated softmax cancels to much less
              assertClose(what + " " + names[i], ref[i], fast[i], 3e-5, 1);
            }
          }
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Score.class)
  void everyGradientMatchesFiniteDifferences(Score kind) {
    Case c = new Case(new Random(20 + kind.ordinal()), kind, 2, 3, 4, 5, 3);
    c.forward();
    c.backward(false);
    AttnArrays.checkGradient("s", c.s, c.ds, c::loss, 1e-2f, 2e-3, 1e-2);
    AttnArrays.checkGradient("h", c.h, c.dh, c::loss, 1e-2f, 2e-3, 1e-2);
    if (kind != Score.DOT) {
      AttnArrays.checkGradient("W1", c.w1, c.dW1, c::loss, 1e-2f, 2e-3, 1e-2);
    }
    if (kind == Score.ADDITIVE) {
      AttnArrays.checkGradient("W2", c.w2, c.dW2, c::loss, 1e-2f, 2e-3, 1e-2);
      AttnArrays.checkGradient("v", c.v, c.dV, c::loss, 1e-2f, 2e-3, 1e-2);
    }
  }

  @ParameterizedTest
  @EnumSource(Score.class)
  void resultsAreBitwiseIdenticalWithOneOrTwoThreads(Score kind) {
    int before = Parallelism.threads();
    try {
      Case[] runs = new Case[2];
      for (int t = 1; t <= 2; t++) {
        Parallelism.setThreads(t);
        Case c = new Case(new Random(9), kind, 4, 17, 33, 48, 40);
        c.forward();
        c.backward(false);
        runs[t - 1] = c;
      }
      Case x = runs[0];
      Case y = runs[1];
      assertThat(Arrays.equals(x.c, y.c)).isTrue();
      assertThat(Arrays.equals(x.alpha, y.alpha)).isTrue();
      assertThat(Arrays.equals(x.ds, y.ds)).isTrue();
      assertThat(Arrays.equals(x.dh, y.dh)).isTrue();
      assertThat(Arrays.equals(x.dW1, y.dW1)).isTrue();
      assertThat(Arrays.equals(x.dW2, y.dW2)).isTrue();
      assertThat(Arrays.equals(x.dV, y.dV)).isTrue();
    } finally {
      Parallelism.setThreads(before);
    }
  }
}
