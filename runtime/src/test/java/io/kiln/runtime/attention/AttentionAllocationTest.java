package io.kiln.runtime.attention;

import static com.google.common.truth.Truth.assertWithMessage;

import com.sun.management.ThreadMXBean;
import io.kiln.runtime.attention.ScoredAttention.Score;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * After warm-up every attention kernel (forward and backward, dynamic T) allocates nothing on the
 * calling thread. Warm-up runs windows of calls until one window allocates nothing (the Vector API
 * GEMM under {@link ScoredAttention} boxes until C2 compiles it), at most {@value #MAX_WINDOWS}.
 */
class AttentionAllocationTest {
  private static final int MAX_WINDOWS = 60;
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
  void everyKernelAllocatesNothingAfterWarmUp() {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long last = -1;
    int call = 0;
    for (int w = 0; w < MAX_WINDOWS && last != 0; w++) {
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < WINDOW; i++) {
        step(call++);
      }
      last = threads.getCurrentThreadAllocatedBytes() - before;
    }
    int warmUp = call;
    // The least any window of 20 rounds allocated, as RecurrentAllocationTest measures: a late C2
    // recompilation can box once (192 bytes in one CI run), but code that allocates on every call
    // never produces a clean window.
    long allocated = Long.MAX_VALUE;
    for (int window = 0; window < 10 && allocated > 0; window++) {
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 20; i++) {
        step(call++);
      }
      allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
    }
    assertWithMessage("bytes allocated by 20 rounds of every attention kernel after %s warm-up calls", warmUp)
        .that(allocated).isEqualTo(0);
  }
}
