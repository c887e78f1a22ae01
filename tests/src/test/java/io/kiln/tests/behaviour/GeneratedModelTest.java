package io.kiln.tests.behaviour;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.dsl.Tensor;
import io.kiln.runtime.io.ModelFileException;
import io.kiln.runtime.testing.Allocations;
import io.kiln.runtime.train.Sgd;
import io.kiln.tests.models.KilnMlp;
import io.kiln.tests.models.KilnRegressor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated class's API: training, allocation, files, argument checks, determinism. */
class GeneratedModelTest {
  @TempDir Path dir;

  private static float[] randomInputs(SplittableRandom rng, int batch) {
    float[] x = new float[batch * 64];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble();
    }
    return x;
  }

  /** A learnable task: the label is the index of the largest of the first ten pixels. */
  private static int[] labelsFor(float[] x, int batch) {
    int[] y = new int[batch];
    for (int b = 0; b < batch; b++) {
      int best = 0;
      for (int j = 1; j < 10; j++) {
        if (x[b * 64 + j] > x[b * 64 + best]) {
          best = j;
        }
      }
      y[b] = best;
    }
    return y;
  }

  @Test
  void trainingLowersTheLossAndLearns() {
    SplittableRandom rng = new SplittableRandom(1);
    KilnMlp model = KilnMlp.create(42);
    Sgd sgd = new Sgd(0.5f);
    float first = 0;
    float last = 0;
    for (int step = 0; step < 3000; step++) {
      float[] x = randomInputs(rng, 32);
      float loss = model.trainStep(x, labelsFor(x, 32), sgd);
      if (step == 0) {
        first = loss;
      }
      last = loss;
    }
    assertThat(first).isGreaterThan(2.0f); // ≈ ln 10 at the start
    assertThat(last).isLessThan(1.0f);
    int correct = 0;
    for (int batch = 0; batch < 8; batch++) {
      float[] test = randomInputs(rng, 32);
      int[] truth = labelsFor(test, 32);
      int[] predicted = model.classify(test);
      for (int i = 0; i < 32; i++) {
        correct += predicted[i] == truth[i] ? 1 : 0;
      }
    }
    System.out.println("GeneratedModelTest: " + correct + "/256 held-out samples correct (chance: 26)");
    assertThat(correct).isAtLeast(154); // 60%
    assertThat(model.steps()).isEqualTo(3000);
  }

  @Test
  @Tag("allocation") // also run with stingy inlining: see the pom
  void aTrainStepAllocatesNothingAfterWarmUp() {
    SplittableRandom rng = new SplittableRandom(2);
    KilnMlp model = KilnMlp.create(1);
    Sgd sgd = Sgd.builder(0.1f).momentum(0.9f).build();
    float[] x = randomInputs(rng, 32);
    int[] y = labelsFor(x, 32);
    float[] xSmall = randomInputs(rng, 5);
    int[] ySmall = labelsFor(xSmall, 5);
    Allocations.assertNone("the MLP's train step (batches of 32 and 5)", () -> {
      model.trainStep(x, y, sgd);
      model.trainStep(xSmall, ySmall, sgd);
    }, 1000, 60);
  }

  @Test
  void sameSeedSameWeightsAndLosses() {
    KilnMlp a = KilnMlp.create(9);
    KilnMlp b = KilnMlp.create(9);
    assertThat(a.parameter("hidden.weight").toArray()).isEqualTo(b.parameter("hidden.weight").toArray());
    assertThat(KilnMlp.create(10).parameter("hidden.weight").toArray()).isNotEqualTo(a.parameter("hidden.weight").toArray());
    SplittableRandom rng = new SplittableRandom(3);
    Sgd sa = new Sgd(0.1f);
    Sgd sb = new Sgd(0.1f);
    for (int i = 0; i < 20; i++) {
      float[] x = randomInputs(rng, 32);
      int[] y = labelsFor(x, 32);
      assertThat(Float.floatToIntBits(b.trainStep(x, y, sb))).isEqualTo(Float.floatToIntBits(a.trainStep(x, y, sa)));
    }
  }

  @Test
  void saveAndLoadRoundTrip() throws IOException {
    KilnMlp model = KilnMlp.create(4);
    float[] x = randomInputs(new SplittableRandom(4), 3);
    model.trainStep(x, labelsFor(x, 3), new Sgd(0.1f));
    Path file = dir.resolve("mlp.safetensors");
    model.save(file);
    KilnMlp loaded = KilnMlp.load(file);
    assertThat(loaded.predict(x)).isEqualTo(model.predict(x));
    assertThat(loaded.parameters().size()).isEqualTo(4);
  }

  @Test
  void loadingAnotherModelsFileFailsAndChangesNothing() throws IOException {
    Path file = dir.resolve("regressor.safetensors");
    KilnRegressor.create(1).save(file);
    KilnMlp model = KilnMlp.create(5);
    float[] before = model.parameter("hidden.weight").toArray();
    ModelFileException e = assertThrows(ModelFileException.class, () -> model.loadWeights(file));
    assertThat(e).hasMessageThat().contains("Regressor");
    assertThat(e).hasMessageThat().contains("Mlp");
    assertThat(model.parameter("hidden.weight").toArray()).isEqualTo(before);
  }

  @Test
  void aTruncatedFileGivesAClearError() throws IOException {
    Path file = dir.resolve("mlp.safetensors");
    KilnMlp.create(6).save(file);
    byte[] bytes = Files.readAllBytes(file);
    Path truncated = dir.resolve("truncated.safetensors");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 100));
    ModelFileException e = assertThrows(ModelFileException.class, () -> KilnMlp.load(truncated));
    assertThat(e).hasMessageThat().contains("truncated.safetensors");
  }

  @Test
  void badInputsNameTheModelInputAndShape() {
    KilnMlp model = KilnMlp.create(7);
    IllegalArgumentException length = assertThrows(IllegalArgumentException.class, () -> model.forward(new float[65]));
    assertThat(length).hasMessageThat().contains("Mlp.forward");
    assertThat(length).hasMessageThat().contains("'pixels'");
    assertThat(length).hasMessageThat().contains("[64]");
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> model.forward(new float[33 * 64]));
    assertThat(batch).hasMessageThat().contains("maxBatch");
    assertThat(batch).hasMessageThat().contains("33");
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> model.trainStep(new float[2 * 64], new int[] {3, 10}, new Sgd(0.1f)));
    assertThat(label).hasMessageThat().contains("10");
    assertThat(label).hasMessageThat().contains("[0, 10)");
    IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
        () -> model.trainStep(new float[2 * 64], new int[] {3}, new Sgd(0.1f)));
    assertThat(count).hasMessageThat().contains("label");
  }

  @Test
  void inferenceOnlyModelForwardsAndPredicts() {
    KilnRegressor model = KilnRegressor.create(3);
    model.parameter("value.weight").copyFrom(new float[] {1, 2, 3, -1, 0, 1});
    model.parameter("value.bias").copyFrom(new float[] {0.5f, -0.5f});
    Tensor out = model.forward(new float[] {1, 1, 1, 2, 0, 1});
    assertThat(out.shape()).isEqualTo(new int[] {2, 2});
    assertThat(out.toArray()).usingExactEquality().containsExactly(6.5f, -0.5f, 5.5f, -1.5f).inOrder();
    assertThat(model.predict(new float[] {0, 0, 0})).usingExactEquality().containsExactly(0.5f, -0.5f).inOrder();
  }

  @Test
  void memoryPlanSharesArenaSpace() {
    assertThat(KilnMlp.ARENA_FLOATS).isLessThan(KilnMlp.NAIVE_FLOATS);
    assertThat(KilnMlp.summary()).contains("hidden");
  }
}
