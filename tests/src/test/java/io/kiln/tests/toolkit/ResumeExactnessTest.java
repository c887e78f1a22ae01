package io.kiln.tests.toolkit;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.io.ModelFileException;
import io.kiln.runtime.train.Adam;
import io.kiln.runtime.train.Optimizer;
import io.kiln.runtime.train.Sgd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checkpoints of generated models: train N steps uninterrupted; train k steps, {@code saveCheckpoint}, then a
 * fresh model (another seed, so nothing survives but the file) and a fresh optimizer {@code loadCheckpoint} and
 * continue: the losses of steps k+1..N and the final weights and buffers are bitwise those of the uninterrupted
 * run. NormDrop covers batch-norm running statistics and the dropout generator's position; LeNet covers
 * convolutions. A bad file changes nothing.
 */
class ResumeExactnessTest {
  static final long SEED = 11;

  @TempDir Path dir;

  static Stream<Arguments> runs() {
    Supplier<Optimizer> adam = () -> Adam.builder(2e-3f).weightDecay(1e-4f).build();
    Supplier<Optimizer> momentum = () -> Sgd.builder(0.05f).momentum(0.9f).build();
    Supplier<Optimizer> nesterov = () -> Sgd.builder(0.05f).momentum(0.9f).nesterov(true).clipGlobalNorm(1f).build();
    LongFunction<Trainee> lenet = Trainee::lenet;
    LongFunction<Trainee> normDrop = Trainee::normDrop;
    List<TrainingData.Batch> fashion = TrainingData.fashionBatches(12, 16, 0);
    List<TrainingData.Batch> random = TrainingData.randomBatches(30, 16, 36, 3, 5);
    return Stream.of(
        Arguments.of("LeNet, Adam", lenet, adam, fashion, 5),
        Arguments.of("LeNet, SGD momentum", lenet, momentum, fashion, 5),
        Arguments.of("NormDrop, Adam", normDrop, adam, random, 13),
        Arguments.of("NormDrop, SGD momentum", normDrop, momentum, random, 13),
        Arguments.of("NormDrop, SGD Nesterov + clipping", normDrop, nesterov, random, 13));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void resumedRunRepeatsTheUninterruptedOne(String name, LongFunction<Trainee> model, Supplier<Optimizer> optimizer,
      List<TrainingData.Batch> batches, int k) throws IOException {
    TrainingData.warmUpKernels();
    int n = batches.size();
    Trainee whole = model.apply(SEED);
    Optimizer wholeOpt = optimizer.get();
    float[] expected = new float[n];
    for (int s = 0; s < n; s++) {
      expected[s] = whole.trainStep(batches.get(s), wholeOpt);
    }

    Trainee first = model.apply(SEED);
    Optimizer firstOpt = optimizer.get();
    float[] actual = new float[n];
    for (int s = 0; s < k; s++) {
      actual[s] = first.trainStep(batches.get(s), firstOpt);
    }
    Path checkpoint = dir.resolve("run.safetensors");
    first.saveCheckpoint(checkpoint, firstOpt);

    Trainee resumed = model.apply(SEED + 1000); // different weights and dropout generator until the load
    Optimizer resumedOpt = optimizer.get();
    resumed.loadCheckpoint(checkpoint, resumedOpt);
    assertThat(resumed.steps()).isEqualTo(k);
    for (int s = k; s < n; s++) {
      actual[s] = resumed.trainStep(batches.get(s), resumedOpt);
    }
    assertThat(resumed.steps()).isEqualTo(n);

    assertWithMessage("%s: losses %s vs uninterrupted %s", name, Arrays.toString(actual), Arrays.toString(expected))
        .that(TrainingData.bits(actual)).isEqualTo(TrainingData.bits(expected));
    assertWithMessage("%s: final weights", name)
        .that(TrainingData.sameBits(TrainingData.snapshot(resumed.parameters()), TrainingData.snapshot(whole.parameters())))
        .isTrue();
    assertWithMessage("%s: final buffers", name)
        .that(TrainingData.sameBits(TrainingData.snapshot(resumed.buffers()), TrainingData.snapshot(whole.buffers())))
        .isTrue();
  }

  /** A model that has trained a little, its Adam, and a checkpoint of both. */
  private record Trained(Trainee model, Optimizer optimizer, Path checkpoint) {}

  private Trained trainedNormDrop(String file) throws IOException {
    Trainee m = Trainee.normDrop(SEED);
    Optimizer adam = new Adam(1e-3f);
    for (TrainingData.Batch b : TrainingData.randomBatches(3, 16, 36, 3, 9)) {
      m.trainStep(b, adam);
    }
    Path checkpoint = dir.resolve(file);
    m.saveCheckpoint(checkpoint, adam);
    return new Trained(m, adam, checkpoint);
  }

  /**
   * Loads {@code file} into a model that has trained on other data and asserts a {@link ModelFileException}
   * naming the file, with the model's weights, buffers, step count and optimizer state bit for bit as they were.
   */
  private ModelFileException assertRejectedWithoutChange(Path file, Supplier<Optimizer> optimizer) throws IOException {
    List<TrainingData.Batch> data = TrainingData.randomBatches(2, 16, 36, 3, 77);
    Trainee target = Trainee.normDrop(SEED + 1);
    Optimizer targetOpt = optimizer.get();
    for (TrainingData.Batch b : data) {
      target.trainStep(b, targetOpt);
    }
    List<float[]> weights = TrainingData.snapshot(target.parameters());
    List<float[]> buffers = TrainingData.snapshot(target.buffers());
    String optimizerState = TrainingData.stateBits(targetOpt);

    ModelFileException e = assertThrows(ModelFileException.class, () -> target.loadCheckpoint(file, targetOpt));
    assertThat(e).hasMessageThat().contains(file.getFileName().toString());
    assertThat(e.file()).isEqualTo(file);
    assertThat(TrainingData.sameBits(TrainingData.snapshot(target.parameters()), weights)).isTrue();
    assertThat(TrainingData.sameBits(TrainingData.snapshot(target.buffers()), buffers)).isTrue();
    assertThat(target.steps()).isEqualTo(2);
    assertThat(TrainingData.stateBits(targetOpt)).isEqualTo(optimizerState);
    return e;
  }

  @Test
  void truncatedCheckpointIsRejected() throws IOException {
    Trained t = trainedNormDrop("full.safetensors");
    byte[] bytes = Files.readAllBytes(t.checkpoint());
    for (int keep : new int[] {0, 5, 100, bytes.length / 2, bytes.length - 1}) {
      Path cut = dir.resolve("cut-" + keep + ".safetensors");
      Files.write(cut, Arrays.copyOf(bytes, keep));
      assertRejectedWithoutChange(cut, () -> new Adam(1e-3f));
    }
  }

  @Test
  void corruptHeaderIsRejected() throws IOException {
    Trained t = trainedNormDrop("good.safetensors");
    byte[] bytes = Files.readAllBytes(t.checkpoint());
    byte[] badJson = bytes.clone();
    badJson[8] = '[';                                     // the header is no longer a JSON object
    Path a = dir.resolve("bad-json.safetensors");
    Files.write(a, badJson);
    assertRejectedWithoutChange(a, () -> new Adam(1e-3f));

    byte[] badLength = bytes.clone();
    badLength[6] = 0x7f;                                 // a header length far past the end of the file
    Path b = dir.resolve("bad-length.safetensors");
    Files.write(b, badLength);
    assertRejectedWithoutChange(b, () -> new Adam(1e-3f));

    Path c = dir.resolve("garbage.safetensors");
    Files.writeString(c, "this is not a checkpoint", StandardOpenOption.CREATE_NEW);
    assertRejectedWithoutChange(c, () -> new Adam(1e-3f));
  }

  @Test
  void checkpointOfAnotherModelIsRejected() throws IOException {
    Trainee lenet = Trainee.lenet(SEED);
    Adam adam = new Adam(1e-3f);
    lenet.trainStep(TrainingData.fashionBatches(1, 4, 0).get(0), adam);
    Path other = dir.resolve("lenet.safetensors");
    lenet.saveCheckpoint(other, adam);
    ModelFileException e = assertRejectedWithoutChange(other, () -> new Adam(1e-3f));
    assertThat(e).hasMessageThat().contains("LeNet");
    assertThat(e).hasMessageThat().contains("NormDrop");
  }

  @Test
  void plainWeightsFileIsNotACheckpoint() throws IOException {
    Trained t = trainedNormDrop("ckpt.safetensors");
    Path weights = dir.resolve("weights.safetensors");
    t.model().save(weights);
    assertRejectedWithoutChange(weights, () -> new Adam(1e-3f));
  }

  @Test
  void optimizerStateOfAnotherKindIsRejected() throws IOException {
    Trained t = trainedNormDrop("adam.safetensors");
    ModelFileException e = assertRejectedWithoutChange(t.checkpoint(), () -> Sgd.builder(0.01f).momentum(0.9f).build());
    assertThat(e).hasMessageThat().containsMatch("(?i)adam");
  }
}
