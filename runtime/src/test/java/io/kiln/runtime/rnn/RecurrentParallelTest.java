package io.kiln.runtime.rnn;

import static com.google.common.truth.Truth.assertWithMessage;
import static io.kiln.runtime.rnn.RnnTestArrays.assertClose;

import io.kiln.runtime.Parallelism;
import io.kiln.runtime.simd.RecurrentCells;
import io.kiln.runtime.simd.Vectorization;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The batch split of the step loops ({@link RowChunks}: chunks of rows, each running every step on
 * one thread, as many chunks as threads) and a single sequence's split by units ({@link UnitChunks},
 * threads in {@link Lockstep}): bitwise the same outputs and gradients for 1, 2, 3 and 4 threads,
 * and the reference's, at batch sizes that leave ragged chunks (a last chunk of one row takes the
 * single-row product) and hidden sizes with ragged vector tails and panels.
 */
class RecurrentParallelTest {
  private static final int[] THREADS = {1, 2, 3, 4};
  private static final int[] BATCHES = {1, 3, 17, 31};
  /** The last is large enough for a single sequence to split its units ({@link UnitChunks}), and ragged. */
  private static final int[] HIDDEN = {1, 3, 17, 33, (int) Math.sqrt(UnitChunks.MIN_WEIGHTS) + 5};
  private static final int STEPS = 4;
  private static final double FORWARD_TOL = 2e-5 * STEPS;
  private static final double BACKWARD_TOL = 1e-4 * STEPS;

  private static final RecurrentCells CELLS = Vectorization.provider().recurrentCells();

  private final int initialThreads = Parallelism.threads();

  @AfterEach
  void restoreThreads() {
    Parallelism.setThreads(initialThreads);
  }

  @ParameterizedTest
  @EnumSource(CellKind.class)
  void stepLoopsAreBitwiseIdenticalForAnyThreadCountAndMatchTheReference(CellKind kind) {
    for (int hidden : HIDDEN) {
      for (int batch : BATCHES) {
        // alternate state and bias so both the zero-h0 first step and the h0 product are split
        boolean withState = (hidden + batch) % 2 == 0;
        RecurrentGeometry g = new RecurrentGeometry(kind, 5, hidden);
        RnnFixture start = new RnnFixture(g, batch, STEPS, withState, !withState, 97L * hidden + batch);
        RnnFixture ref = RnnFixture.copyOf(start);
        ref.referenceForward();
        ref.referenceBackward();
        float[][] first = null;
        for (int t : THREADS) {
          Parallelism.setThreads(t);
          if (batch == 1 && hidden == HIDDEN[HIDDEN.length - 1] && t > 1 && CELLS.packsSteps()) {
            int split = Math.min(t, Runtime.getRuntime().availableProcessors());
            assertWithMessage("units split at " + t + " threads").that(UnitChunks.count(batch, g, CELLS)).isEqualTo(split);
          }
          String what = g + " batch " + batch + (withState ? " with state" : " with bias") + ", " + t + " threads: ";
          RnnFixture fast = RnnFixture.copyOf(start);
          fast.forward();
          fast.backward();
          float[][] got = results(fast);
          float[][] expected = results(ref);
          String[] names = {"y", "hT", "cT", "dx", "dh0", "dc0", "dWIh", "dWHh", "dBIh", "dBHh"};
          for (int i = 0; i < names.length; i++) {
            assertClose(what + names[i], expected[i], got[i], i < 3 ? FORWARD_TOL : BACKWARD_TOL);
            if (first != null) {
              assertWithMessage(what + names[i] + " differs from 1 thread's").that(got[i]).isEqualTo(first[i]);
            }
          }
          if (first == null) {
            first = got;
          }
        }
      }
    }
  }

  private static float[][] results(RnnFixture f) {
    return new float[][] {f.y, f.hT, f.cT, f.dx, f.dh0, f.dc0, f.dWIh, f.dWHh, f.dBIh, f.dBHh};
  }
}
