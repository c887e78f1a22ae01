package io.kiln.samples;

import static com.google.common.truth.Truth.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bad options and unknown samples end with one line naming the problem and status 2, not a stack trace. */
class SamplesTest {
  private static String[] run(String... args) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status = Samples.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new String[] {String.valueOf(status), bytes.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void aBadNumberIsOneLine() throws Exception {
    String[] r = run("seq2seq", "--epochs", "many");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).isEqualTo("kiln seq2seq: seq2seq: --epochs needs a whole number but got 'many'" + System.lineSeparator());
  }

  @Test
  void anUnknownSampleShowsTheList() throws Exception {
    String[] r = run("transformer");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("usage: ./kiln SAMPLE [options]");
    assertThat(r[1]).contains("kiln transformer: unknown sample 'transformer'");
  }
}
