package io.kiln.tests.behaviour;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.testing.Allocations;
import io.kiln.runtime.train.Adam;
import io.kiln.runtime.train.Sgd;
import io.kiln.samples.lenet.KilnLeNet;
import io.kiln.tests.models.KilnNormDrop;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated convolutional models: memory plan, allocation, argument checks, train/eval modes. */
class ConvModelTest {
  @TempDir Path dir;

  private static float[] noise(SplittableRandom rng, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    return x;
  }

  @Test
  void leNetsArenaIsAtMost60PercentOfNaive() {
    System.out.printf("LeNet arena %d floats, naive %d (%.1f%%)%n", KilnLeNet.ARENA_FLOATS, KilnLeNet.NAIVE_FLOATS,
        100.0 * KilnLeNet.ARENA_FLOATS / KilnLeNet.NAIVE_FLOATS);
    assertThat((double) KilnLeNet.ARENA_FLOATS).isAtMost(0.60 * KilnLeNet.NAIVE_FLOATS);
    assertThat(KilnLeNet.PARAMETER_COUNT).isEqualTo(61706); // the same as PyTorch's LeNet in torch_bench.py
  }

  @Test
  @Tag("allocation") // also run with stingy inlining: see the pom
  void aLeNetTrainStepAllocatesNothingAfterWarmUp() {
    SplittableRandom rng = new SplittableRandom(5);
    KilnLeNet model = KilnLeNet.create(1);
    Adam adam = new Adam(1e-3f);
    float[] x = noise(rng, 16 * 784);
    int[] y = rng.ints(16, 0, 10).toArray();
    float[] x3 = noise(rng, 3 * 784);
    int[] y3 = rng.ints(3, 0, 10).toArray();
    Allocations.assertNone("LeNet's train step (batches of 16 and 3)", () -> {
      model.trainStep(x, y, adam);
      model.trainStep(x3, y3, adam);
    }, 200, 60);
  }

  @Test
  void badInputsNameTheModelInputAndShape() {
    KilnLeNet model = KilnLeNet.create(2);
    IllegalArgumentException length = assertThrows(IllegalArgumentException.class, () -> model.forward(new float[700]));
    assertThat(length).hasMessageThat().isEqualTo(
        "LeNet.forward: input 'image' has 700 floats, which is not a whole number of samples of shape [1, 28, 28] (784 floats each)");
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> model.forward(new float[65 * 784]));
    assertThat(batch).hasMessageThat().contains("65");
    assertThat(batch).hasMessageThat().contains("maxBatch = 64");
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> model.trainStep(new float[2 * 784], new int[] {1, 10}, new Sgd(0.1f)));
    assertThat(label).hasMessageThat().contains("label[1] = 10 is outside [0, 10)");
  }

  @Test
  void batchNormAndDropoutSwitchBetweenTrainingAndInference() throws Exception {
    SplittableRandom rng = new SplittableRandom(6);
    KilnNormDrop model = KilnNormDrop.create(3);
    float[] x = noise(rng, 8 * 36);
    int[] y = rng.ints(8, 0, 3).toArray();
    // inference is deterministic: no dropout, running statistics
    float[] a = model.predict(x);
    assertThat(model.predict(x)).isEqualTo(a);
    float[] runningVar = model.buffers().stream().filter(p -> p.name().equals("bn.running_var")).findFirst().orElseThrow().toArray();
    assertThat(runningVar).usingExactEquality().containsExactly(1f, 1f, 1f, 1f);
    // training draws fresh dropout masks: the same batch gives different losses, and running statistics move
    float l1 = model.computeGradients(x, y);
    float l2 = model.computeGradients(x, y);
    assertThat(l1).isNotEqualTo(l2);
    float[] moved = model.buffers().stream().filter(p -> p.name().equals("bn.running_var")).findFirst().orElseThrow().toArray();
    assertThat(moved).isNotEqualTo(runningVar);
    Adam adam = new Adam(1e-2f);
    float first = model.trainStep(x, y, adam);
    float last = first;
    for (int i = 0; i < 200; i++) {
      last = model.trainStep(x, y, adam);
    }
    assertThat(last).isLessThan(first);
    // running statistics are saved with the weights, under PyTorch's names
    Path file = dir.resolve("normdrop.safetensors");
    model.save(file);
    KilnNormDrop loaded = KilnNormDrop.load(file);
    assertThat(loaded.predict(x)).isEqualTo(model.predict(x));
    assertThat(loaded.buffers().stream().map(p -> p.name()).toList())
        .containsExactly("bn.running_mean", "bn.running_var", "bn1.running_mean", "bn1.running_var").inOrder();
  }

  @Test
  void sameSeedSameDropoutMasks() {
    SplittableRandom rng = new SplittableRandom(7);
    float[] x = noise(rng, 4 * 36);
    int[] y = rng.ints(4, 0, 3).toArray();
    KilnNormDrop a = KilnNormDrop.create(11);
    KilnNormDrop b = KilnNormDrop.create(11);
    for (int i = 0; i < 5; i++) {
      assertThat(Float.floatToIntBits(a.computeGradients(x, y))).isEqualTo(Float.floatToIntBits(b.computeGradients(x, y)));
    }
  }
}
