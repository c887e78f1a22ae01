package io.kiln.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saves: temporary files of killed saves are cleaned up, and failures name the file. */
class AtomicFilesTest {
  @TempDir Path dir;

  private static final List<SafeTensors.TensorData> ONE = List.of(new SafeTensors.TensorData("w", new int[] {1}, new float[] {1}));

  /** The id of a process that has exited (as a save killed with kill -9 has). */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    assertThat(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    return p.pid();
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private Path touch(String name) throws IOException {
    return Files.writeString(dir.resolve(name), "partial save, 726 KiB in real life");
  }

  @Test
  void aSaveRemovesTheTemporaryFilesThatKilledSavesOfTheSameTargetLeft() throws Exception {
    Path target = dir.resolve("model.safetensors");
    long dead = deadPid();
    long me = ProcessHandle.current().pid();
    String killed = ".model.safetensors.kiln-" + dead + "-1a2b3c.tmp";
    String concurrent = ".model.safetensors.kiln-" + me + "-4d5e6f.tmp"; // a save running right now
    String otherTarget = ".other.safetensors.kiln-" + dead + "-777.tmp"; // that target's next save cleans it
    String oldKiln = ".model.safetensors.1234567890123456789.tmp"; // an earlier Kiln's name, an hour old
    String recentOldKiln = ".model.safetensors.00ff00ff00ff00ff.tmp"; // same pattern, written just now
    touch(killed);
    touch(concurrent);
    touch(otherTarget);
    Files.setLastModifiedTime(touch(oldKiln), FileTime.from(Instant.now().minusSeconds(3600)));
    touch(recentOldKiln);
    // The user's own files, however similar, are never touched.
    List<String> users = List.of(".model.safetensors.notes.tmp", "model.safetensors.tmp", ".model.safetensors.kiln-x-1.tmp",
        "model.safetensors.kiln-" + dead + "-1.tmp", ".model.safetensors.kiln-" + dead + "-1.tmp.bak");
    for (String u : users) {
      Files.setLastModifiedTime(touch(u), FileTime.from(Instant.now().minusSeconds(3600)));
    }

    SafeTensors.write(target, Map.of(), ONE);

    assertThat(files()).doesNotContain(killed);
    assertThat(files()).doesNotContain(oldKiln);
    assertThat(files()).containsAtLeast(concurrent, otherTarget, recentOldKiln, "model.safetensors");
    assertThat(files()).containsAtLeastElementsIn(users);
    assertThat(files()).hasSize(4 + users.size());

    // PNG and IDX saves go through the same writer and clean up the same way.
    touch(".curve.png.kiln-" + dead + "-1.tmp");
    AtomicFiles.write(dir.resolve("curve.png"), out -> out.write(1));
    assertThat(files()).doesNotContain(".curve.png.kiln-" + dead + "-1.tmp");
  }

  @Test
  void theNextSaveRemovesWhatASaveKilledWithSigkillLeft() throws Exception {
    Path target = dir.resolve("model.safetensors");
    SafeTensors.write(target, Map.of(), ONE);
    byte[] saved = Files.readAllBytes(target);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process save = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KilledSaveProbe.class.getName(),
        target.toString()).redirectErrorStream(true).start();
    try {
      assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(save.getInputStream())).readLine())
          .isEqualTo("writing");
      save.destroyForcibly(); // SIGKILL: no finally block runs
      save.waitFor();
    } finally {
      save.destroyForcibly();
    }
    String leftover = ".model.safetensors.kiln-" + save.pid() + "-";
    assertThat(files().stream().filter(n -> n.startsWith(leftover)).count()).isEqualTo(1);
    assertThat(Files.readAllBytes(target)).isEqualTo(saved); // the killed save changed nothing

    SafeTensors.write(target, Map.of(), ONE);
    assertThat(files()).containsExactly("model.safetensors");
  }

  @Test
  void aSuccessfulSaveLeavesNoTemporaryFile() throws IOException {
    Path target = dir.resolve("m.safetensors");
    SafeTensors.write(target, Map.of(), ONE);
    assertThat(files()).containsExactly("m.safetensors");
  }

  @Test
  void writeFailuresNameTheFile() throws IOException {
    // "No space left on device" arrives as a bare IOException from the write; it gets the path.
    Path png = dir.resolve("plots/curve.png");
    IOException full = assertThrows(IOException.class, () -> AtomicFiles.write(png, out -> {
      throw new IOException("No space left on device");
    }));
    assertThat(full).hasMessageThat().isEqualTo("cannot write " + png + ": No space left on device");
    assertThat(files()).containsExactly("plots");
    try (Stream<Path> s = Files.list(dir.resolve("plots"))) {
      assertThat(s.toList()).isEmpty(); // the partial temporary file is gone
    }

    Path directory = Files.createDirectory(dir.resolve("model.safetensors"));
    assertThat(assertThrows(IOException.class, () -> SafeTensors.write(directory, Map.of(), ONE)))
        .hasMessageThat().isEqualTo("cannot write " + directory + ": it is a directory");

    Path notAFolder = Files.writeString(dir.resolve("runs"), "a file");
    Path inside = notAFolder.resolve("lenet/model.safetensors");
    assertThat(assertThrows(IOException.class, () -> SafeTensors.write(inside, Map.of(), ONE)))
        .hasMessageThat().isEqualTo("cannot write " + inside + ": " + notAFolder + " is a file, not a folder");
    assertThat(assertThrows(IOException.class, () -> AtomicFiles.write(inside, out -> out.write(1))))
        .hasMessageThat().isEqualTo("cannot write " + inside + ": " + notAFolder + " is a file, not a folder");

    Path missing = dir.resolve("new-run/model.safetensors");
    assertThat(assertThrows(IOException.class, () -> SafeTensors.write(missing, Map.of(), ONE)))
        .hasMessageThat().isEqualTo("cannot write " + missing + ": its folder " + missing.getParent() + " does not exist");
    AtomicFiles.write(dir.resolve("new-run/curve.png"), out -> out.write(1)); // pictures and data make their folder
    assertThat(Files.readAllBytes(dir.resolve("new-run/curve.png"))).isEqualTo(new byte[] {1});
  }
}
