package io.kiln.runtime.attention;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.attention.AttnArrays.OFF;
import static io.kiln.runtime.attention.AttnArrays.assertClose;
import static io.kiln.runtime.attention.AttnArrays.random;
import static io.kiln.runtime.attention.AttnArrays.zeros;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.At;
import io.kiln.runtime.Parallelism;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The flash kernels against {@link AttentionReference}, finite differences, the causal mask, threads. */
class MultiHeadAttentionTest {
  private static final int[] LENGTHS = {1, 3, 17, 64, 70};

  /** One problem: inputs, outputs, gradients, all at offset {@link AttnArrays#OFF} with NaN guards. */
  static final class Case {
    final int b;
    final int tq;
    final int tk;
    final int h;
    final int d;
    final boolean causal;
    final float[] q;
    final float[] k;
    final float[] v;
    final float[] dO;
    final float[] o;
    final float[] lse;
    final float[] dq;
    final float[] dk;
    final float[] dv;
    final float[] scratch;
    /** The layer objects over these arrays, writing and accumulating the q, k, v gradients. */
    final MultiHeadAttention layer;
    final MultiHeadAttention accumulating;

    Case(Random r, int b, int tq, int tk, int h, int d, boolean causal, double scale) {
      this.b = b;
      this.tq = tq;
      this.tk = tk;
      this.h = h;
      this.d = d;
      this.causal = causal;
      q = random(r, b * tq * h * d, scale);
      k = random(r, b * tk * h * d, scale);
      v = random(r, b * tk * h * d, 1);
      dO = random(r, b * tq * h * d, 1);
      o = zeros(b * tq * h * d);
      lse = zeros(b * h * tq);
      dq = zeros(b * tq * h * d);
      dk = zeros(b * tk * h * d);
      dv = zeros(b * tk * h * d);
      scratch = new float[MultiHeadAttention.scratchFloats(b, tq, h, d) + 7];
      layer = layer(false);
      accumulating = layer(true);
    }

    private MultiHeadAttention layer(boolean accumulate) {
      return MultiHeadAttention.of(h, d, causal)
          .tensors(new At(q, OFF), new At(k, OFF), new At(v, OFF), new At(o, OFF), new At(lse, OFF))
          .scratch(new At(scratch, 7))
          .gradients(new At(dO, OFF), new At(dq, OFF), new At(dk, OFF), new At(dv, OFF), accumulate)
          .build();
    }

    void forward() {
      layer.forward(b, tq, tk);
    }

    void backward(boolean accumulate) {
      (accumulate ? accumulating : layer).backward(b, tq, tk);
    }

    double loss() {
      forward();
      return AttnArrays.dot(dO, o);
    }
  }

  @Test
  void flashMatchesTheNaiveReferenceOnRandomShapes() {
    Random r = new Random(42);
    int cases = 0;
    for (int b : new int[] {1, 2}) {
      for (int tq : LENGTHS) {
        for (int tk : LENGTHS) {
          for (int h : new int[] {1, 4}) {
            for (int d : new int[] {1, 8, 32}) {
              for (boolean causal : new boolean[] {false, true}) {
                if (causal && tq != tk) {
                  continue;
                }
                compare(new Case(r, b, tq, tk, h, d, causal, 1.0), r.nextBoolean());
                cases++;
              }
            }
          }
        }
      }
    }
    assertThat(cases).isEqualTo(2 * (25 + 5) * 2 * 3);
  }

  @Test
  void largeScoresStayStable() {
    // scores of several hundred: the running max must rescale, nothing overflows
    Random r = new Random(3);
    compare(new Case(r, 2, 70, 70, 2, 8, true, 12.0), false);
    compare(new Case(r, 1, 17, 130, 1, 32, false, 6.0), true);
  }

  private static void compare(Case c, boolean accumulate) {
    String what = "B" + c.b + " Tq" + c.tq + " Tk" + c.tk + " H" + c.h + " d" + c.d + (c.causal ? " causal" : "");
    int qs = c.b * c.tq * c.h * c.d;
    int ks = c.b * c.tk * c.h * c.d;
    float[] o = zeros(qs);
    float[] lse = zeros(c.b * c.h * c.tq);
    AttentionReference.forward(c.b, c.tq, c.tk, c.h, c.d, c.causal, c.q, OFF, c.k, OFF, c.v, OFF, o, OFF, lse, OFF);
    c.forward();
    assertClose(what + " o", o, c.o, 1e-5, 1e-3);
    assertClose(what + " lse", lse, c.lse, 1e-5, 1);
    Random r = new Random(c.tq * 31 + c.tk);
    float[] dq = accumulate ? random(r, qs, 1) : zeros(qs);
    float[] dk = accumulate ? random(r, ks, 1) : zeros(ks);
    float[] dv = accumulate ? random(r, ks, 1) : zeros(ks);
    if (accumulate) {
      System.arraycopy(dq, 0, c.dq, 0, dq.length);
      System.arraycopy(dk, 0, c.dk, 0, dk.length);
      System.arraycopy(dv, 0, c.dv, 0, dv.length);
    } else {
      // garbage that "=" must overwrite
      Arrays.fill(c.dq, OFF, OFF + qs, 7f);
      Arrays.fill(c.dk, OFF, OFF + ks, 7f);
      Arrays.fill(c.dv, OFF, OFF + ks, 7f);
    }
    AttentionReference.backward(c.b, c.tq, c.tk, c.h, c.d, c.causal, c.q, OFF, c.k, OFF, c.v, OFF, c.dO, OFF, dq, OFF,
        dk, OFF, dv, OFF, accumulate);
    c.backward(accumulate);
    assertClose(what + " dq", dq, c.dq, 2e-5, 1e-2);
    assertClose(what + " dk", dk, c.dk, 2e-5, 1e-2);
    assertClose(what + " dv", dv, c.dv, 2e-5, 1e-2);
  }

  @Test
  void everyGradientMatchesFiniteDifferences() {
    Random r = new Random(7);
    // small heads, and one sequence that crosses a 64-row block
    Case[] cases = {
      new Case(r, 2, 5, 5, 2, 3, true, 1.0),
      new Case(r, 2, 4, 6, 2, 3, false, 1.0),
      new Case(r, 1, 70, 70, 1, 2, true, 1.0),
    };
    for (Case c : cases) {
      c.forward();
      c.backward(false);
      AttnArrays.checkGradient("q", c.q, c.dq, c::loss, 1e-2f, 2e-3, 1e-2);
      AttnArrays.checkGradient("k", c.k, c.dk, c::loss, 1e-2f, 2e-3, 1e-2);
      AttnArrays.checkGradient("v", c.v, c.dv, c::loss, 1e-2f, 2e-3, 1e-2);
    }
  }

  @Test
  void withTheCausalMaskRowTIgnoresLaterInputs() {
    Random r = new Random(11);
    int t = 70;
    Case a = new Case(r, 2, t, t, 4, 8, true, 1.0);
    a.forward();
    float[] o0 = a.o.clone();
    float[] lse0 = a.lse.clone();
    int ld = 4 * 8;
    for (int cut : new int[] {0, 5, 63, 64, 69}) {
      Case c = new Case(new Random(cut), 2, t, t, 4, 8, true, 1.0);
      System.arraycopy(a.q, 0, c.q, 0, a.q.length);
      System.arraycopy(a.k, 0, c.k, 0, a.k.length);
      System.arraycopy(a.v, 0, c.v, 0, a.v.length);
      // change every q, k, v row after position cut
      for (int b = 0; b < 2; b++) {
        for (int i = cut + 1; i < t; i++) {
          for (int x = 0; x < ld; x++) {
            int at = OFF + (b * t + i) * ld + x;
            c.q[at] += 1f;
            c.k[at] -= 2f;
            c.v[at] *= -3f;
          }
        }
      }
      c.forward();
      for (int b = 0; b < 2; b++) {
        for (int i = 0; i < t; i++) {
          for (int x = 0; x < ld; x++) {
            int at = OFF + (b * t + i) * ld + x;
            if (i <= cut) {
              assertThat(c.o[at]).isEqualTo(o0[at]);
            }
          }
        }
        for (int h = 0; h < 4; h++) {
          for (int i = 0; i <= cut; i++) {
            int at = OFF + (b * 4 + h) * t + i;
            assertThat(c.lse[at]).isEqualTo(lse0[at]);
          }
        }
      }
      // and a later row does change
      if (cut < t - 1) {
        int at = OFF + (cut + 1) * ld;
        assertThat(c.o[at]).isNotEqualTo(o0[at]);
      }
    }
  }

  @Test
  void resultsAreBitwiseIdenticalWithOneOrTwoThreads() {
    int before = Parallelism.threads();
    try {
      float[][] one = run(1);
      float[][] two = run(2);
      for (int i = 0; i < one.length; i++) {
        assertThat(Arrays.equals(one[i], two[i])).isTrue();
      }
    } finally {
      Parallelism.setThreads(before);
    }
  }

  private static float[][] run(int threads) {
    Parallelism.setThreads(threads);
    float[][] all = new float[0][];
    for (boolean causal : new boolean[] {false, true}) {
      Case c = new Case(new Random(5), 2, 70, 70, 4, 8, causal, 1.0);
      c.forward();
      c.backward(false);
      float[][] more = {c.o, c.lse, c.dq, c.dk, c.dv};
      float[][] joined = Arrays.copyOf(all, all.length + more.length);
      System.arraycopy(more, 0, joined, all.length, more.length);
      all = joined;
    }
    return all;
  }

  @Test
  void badArgumentsAreRejectedWithAMessage() {
    Case c = new Case(new Random(1), 1, 3, 4, 1, 2, false, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MultiHeadAttention.forward(1, 3, 4, 1, 2, true, c.q, OFF, c.k, OFF, c.v, OFF, c.o, OFF, c.lse, OFF,
            c.scratch, 0));
    assertThat(e).hasMessageThat().contains("causal");
    IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class,
        () -> MultiHeadAttention.forward(1, 3, 4, 1, 2, false, c.q, OFF, c.k, OFF, c.v, OFF, c.o, OFF, c.lse, OFF,
            new float[1], 0));
    assertThat(oob).hasMessageThat().contains("scratch");
    // scratch sized for the longest query length serves every shorter one
    assertThat(MultiHeadAttention.scratchFloats(32, 64, 4, 32))
        .isAtLeast(MultiHeadAttention.scratchFloats(32, 17, 4, 32));
  }
}
