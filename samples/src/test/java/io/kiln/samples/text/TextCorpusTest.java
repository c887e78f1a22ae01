package io.kiln.samples.text;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.init.Rng;
import io.kiln.samples.cli.InputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
  @Test
  void encodingRoundTripsPrintableAscii() {
    for (char c = ' '; c <= '~'; c++) {
      assertThat(TextCorpus.decode(TextCorpus.encode(c))).isEqualTo(c);
    }
    assertThat(TextCorpus.decode(TextCorpus.encode('\n'))).isEqualTo('\n');
    assertThat(TextCorpus.encode('é')).isEqualTo(TextCorpus.encode(' '));
    assertThrows(IllegalArgumentException.class, () -> TextCorpus.decode(TextCorpus.VOCAB));
  }

  @Test
  void samplingFollowsTheLogitsAndSeesOnlyTheWindow() {
    // a "model" that puts all its mass on the character after the last one it is shown
    int[] seenSteps = new int[1];
    TextCorpus.LanguageModel next = (ids, steps) -> {
      seenSteps[0] = Math.max(seenSteps[0], steps);
      float[] logits = new float[steps * TextCorpus.VOCAB];
      int last = ids[steps - 1];
      logits[(steps - 1) * TextCorpus.VOCAB + (last + 1) % TextCorpus.VOCAB] = 100f;
      return logits;
    };
    assertThat(TextCorpus.sample(next, 4, "a", 5, 0.8f, new Rng(1))).isEqualTo("abcdef");
    assertThat(seenSteps[0]).isEqualTo(4);
    // a temperature so small that logit / temperature overflows a float still samples the most likely character
    assertThat(TextCorpus.sample(next, 4, "a", 5, 1e-40f, new Rng(1))).isEqualTo("abcdef");
    assertThrows(IllegalArgumentException.class, () -> TextCorpus.sample(next, 4, "a", 1, 0f, new Rng(1)));
  }

  @TempDir Path dir;

  private static String read(Path file, ByteArrayOutputStream log) throws IOException {
    return TextCorpus.read(file, "--text", 4, new PrintStream(log, true, StandardCharsets.UTF_8));
  }

  @Test
  void utf8IsReadWithWindowsLineEndsAndAByteOrderMark() throws IOException {
    Path f = dir.resolve("utf8.txt");
    Files.write(f, ("\uFEFFcafé\r\ncrème\rend\n").getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    assertThat(read(f, log)).isEqualTo("café\ncrème\nend\n");
    assertThat(log.toString(StandardCharsets.UTF_8)).isEqualTo("corpus: " + f + ", 15 characters read as UTF-8; "
        + "2 outside newline and printable ASCII train as spaces" + System.lineSeparator());
  }

  @Test
  void latin1IsReadAsLatin1AndSaysSo() throws IOException {
    Path f = dir.resolve("latin1.txt");
    Files.write(f, "caf\u00e9 cr\u00e8me\n".getBytes(StandardCharsets.ISO_8859_1));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    assertThat(read(f, log)).isEqualTo("café crème\n");
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("read as Latin-1 (ISO-8859-1): it is not valid UTF-8 at byte 3");
  }

  @Test
  void binaryFilesAreRefused() throws IOException {
    Path utf16 = dir.resolve("utf16.txt");
    Files.write(utf16, "hello world".getBytes(StandardCharsets.UTF_16LE));
    assertThat(assertThrows(InputException.class, () -> read(utf16, new ByteArrayOutputStream()))).hasMessageThat()
        .isEqualTo("--text " + utf16 + ": looks binary (a zero byte at offset 1); expected a text file in UTF-8 or Latin-1");
    Path controls = dir.resolve("controls.bin");
    Files.write(controls, new byte[] {'a', 'b', 1, 2, 3, 'c', 'd', 'e', 'f', 'g'});
    assertThat(assertThrows(InputException.class, () -> read(controls, new ByteArrayOutputStream()))).hasMessageThat()
        .contains("looks binary (3 of 10 bytes are control characters)");
  }
}
