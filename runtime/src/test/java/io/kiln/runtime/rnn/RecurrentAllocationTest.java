package io.kiln.runtime.rnn;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kiln.runtime.Parallelism;
import io.kiln.runtime.simd.Vectorization;
import io.kiln.runtime.testing.Allocations;
import io.kiln.runtime.train.GradientClipping;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * After warm-up (C2 must have compiled the Vector API passes, which box while interpreted) an
 * embedding + LSTM forward and backward at the charlstm size (B 32, T 64, F 64, H 256) allocates
 * nothing on the calling thread, whatever T (dynamic, up to the planned maximum).
 */
class RecurrentAllocationTest {
  private static final int B = 32;
  private static final int T = 64;
  private static final int VOCAB = 96;
  private static final int F = 64;
  private static final int H = 256;
  private final RecurrentGeometry g = new RecurrentGeometry(CellKind.LSTM, F, H);
  private final Random r = new Random(1);
  private final int[] ids = new int[B * T];
  private final float[] table = fill(VOCAB * F);
  private final float[] dTable = new float[VOCAB * F];
  private final float[] x = new float[B * T * F];
  private final float[] dx = new float[B * T * F];
  private final float[] wIh = fill(g.weightIhSize());
  private final float[] wHh = fill(g.weightHhSize());
  private final float[] bIh = fill(g.biasSize());
  private final float[] bHh = fill(g.biasSize());
  private final float[] dWIh = new float[g.weightIhSize()];
  private final float[] dWHh = new float[g.weightHhSize()];
  private final float[] dBIh = new float[g.biasSize()];
  private final float[] dBHh = new float[g.biasSize()];
  private final float[] y = new float[B * T * H];
  private final float[] dy = fill(B * T * H);
  private final float[] hT = new float[B * H];
  private final float[] cT = new float[B * H];
  private final float[] ws = new float[g.workspaceFloats(B, T)];
  private final float[] scratch = new float[g.backwardScratchFloats(B, T)];
  private final float[] grads = new float[g.weightHhSize()];

  private float[] fill(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextGaussian() * 0.06);
    }
    return a;
  }

  private void step(int steps) {
    Embedding.forward("tokens", B, steps, VOCAB, F, ids, 0, table, 0, x, 0);
    Recurrent.forward(g, B, steps, x, 0, wIh, 0, wHh, 0, bIh, 0, bHh, 0, null, 0, null, 0, y, 0, hT, 0, cT, 0, ws, 0);
    Recurrent.backward(g, B, steps, x, 0, wIh, 0, wHh, 0, null, 0, null, 0, dy, 0, null, 0, null, 0, dx, 0, false,
        null, 0, null, 0, dWIh, 0, dWHh, 0, dBIh, 0, dBHh, 0, ws, 0, scratch, 0);
    Embedding.backward(B, steps, VOCAB, F, ids, 0, dx, 0, dTable, 0);
    System.arraycopy(dWHh, 0, grads, 0, grads.length);
    GradientClipping.clipByGlobalNorm(grads, grads.length, 1f);
  }

  @Test
  @Tag("allocation") // also run with stingy inlining: see the pom
  void aTrainingStepAllocatesNothingAfterWarmUp() {
    // the forced-scalar run (-Dkiln.vectorization=scalar) takes ~90 s at this size: skip it there
    assumeTrue(Vectorization.provider().name().startsWith("panama"), "the Vector API kernels are not in use");
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(VOCAB);
    }
    // Short sequences warm the per-step code cheaply (each call runs the passes B·steps times).
    // Methods called once or twice per call (packing W_hh, the final GEMMs) reach C2 only by
    // invocation count; while still in C1 their Vector API code boxes. Measured: with 20 short
    // warm-up calls a few hundred bytes to 34 KB still appeared around calls 25–63; after 300 calls
    // at T = 2 and 100 at T = 8, none in 60 full-size calls.
    for (int i = 0; i < 300; i++) {
      step(2);
    }
    for (int i = 0; i < 100; i++) {
      step(8);
    }
    for (int i = 0; i < 3; i++) {
      step(T);
    }
    // windows of three calls (one at half length) until one allocates nothing
    int[] call = {0};
    Allocations.assertNone("charlstm-size embedding + LSTM training steps", () -> step(call[0]++ % 3 == 1 ? T / 2 : T),
        3, 10);
  }

  /**
   * A single sequence at 2 threads takes the split by units ({@link UnitChunks}, {@link Lockstep}):
   * its forward allocates nothing on the calling thread after warm-up either.
   */
  @Test
  @Tag("allocation")
  void aSingleSequenceSplitByUnitsAllocatesNothingAfterWarmUp() {
    assumeTrue(Vectorization.provider().name().startsWith("panama"), "the Vector API kernels are not in use");
    int threads = Parallelism.threads();
    Parallelism.setThreads(2);
    try {
      assertThat(UnitChunks.count(1, g, Vectorization.provider().recurrentCells())).isEqualTo(2);
      for (int i = 0; i < 300; i++) {
        forwardOne(8);
      }
      for (int i = 0; i < 30; i++) {
        forwardOne(T);
      }
      int[] call = {0};
      Allocations.assertNone("a charlstm-size sequence split by units", () -> forwardOne(call[0]++ % 3 == 1 ? T / 2 : T),
          3, 10);
    } finally {
      Parallelism.setThreads(threads);
    }
  }

  private void forwardOne(int steps) {
    Recurrent.forward(g, 1, steps, x, 0, wIh, 0, wHh, 0, bIh, 0, bHh, 0, null, 0, null, 0, y, 0, hT, 0, cT, 0, ws, 0);
  }
}
