package io.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {
  @TempDir Path dir;

  @Test
  void onlyRegularFilesWithinTheLimitPass() throws IOException {
    Path f = Files.write(dir.resolve("f"), new byte[100]);
    assertThat(InputFiles.regularFile(f, "--x", "a file", 100)).isEqualTo(100);
    assertThat(assertThrows(InputException.class, () -> InputFiles.regularFile(f, "--x", "a file", 99)))
        .hasMessageThat().isEqualTo("--x " + f + ": is 100 bytes; at most 99 bytes is accepted");
    assertThat(assertThrows(InputException.class, () -> InputFiles.regularFile(dir, "--x", "a file", 99)))
        .hasMessageThat().isEqualTo("--x " + dir + ": is a directory; expected a file");
    Path fifo = dir.resolve("fifo");
    if (new ProcessBuilder("mkfifo", fifo.toString()).start().onExit().join().exitValue() == 0) {
      assertThat(assertThrows(InputException.class, () -> InputFiles.regularFile(fifo, "--x", "a file", 99)))
          .hasMessageThat().contains("is not a regular file (a pipe or a device?)"); // reading it would block
    }
  }

  @Test
  void outputDirectoriesAreCreatedAndChecked() throws IOException {
    Path nested = dir.resolve("a/b/c");
    assertThat(InputFiles.outputDirectory(nested, "--out")).isEqualTo(nested);
    assertThat(Files.isDirectory(nested)).isTrue();
    try (var left = Files.list(nested)) {
      assertThat(left.toList()).isEmpty(); // the write probe is removed
    }
  }

  @Test
  void sizesReadAsWords() {
    assertThat(InputFiles.bytes(812)).isEqualTo("812 bytes");
    assertThat(InputFiles.bytes(64L << 20)).isEqualTo("64 MiB");
    assertThat(InputFiles.bytes(3L << 30)).isEqualTo("3 GiB");
    assertThat(InputFiles.bytes(1536)).isEqualTo("1.5 KiB");
  }
}
