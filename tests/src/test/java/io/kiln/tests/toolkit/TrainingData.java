package io.kiln.tests.toolkit;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.data.Dataset;
import io.kiln.samples.data.FashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Batches and snapshots shared by the toolkit tests. */
final class TrainingData {
  private static Dataset fashionTrain;

  private static boolean warm;

  private TrainingData() {}

  /**
   * Trains throwaway LeNet and NormDrop models for a while so that C2 has compiled the kernels before a test
   * compares runs bit for bit.
   *
   * <p>Why: {@code FloatVector.reduceLanes(ADD)} (in PanamaGemm's direct NT path, e.g. a convolution's weight
   * gradient, and in the loss kernels) sums lanes in one order when interpreted and another when C2-compiled,
   * so two identical runs in one JVM can differ by an ulp if the JIT switches between them. That is a kernel bug,
   * not a threading one; this keeps the test about what it tests. Remove it once every kernel is JIT-mode
   * independent.
   */
  static synchronized void warmUpKernels() {
    if (warm) {
      return;
    }
    io.kiln.runtime.train.Adam adam = new io.kiln.runtime.train.Adam(1e-3f);
    io.kiln.tests.models.KilnNormDrop small = io.kiln.tests.models.KilnNormDrop.create(99);
    List<Batch> random = randomBatches(20, 16, 36, 3, 99);
    for (int s = 0; s < 400; s++) {
      small.trainStep(random.get(s % 20).x(), random.get(s % 20).labels(), adam);
    }
    io.kiln.runtime.train.Adam adam2 = new io.kiln.runtime.train.Adam(1e-3f);
    io.kiln.samples.lenet.KilnLeNet lenet = io.kiln.samples.lenet.KilnLeNet.create(99);
    List<Batch> fashion = fashionBatches(10, 16, 3000);
    for (int s = 0; s < 60; s++) {
      lenet.trainStep(fashion.get(s % 10).x(), fashion.get(s % 10).labels(), adam2);
    }
    warm = true;
  }

  /** One batch: features row-major and class labels. */
  record Batch(float[] x, int[] labels) {}

  /** The embedded Fashion-MNIST training subset (5,000 images), loaded once. */
  static synchronized Dataset fashion() {
    if (fashionTrain == null) {
      try {
        fashionTrain = FashionMnist.loadEmbedded().train();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return fashionTrain;
  }

  /** {@code steps} consecutive Fashion-MNIST batches of {@code size} images, starting at image {@code first}. */
  static List<Batch> fashionBatches(int steps, int size, int first) {
    Dataset d = fashion();
    int features = d.featureSize();
    List<Batch> out = new ArrayList<>(steps);
    for (int s = 0; s < steps; s++) {
      float[] x = new float[size * features];
      int[] y = new int[size];
      for (int i = 0; i < size; i++) {
        int index = (first + s * size + i) % d.size();
        d.copyFeatures(index, x, i * features);
        y[i] = d.label(index);
      }
      out.add(new Batch(x, y));
    }
    return out;
  }

  /** Random Gaussian batches with random labels in {@code [0, classes)}. */
  static List<Batch> randomBatches(int steps, int size, int features, int classes, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Batch> out = new ArrayList<>(steps);
    for (int s = 0; s < steps; s++) {
      float[] x = new float[size * features];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (rng.nextDouble() * 2 - 1);
      }
      int[] y = new int[size];
      for (int i = 0; i < size; i++) {
        y[i] = rng.nextInt(classes);
      }
      out.add(new Batch(x, y));
    }
    return out;
  }

  /** A copy of every tensor's values, in order. */
  static List<float[]> snapshot(List<Parameter> tensors) {
    List<float[]> out = new ArrayList<>(tensors.size());
    for (Parameter p : tensors) {
      out.add(p.toArray());
    }
    return out;
  }

  /** True if both snapshots hold the same bits. */
  static boolean sameBits(List<float[]> a, List<float[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(bits(a.get(i)), bits(b.get(i)))) {
        return false;
      }
    }
    return true;
  }

  /** The raw bits of each float, so that assertions compare bit patterns (NaN payloads, −0 included). */
  static int[] bits(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float.floatToRawIntBits(values[i]);
    }
    return out;
  }

  /** An optimizer's whole state (kind, step count, learning rate, every buffer) as comparable bits. */
  static String stateBits(io.kiln.runtime.train.Optimizer optimizer) {
    io.kiln.runtime.train.OptimizerState st = ((io.kiln.runtime.train.Stateful) optimizer).state();
    StringBuilder out = new StringBuilder(st.kind()).append(' ').append(st.steps()).append(' ')
        .append(Float.floatToRawIntBits(st.learningRate()));
    new java.util.TreeMap<>(st.buffers()).forEach((k, v) -> out.append(' ').append(k).append(Arrays.toString(bits(v))));
    return out.toString();
  }
}
