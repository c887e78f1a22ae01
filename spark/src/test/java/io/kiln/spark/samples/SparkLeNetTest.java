package io.kiln.spark.samples;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.runtime.data.Dataset;
import io.kiln.runtime.train.Adam;
import io.kiln.samples.cli.CommandLine;
import io.kiln.samples.data.FashionMnist;
import io.kiln.samples.lenet.KilnLeNet;
import io.kiln.spark.SparkTests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./kiln-spark lenet}: the weights are always written, and bad options stop it before Spark starts. */
class SparkLeNetTest {
  @TempDir Path dir;

  /**
   * The fault probe's case: {@code --out} a directory that does not exist and fewer steps than
   * {@code --checkpoint-every}. The trainer never wrote a periodic checkpoint, so nothing created the
   * directory and saving the weights threw NoSuchFileException after training.
   */
  @Test
  void aShortRunIntoANewDirectoryWritesItsWeightsAndCanResume() throws IOException {
    FashionMnist.Splits all = FashionMnist.loadEmbedded();
    Dataset train = all.train().select(spread(all.train().size(), 128));
    Dataset test = all.test().select(spread(all.test().size(), 64));
    FashionMnist.Splits tiny = new FashionMnist.Splits(train, test, FashionMnist.Source.EMBEDDED_SUBSET, "test subset");
    Path out = dir.resolve("new").resolve("run");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(log, true, StandardCharsets.UTF_8);

    // 128 images, global batch 32: 4 steps, far fewer than a checkpoint every 500
    double accuracy = SparkLeNet.run(SparkTests.spark(), tiny, "sync", 8, 2, 32, 1, 1e-3f, 1, out, 500, print);

    assertThat(accuracy).isAtLeast(0.0);
    Path weights = out.resolve("lenet.safetensors");
    assertThat(Files.isRegularFile(weights)).isTrue();
    Path checkpoint = out.resolve("LeNet.checkpoint.safetensors");
    assertThat(stepsIn(checkpoint)).isEqualTo(4);
    assertThat(KilnLeNet.load(weights).parameterSlab()).isEqualTo(restored(checkpoint).parameterSlab());

    // the final checkpoint lets a longer run continue from step 4 instead of starting over
    SparkLeNet.run(SparkTests.spark(), tiny, "sync", 8, 2, 32, 2, 1e-3f, 1, out, 500, print);
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("resumed at step 4");
    assertThat(stepsIn(checkpoint)).isEqualTo(8);
    assertThat(KilnLeNet.load(weights).parameterSlab()).isEqualTo(restored(checkpoint).parameterSlab());
  }

  private static KilnLeNet restored(Path checkpoint) throws IOException {
    KilnLeNet model = KilnLeNet.create(0);
    model.loadCheckpoint(checkpoint, new Adam(1e-3f));
    return model;
  }

  private static long stepsIn(Path checkpoint) throws IOException {
    return restored(checkpoint).steps();
  }

  /** Every {@code step}-th of {@code n} indices, {@code count} of them: all ten classes, which the data stores in runs. */
  private static int[] spread(int n, int count) {
    int[] indices = new int[count];
    for (int i = 0; i < count; i++) {
      indices[i] = (int) ((long) i * n / count);
    }
    return indices;
  }

  @Test
  void badOptionsStopBeforeSparkStarts() {
    assertThat(command("--batch", "63")).isEqualTo(new Outcome(2,
        "kiln-spark lenet: --batch needs a multiple of --partitions (2) but got '63'"));
    assertThat(command("--partitions", "4", "--batch", "300")).isEqualTo(new Outcome(2,
        "kiln-spark lenet: --batch needs a whole number from 4 to 256 but got '300'"));
    assertThat(command("--mode", "async")).isEqualTo(new Outcome(2,
        "kiln-spark lenet: --mode needs one of sync, local but got 'async'"));
    assertThat(command("--checkpoint-every", "0").status()).isEqualTo(2);
    assertThat(command("--epochs", "0").status()).isEqualTo(2);
    assertThat(command("--workers", "2").err()).startsWith("kiln-spark lenet: unknown option --workers; lenet takes --master, --mode");
  }

  private record Outcome(int status, String err) {}

  private Outcome command(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = CommandLine.run("kiln-spark lenet",
        () -> SparkLeNet.command(args, System.out), new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new Outcome(status, err.toString(StandardCharsets.UTF_8).strip());
  }
}
