package io.kiln.samples.lenet;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.samples.data.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeNetSampleTest {
  @TempDir Path out;

  @Test
  void aShortRunOnTheShippedSubsetReaches75Percent() throws Exception {
    FashionMnist.Splits data = FashionMnist.loadEmbedded();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    LeNetSample.Result r = LeNetSample.train(data.train(), data.test(), 3, 64, 1e-3f, 1, out,
        new PrintStream(log, true, StandardCharsets.UTF_8));
    System.out.println("LeNet, 3 epochs on the 5,000-image subset: test accuracy " + r.testAccuracy());
    assertThat(r.finalAccuracy()).isAtLeast(0.75);
    assertThat(Files.size(r.checkpoint())).isGreaterThan(61706L * 4);
    assertThat(Files.exists(r.curve())).isTrue();
    KilnLeNet reloaded = KilnLeNet.load(r.checkpoint());
    assertThat(LeNetSample.evaluate(reloaded, io.kiln.runtime.data.Batches.sequential(data.test(), 64)))
        .isEqualTo(r.finalAccuracy());
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("test accuracy");
  }
}
