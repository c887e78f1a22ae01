package io.kiln.runtime.attention;

import io.kiln.runtime.attention.ScoredAttention.Score;
import io.kiln.runtime.testing.Allocations;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * After warm-up every attention kernel (forward and backward, dynamic T) allocates nothing on the
 * calling thread. Warm-up runs windows of calls until one window allocates nothing (the Vector API
 * GEMM under {@link ScoredAttention} boxes until C2 compiles it): {@value #WINDOWS} windows or 30 s,
 * whichever is longer ({@link io.kiln.runtime.testing.Allocations}).
 */
class AttentionAllocationTest {
  private static final int WINDOWS = 60;
  private static final int WINDOW = 50;
  private final Random r = new Random(1);
  private final MultiHeadAttentionTest.Case mha = new MultiHeadAttentionTest.Case(r, 2, 70, 70, 4, 8, true, 1);
  private final MultiHeadAttentionTest.Case cross = new MultiHeadAttentionTest.Case(r, 2, 17, 70, 4, 8, false, 1);
  private final ScoredAttentionTest.Case general = new ScoredAttentionTest.Case(r, Score.GENERAL, 2, 9, 11, 16, 8);
  private final ScoredAttentionTest.Case additive = new ScoredAttentionTest.Case(r, Score.ADDITIVE, 2, 9, 11, 16, 8);
  private final LayerNormGeluTest.Ln ln = new LayerNormGeluTest.Ln(r, 140, 32, true, true);
  private final float[] gx = AttnArrays.random(r, 4096, 1);
  private final float[] gy = AttnArrays.zeros(4096);

  private void step(int i) {
    int t = i % 2 == 0 ? 70 : 33; // T changes from call to call
    mha.layer.forward(2, t, t);
    mha.layer.backward(2, t, t);
    cross.forward();
    cross.backward(true);
    general.forward();
    general.backward(false);
    additive.forward();
    additive.backward(true);
    ln.forward();
    ln.backward(false);
    Gelu.forward(4096, gx, 3, gy, 3);
    Gelu.backward(4096, gx, 3, gy, 3, gy, 3, false);
  }

  @Test
  @Tag("allocation") // also run with stingy inlining: see the pom
  void everyKernelAllocatesNothingAfterWarmUp() {
    // windows of WINDOW rounds until one allocates nothing (a late C2 recompilation can box once,
    // code that allocates on every call never gives a clean window)
    int[] call = {0};
    Allocations.assertNone("every attention kernel", () -> step(call[0]++), WINDOW, WINDOWS);
  }
}
