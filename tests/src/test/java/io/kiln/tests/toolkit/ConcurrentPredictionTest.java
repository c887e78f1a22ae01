package io.kiln.tests.toolkit;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.runtime.train.Adam;
import io.kiln.samples.lenet.KilnLeNet;
import io.kiln.tests.models.KilnMlp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding pattern for servers: a model instance is not thread-safe, so each thread loads its own from the
 * same file. 8 threads predicting at once give bitwise the answers of one thread.
 */
class ConcurrentPredictionTest {
  static final int THREADS = 8;

  @TempDir Path dir;

  /** Runs {@code perThread} predictions on each of 8 threads; returns how many disagreed with the reference. */
  private static long hammer(Callable<Predictor> load, float[][] inputs, float[][] expected, int perThread) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int offset = t * 7;
        results.add(pool.submit(() -> {
          Predictor own = load.call();
          long wrong = 0;
          for (int i = 0; i < perThread; i++) {
            int k = (offset + i) % inputs.length;
            float[] p = own.predict(inputs[k]);
            wrong += java.util.Arrays.equals(TrainingData.bits(p), TrainingData.bits(expected[k])) ? 0 : 1;
          }
          return wrong;
        }));
      }
      long wrong = 0;
      for (Future<Long> f : results) {
        wrong += f.get();
      }
      return wrong;
    } finally {
      pool.shutdownNow();
    }
  }

  interface Predictor {
    float[] predict(float[] x);
  }

  @Test
  void eightThreadsOwnInstancesOfASmallModel() throws Exception {
    KilnMlp trained = KilnMlp.create(4);
    SplittableRandom rng = new SplittableRandom(4);
    float[][] inputs = new float[64][64];
    for (float[] x : inputs) {
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rng.nextDouble();
      }
    }
    Path file = dir.resolve("mlp.safetensors");
    trained.save(file);
    KilnMlp single = KilnMlp.load(file);
    float[][] expected = new float[inputs.length][];
    for (int k = 0; k < inputs.length; k++) {
      expected[k] = single.predict(inputs[k]);
    }
    long t0 = System.nanoTime();
    long wrong = hammer(() -> KilnMlp.load(file)::predict, inputs, expected, 10_000);
    System.out.printf("Mlp: %d threads × 10,000 predictions in %.0f ms%n", THREADS, (System.nanoTime() - t0) / 1e6);
    assertWithMessage("predictions that differ from the single-threaded ones").that(wrong).isEqualTo(0);
  }

  @Test
  void eightThreadsOwnInstancesOfLeNet() throws Exception {
    KilnLeNet trained = KilnLeNet.create(4);
    Adam adam = new Adam(1e-3f);
    for (TrainingData.Batch b : TrainingData.fashionBatches(5, 32, 0)) {
      trained.trainStep(b.x(), b.labels(), adam);
    }
    Path file = dir.resolve("lenet.safetensors");
    trained.save(file);
    List<TrainingData.Batch> images = TrainingData.fashionBatches(40, 1, 1000);
    float[][] inputs = new float[images.size()][];
    float[][] expected = new float[images.size()][];
    KilnLeNet single = KilnLeNet.load(file);
    for (int k = 0; k < inputs.length; k++) {
      inputs[k] = images.get(k).x();
      expected[k] = single.predict(inputs[k]);
    }
    assertThat(expected[0]).hasLength(10);
    long t0 = System.nanoTime();
    long wrong = hammer(() -> KilnLeNet.load(file)::predict, inputs, expected, 3_000); // ~0.2 ms each: seconds
    System.out.printf("LeNet: %d threads × 3,000 predictions in %.0f ms%n", THREADS, (System.nanoTime() - t0) / 1e6);
    assertWithMessage("predictions that differ from the single-threaded ones").that(wrong).isEqualTo(0);
  }
}
