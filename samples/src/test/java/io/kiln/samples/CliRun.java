package io.kiln.samples;

import static com.google.common.truth.Truth.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One {@code ./kiln ...} run in-process: its exit status, stdout and stderr. */
public record CliRun(int status, String out, String err) {
  public static CliRun of(String... args) {
    return of(false, args);
  }

  /** Runs {@code ./kiln args} as with {@code KILN_DEBUG=1} if {@code debug}. */
  public static CliRun of(boolean debug, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Samples.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), debug);
    return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** stderr as lines. */
  public List<String> errLines() {
    return err.lines().toList();
  }

  /**
   * Asserts the run failed with {@code status} and exactly one stderr line, {@code "kiln SAMPLE: ..."}
   * holding every fragment, and no stack trace; returns that line.
   */
  public String failsWith(int expectedStatus, String... fragments) {
    assertThat(errLines()).hasSize(1);
    String line = errLines().get(0);
    assertThat(line).matches("kiln[ :].*");
    for (String f : fragments) {
      assertThat(line).contains(f);
    }
    assertThat(line).doesNotContain("Exception");
    assertThat(status).isEqualTo(expectedStatus);
    return line;
  }
}
