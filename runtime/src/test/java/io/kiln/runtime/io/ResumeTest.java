package io.kiln.runtime.io;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.runtime.train.Adam;
import io.kiln.runtime.train.AdamW;
import io.kiln.runtime.train.CosineDecay;
import io.kiln.runtime.train.LearningRateSchedule;
import io.kiln.runtime.train.LinearWarmup;
import io.kiln.runtime.train.Optimizer;
import io.kiln.runtime.train.Sgd;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Train 10 steps; checkpoint after 5; resume in fresh objects (other seeds, a fresh optimizer)
 * from the file; steps 6–10 must give bitwise the losses, weights and buffers of the
 * uninterrupted run.
 */
class ResumeTest {
  @TempDir Path dir;

  private static Supplier<Optimizer> optimizer(String kind) {
    return switch (kind) {
      case "sgd" -> () -> Sgd.builder(0.1f).momentum(0.9f).nesterov(true).weightDecay(1e-3f).clipGlobalNorm(2f).build();
      case "adam" -> () -> Adam.builder(0.05f).weightDecay(1e-2f).build();
      case "adamw" -> () -> AdamW.builder(0.05f).clipGlobalNorm(0.5f).build();
      default -> throw new AssertionError(kind);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adam", "adamw"})
  void resumedRunIsBitwiseTheUninterruptedOne(String kind) throws Exception {
    Supplier<Optimizer> make = optimizer(kind);
    LearningRateSchedule schedule = new LinearWarmup(3, 0.1f, new CosineDecay(0.05f, 10, 0.001f));

    TinyModel straight = new TinyModel(1);
    Optimizer o1 = make.get();
    float[] losses = new float[10];
    for (int i = 0; i < 10; i++) {
      losses[i] = straight.trainStep(o1, schedule);
    }
    assertThat(losses[9]).isLessThan(losses[0]); // it does learn

    TinyModel first = new TinyModel(1);
    Optimizer o2 = make.get();
    for (int i = 0; i < 5; i++) {
      assertThat(Float.floatToRawIntBits(first.trainStep(o2, schedule))).isEqualTo(Float.floatToRawIntBits(losses[i]));
    }
    Path file = dir.resolve("tiny.ckpt.safetensors");
    first.save(file, o2);
    // the run goes on after the checkpoint; the resumed one must not see that
    first.trainStep(o2, schedule);

    TinyModel resumed = new TinyModel(99);
    Optimizer o3 = make.get();
    resumed.resume(file, o3);
    assertThat(resumed.steps).isEqualTo(5);
    for (int i = 5; i < 10; i++) {
      float loss = resumed.trainStep(o3, schedule);
      assertThat(Float.floatToRawIntBits(loss)).isEqualTo(Float.floatToRawIntBits(losses[i]));
    }
    assertThat(resumed.params).usingExactEquality().containsExactly(straight.params).inOrder();
    assertThat(resumed.runningMean).usingExactEquality().containsExactly(straight.runningMean).inOrder();
    assertThat(o3.learningRate()).isEqualTo(o1.learningRate());
  }
}
