package io.kiln.samples;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.samples.cli.CommandLine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ./kiln} as a user meets it, one test per class of bad command line: each ends with one
 * line on stderr naming the option, path or value and what was expected, and a non-zero status
 * (2 bad usage, 1 a file or data that cannot be used), with no stack trace, before any training.
 */
class SamplesTest {
  @TempDir Path dir;

  @Test
  void noArgumentsPrintsTheUsageWithTheExitCodes() {
    CliRun r = CliRun.of();
    assertThat(r.status()).isEqualTo(CommandLine.USAGE);
    assertThat(r.err()).contains("usage: ./kiln SAMPLE [options]");
    assertThat(r.err()).contains("exit status: 0 done, 1 a file, data set or training failed, 2 bad usage");
    for (Samples.Sample s : Samples.SAMPLES) {
      assertThat(r.err()).contains(s.name());
    }
  }

  @Test
  void helpGoesToStdoutAndSucceeds() {
    CliRun all = CliRun.of("help");
    assertThat(all.status()).isEqualTo(0);
    assertThat(all.out()).contains("usage: ./kiln SAMPLE");
    CliRun one = CliRun.of("lenet", "--epochs", "3", "--help");
    assertThat(one.status()).isEqualTo(0);
    assertThat(one.out()).startsWith("usage: ./kiln lenet [--data DIR] [--epochs N] [--batch 1-64]");
    assertThat(one.err()).isEmpty();
  }

  @Test
  void anUnknownSampleIsOneLineListingTheSamples() {
    CliRun r = CliRun.of("transformer");
    r.failsWith(2, "unknown sample 'transformer'", "perceptron, lenet, cnn64, charlstm, seq2seq, gpt, gradients, classify");
  }

  @Test
  void unknownOptionsAreRejectedNamingTheAcceptedOnes() {
    CliRun.of("perceptron", "--foo", "1").failsWith(2, "kiln perceptron: unknown option --foo; perceptron takes no options");
    CliRun.of("perceptron", "extra").failsWith(2, "expected an option --name VALUE but got 'extra'");
    CliRun.of("lenet", "--epoch", "3").failsWith(2, "unknown option --epoch; lenet takes --data, --epochs, --batch, --lr, --seed, --out");
    CliRun.of("gpt", "3").failsWith(2, "expected an option --name VALUE but got '3'");
  }

  @Test
  void missingAndRepeatedValuesAreRejected() {
    CliRun.of("gpt", "--epochs").failsWith(2, "--epochs needs a value but is the last argument");
    CliRun.of("gpt", "--epochs", "--steps", "3").failsWith(2, "--epochs needs a value but is followed by the option --steps");
    CliRun.of("charlstm", "--epochs", "1", "--epochs=2").failsWith(2, "--epochs is given twice ('1' and '2')");
    CliRun.of("charlstm", "--text=").failsWith(2, "--text needs a value but got an empty one");
  }

  @Test
  void nonNumbersAreRejected() {
    CliRun.of("seq2seq", "--epochs", "many").failsWith(2, "kiln seq2seq: --epochs needs a whole number ≥ 1 but got 'many'");
    CliRun.of("lenet", "--lr", "fast").failsWith(2, "--lr needs a finite number > 0 but got 'fast'");
    CliRun.of("cnn64", "--seed", "1.5").failsWith(2, "--seed needs a whole number but got '1.5'");
    CliRun.of("lenet", "--epochs", "99999999999").failsWith(2, "--epochs needs a whole number ≥ 1 but got '99999999999'");
  }

  /** Values out of range, each on the sample where the fault probe met it (several used to run and exit 0). */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "cnn64    | --epochs      | -1       | --epochs needs a whole number ≥ 1",
      "lenet    | --epochs      | 0        | --epochs needs a whole number ≥ 1",
      "charlstm | --epochs      | -1       | --epochs needs a whole number ≥ 1",
      "charlstm | --steps       | 0        | --steps needs a whole number ≥ 1",
      "gpt      | --steps       | 0        | --steps needs a whole number ≥ 1",
      "seq2seq  | --steps       | 0        | --steps needs a whole number ≥ 1",
      "lenet    | --batch       | 65       | --batch needs a whole number from 1 to 64",
      "lenet    | --batch       | 0        | --batch needs a whole number from 1 to 64",
      "lenet    | --lr          | 0        | --lr needs a finite number > 0",
      "lenet    | --lr          | -0.1     | --lr needs a finite number > 0",
      "charlstm | --lr          | NaN      | --lr needs a finite number > 0",
      "gpt      | --lr          | 1e39     | --lr needs a finite number > 0",
      "gpt      | --temperature | Infinity | --temperature needs a finite number > 0",
      "cnn64    | --train       | 100      | --train needs a multiple of 64 from 64 to 16384",
      "cnn64    | --test        | 0        | --test needs a multiple of 64 from 64 to 16384",
      "seq2seq  | --min-length  | 0        | --min-length needs a whole number from 1 to 23",
      "seq2seq  | --max-length  | 24       | --max-length needs a whole number from 4 to 23",
      "seq2seq  | --symbols     | 30       | --symbols needs a whole number from 2 to 29",
      "seq2seq  | --test        | 0        | --test needs a whole number from 1 to 100000",
      "gradients | --part       | lstm     | --part needs one of all, mlp, recurrent, exploding, gates",
      "gradients | --mode       | fast     | --mode needs one of full, quick",
      "gradients | --seed       | x        | --seed needs a whole number",
  })
  void outOfRangeValuesNameTheAcceptedRange(String sample, String option, String value, String message) {
    CliRun r = CliRun.of(sample, option, value, "--out", dir.resolve("never").toString());
    r.failsWith(2, "kiln " + sample + ": " + message + " but got '" + value + "'");
    assertThat(Files.exists(dir.resolve("never"))).isFalse(); // rejected before anything was created
  }

  @Test
  void anOutputDirectoryThatCannotBeWrittenFailsBeforeTraining() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    CliRun.of("cnn64", "--out", file.toString()).failsWith(1, "--out " + file + ": is a file; expected a directory to write into");
    Path under = file.resolve("runs");
    CliRun.of("seq2seq", "--out", under.toString()).failsWith(1, "--out " + under + ": cannot create the directory");
  }

  @Test
  void textFilesThatAreNotTextAreRejected() throws IOException {
    Path out = dir.resolve("out");
    CliRun.of("charlstm", "--text", dir.resolve("missing.txt").toString(), "--out", out.toString())
        .failsWith(1, "--text " + dir.resolve("missing.txt") + ": no such file; expected a text file");
    CliRun.of("gpt", "--text", dir.toString(), "--out", out.toString())
        .failsWith(1, "--text " + dir + ": is a directory; expected a text file");
    byte[] noise = new byte[5000];
    new Random(1).nextBytes(noise);
    Path binary = Files.write(dir.resolve("noise.bin"), noise);
    CliRun.of("charlstm", "--text", binary.toString(), "--out", out.toString()).failsWith(1, "looks binary");
    Path tooShort = Files.writeString(dir.resolve("short.txt"), "hello world\n");
    CliRun.of("gpt", "--text", tooShort.toString(), "--out", out.toString())
        .failsWith(1, "--text " + tooShort + ": has 12 characters; at least 2560 are needed");
  }

  @Test
  void fashionMnistDirectoriesThatAreMissingOrCorruptAreNamed() throws IOException {
    Path out = dir.resolve("out");
    CliRun.of("lenet", "--data", dir.resolve("none").toString(), "--out", out.toString())
        .failsWith(1, "--data " + dir.resolve("none") + ": no such directory");
    Path empty = Files.createDirectory(dir.resolve("empty"));
    CliRun.of("lenet", "--data", empty.toString(), "--out", out.toString())
        .failsWith(1, "Fashion-MNIST directory lacks train-images-idx3-ubyte[.gz]");
    Path corrupt = Files.createDirectory(dir.resolve("corrupt"));
    for (String name : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte"}) {
      Files.write(corrupt.resolve(name), new byte[] {0x70, 0x11, 0x22, 0x33, 1, 2, 3, 4, 5, 6, 7, 8});
    }
    CliRun.of("lenet", "--data", corrupt.toString(), "--out", out.toString())
        .failsWith(1, corrupt.resolve("train-images-idx3-ubyte").toString(), "wrong magic number");
  }

  /** Well-formed IDX files that are not Fashion-MNIST: found when loading, not as an index error mid-training. */
  @Test
  void idxFilesOfTheWrongShapeOrClassesAreNamed() throws IOException {
    Path out = dir.resolve("out");
    Path small = Files.createDirectory(dir.resolve("small"));
    writeIdx(small, 10, 3);
    CliRun.of("lenet", "--data", small.toString(), "--out", out.toString())
        .failsWith(1, small.resolve("train-images-idx3-ubyte") + ": holds 10×10 images; Fashion-MNIST's are 28×28");
    Path labels = Files.createDirectory(dir.resolve("labels"));
    writeIdx(labels, 28, 12);
    CliRun.of("lenet", "--data", labels.toString(), "--out", out.toString())
        .failsWith(1, labels.resolve("train-labels-idx1-ubyte") + ": label 12 of image 1 is not a class 0..9");
  }

  /** Two images of {@code side}×{@code side} per split, labelled 0 and {@code secondLabel}. */
  private static void writeIdx(Path dir, int side, int secondLabel) throws IOException {
    for (String split : new String[] {"train", "t10k"}) {
      ByteBuffer images = ByteBuffer.allocate(16 + 2 * side * side).putInt(0x803).putInt(2).putInt(side).putInt(side);
      Files.write(dir.resolve(split + "-images-idx3-ubyte"), images.array());
      ByteBuffer labels = ByteBuffer.allocate(10).putInt(0x801).putInt(2).put((byte) 0).put((byte) secondLabel);
      Files.write(dir.resolve(split + "-labels-idx1-ubyte"), labels.array());
    }
  }

  @Test
  void debugPrintsTheStackTraceAfterTheLine() {
    CliRun r = CliRun.of(true, "cnn64", "--epochs", "-1");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.errLines().get(0)).isEqualTo("kiln cnn64: --epochs needs a whole number ≥ 1 but got '-1'");
    assertThat(r.err()).contains("io.kiln.samples.cli.UsageException");
    assertThat(r.err()).contains("\tat io.kiln.samples.train.Args");
  }

  @Test
  void aGoodRunStillSucceeds() {
    CliRun r = CliRun.of("perceptron");
    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isEqualTo(0);
    assertThat(r.out()).contains("XOR did NOT converge");
  }
}
