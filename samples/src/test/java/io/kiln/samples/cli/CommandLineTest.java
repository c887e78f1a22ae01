package io.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.runtime.train.NonFiniteLossException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The top-level handler: status and one line for every kind of failure, the stack trace only on request. */
class CommandLineTest {
  private record Outcome(int status, String err) {}

  private static Outcome run(boolean debug, CommandLine.Command command) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = CommandLine.run("kiln test", command, new PrintStream(err, true, StandardCharsets.UTF_8), debug);
    return new Outcome(status, err.toString(StandardCharsets.UTF_8));
  }

  private static Outcome failing(Throwable t) {
    return run(false, () -> {
      if (t instanceof Exception e) {
        throw e;
      }
      throw (Error) t;
    });
  }

  @Test
  void successIsSilentAndZero() {
    assertThat(run(false, () -> {})).isEqualTo(new Outcome(0, ""));
  }

  @Test
  void unexpectedExceptionsAreInternalErrorsOnOneLine() {
    Outcome o = failing(new IllegalStateException("boom"));
    assertThat(o.status()).isEqualTo(CommandLine.INTERNAL);
    assertThat(o.err()).isEqualTo("kiln test: internal error: java.lang.IllegalStateException: boom "
        + "(set KILN_DEBUG=1 for the stack trace)" + System.lineSeparator());
    // an IllegalArgumentException that no option check raised is a bug, not a usage error
    assertThat(failing(new IllegalArgumentException("index 7")).status()).isEqualTo(CommandLine.INTERNAL);
    assertThat(failing(new NullPointerException()).err()).contains("internal error: java.lang.NullPointerException (set");
  }

  @Test
  void debugAddsTheStackTrace() {
    Outcome o = run(true, () -> {
      throw new IllegalStateException("boom");
    });
    assertThat(o.status()).isEqualTo(CommandLine.INTERNAL);
    assertThat(o.err()).startsWith("kiln test: internal error: java.lang.IllegalStateException: boom");
    assertThat(o.err()).contains("\tat io.kiln.samples.cli.CommandLineTest");
  }

  @Test
  void userErrorsGetTheirStatus() {
    assertThat(failing(new UsageException("--k needs a whole number")))
        .isEqualTo(new Outcome(CommandLine.USAGE, "kiln test: --k needs a whole number" + System.lineSeparator()));
    assertThat(failing(new InputException("--text f: is a directory")).status()).isEqualTo(CommandLine.FAILED);
    assertThat(failing(new NonFiniteLossException("LeNet", Float.NaN, 17)).err())
        .isEqualTo("kiln test: training stopped: LeNet: loss became NaN at training step 17; lower the learning rate, clip "
            + "gradients or check the inputs" + System.lineSeparator());
    assertThat(failing(new AccessDeniedException("/data/x")))
        .isEqualTo(new Outcome(CommandLine.FAILED, "kiln test: /data/x: permission denied" + System.lineSeparator()));
    assertThat(failing(new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException("/data/y"))).err())
        .isEqualTo("kiln test: /data/y: no such file or directory" + System.lineSeparator());
    assertThat(failing(new IOException("No space left on device")).err())
        .isEqualTo("kiln test: input/output error: No space left on device" + System.lineSeparator());
    Outcome oom = failing(new OutOfMemoryError("Java heap space"));
    assertThat(oom.status()).isEqualTo(CommandLine.FAILED);
    assertThat(oom.err()).startsWith("kiln test: out of memory (Java heap space); use smaller inputs or give Java more heap");
  }

  @Test
  void messagesAreOneLineOfPlainText() {
    Outcome o = failing(new InputException(Path.of("a\u001b[31mb") + ": line one\nline two\r\tend\u0007"));
    assertThat(o.err()).isEqualTo("kiln test: a?[31mb: line one line two  end?" + System.lineSeparator());
    String longMessage = "x".repeat(5000);
    String line = failing(new InputException(longMessage)).err().strip();
    assertThat(line).hasLength("kiln test: ".length() + CommandLine.MAX_MESSAGE + 1);
    assertThat(line).endsWith("x…");
  }
}
