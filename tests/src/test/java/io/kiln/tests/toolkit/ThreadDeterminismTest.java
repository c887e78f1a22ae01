package io.kiln.tests.toolkit;

import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.runtime.Parallelism;
import io.kiln.runtime.train.Adam;
import io.kiln.samples.lenet.KilnLeNet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same seed gives bitwise the same training run, again and on 1 or 2 threads: LeNet at batch 64, where
 * the GEMMs are large enough to be split across threads, for 20 Adam steps on Fashion-MNIST.
 */
class ThreadDeterminismTest {
  static final int STEPS = 20;
  static final int BATCH = 64;
  private final int threadsBefore = Parallelism.threads();

  @AfterEach
  void restoreThreads() {
    Parallelism.setThreads(threadsBefore);
  }

  /** The losses of each step, then the final weights' bits. */
  private static List<int[]> run(int threads, List<TrainingData.Batch> batches) {
    Parallelism.setThreads(threads);
    long t0 = System.nanoTime();
    KilnLeNet model = KilnLeNet.create(3);
    Adam adam = new Adam(1e-3f);
    float[] losses = new float[STEPS];
    for (int s = 0; s < STEPS; s++) {
      losses[s] = model.trainStep(batches.get(s).x(), batches.get(s).labels(), adam);
    }
    System.out.printf("LeNet, batch %d, %d Adam steps on %d thread(s): %.0f ms%n", BATCH, STEPS, threads,
        (System.nanoTime() - t0) / 1e6);
    List<int[]> out = new ArrayList<>();
    out.add(TrainingData.bits(losses));
    model.parameters().forEach(p -> out.add(TrainingData.bits(p.toArray())));
    return out;
  }

  @Test
  void sameSeedSameBitsOnOneAndTwoThreads() {
    TrainingData.warmUpKernels();
    List<TrainingData.Batch> batches = TrainingData.fashionBatches(STEPS, BATCH, 100);
    List<int[]> reference = run(2, batches);
    for (int threads : new int[] {1, 2}) {
      List<int[]> again = run(threads, batches);
      assertWithMessage("losses on %s thread(s): %s vs %s", threads, Arrays.toString(again.get(0)), Arrays.toString(reference.get(0)))
          .that(again.get(0)).isEqualTo(reference.get(0));
      for (int i = 1; i < reference.size(); i++) {
        assertWithMessage("final weights of parameter %s on %s thread(s)", i - 1, threads)
            .that(again.get(i)).isEqualTo(reference.get(i));
      }
    }
  }
}
