package io.kiln.runtime.gemm;

import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.dsl.Activation;
import io.kiln.runtime.simd.Vectorization;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Inference from several threads at once (each app thread with its own model instance) shares the
 * kernels' static state: the worker pool, per-thread packing buffers. Eight threads run GEMMs of
 * every path (direct, blocked on the caller, blocked in parallel) on their own data, concurrently,
 * and must get bitwise the results of a run alone.
 *
 * <p>The epilogue is bias + ReLU, which is exact: the Vector API's TANH/EXP lanes may round
 * differently before and after C2 intrinsifies them (within their 1-ulp contract), which would
 * make the reference run differ from later ones even on one thread.
 */
class ConcurrentGemmTest {
  private static final int THREADS = 8;
  private static final int ROUNDS = 6;
  /** direct (≤ 24³), blocked single-threaded, blocked parallel (≥ 64³), with K and N edges. */
  private static final int[][] SHAPES = {{5, 7, 9}, {40, 33, 50}, {96, 80, 72}, {130, 70, 300}};

  private record Job(Layout layout, int m, int n, int k, float[] a, float[] b, float[] bias, Epilogue epilogue,
      float[] expected) {

    float[] run(GemmKernel kernel) {
      float[] c = new float[m * n];
      int lda = layout == Layout.TN ? m : k;
      int ldb = layout == Layout.NT ? k : n;
      kernel.gemm(layout, m, n, k, a, 0, b, 0, c, 0, epilogue, new LeadingDimensions(lda, ldb, 0));
      return c;
    }
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  private static List<Job> jobs(int thread, GemmKernel kernel) {
    SplittableRandom r = new SplittableRandom(1000 + thread);
    List<Job> out = new ArrayList<>();
    for (int[] s : SHAPES) {
      for (Layout layout : Layout.values()) {
        int m = s[0];
        int n = s[1];
        int k = s[2];
        float[] bias = random(r, n);
        Epilogue ep = (thread + layout.ordinal()) % 2 == 0 ? Epilogue.NONE
            : Epilogue.biasActivation(bias, 0, Activation.RELU);
        Job j = new Job(layout, m, n, k, random(r, m * k), random(r, k * n), bias, ep, null);
        out.add(new Job(layout, m, n, k, j.a(), j.b(), bias, ep, j.run(kernel)));
      }
    }
    return out;
  }

  private static void concurrently(GemmKernel kernel) throws Exception {
    List<List<Job>> perThread = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      perThread.add(jobs(t, kernel)); // the references, computed one thread at a time
    }
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int round = 0; round < ROUNDS; round++) {
            for (Job j : perThread.get(thread)) {
              float[] c = j.run(kernel);
              for (int i = 0; i < c.length; i++) {
                if (Float.floatToRawIntBits(c[i]) != Float.floatToRawIntBits(j.expected()[i])) {
                  assertWithMessage("thread %s round %s %s m=%s n=%s k=%s at %s", thread, round, j.layout(), j.m(), j.n(),
                      j.k(), i).that(c[i]).isEqualTo(j.expected()[i]);
                }
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void fastGemmFromEightThreadsMatchesSingleThreaded() throws Exception {
    concurrently(Vectorization.provider().gemm());
  }

  @Test
  void scalarGemmFromEightThreadsMatchesSingleThreaded() throws Exception {
    concurrently(Vectorization.scalar().gemm());
  }
}
