package io.kiln.runtime.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a file so that a reader never sees half of it: a temporary file in the same folder, then a
 * rename over the target. The temporary file is gone whatever happens short of the process being
 * killed; a save killed mid-write leaves it behind, and the next save to the same target removes
 * it (see {@link #removeStaleTemps}).
 *
 * <p>Temporary files are named {@code .<target name>.kiln-<pid>-<random hex>.tmp}. Every failure
 * is an {@link IOException} whose one-line message names the target: {@code cannot write
 * runs/x.safetensors: No space left on device}.
 */
public final class AtomicFiles {
  /** How old a temporary file of an earlier Kiln (without a process id in its name) must be to be removed. */
  static final Duration LEGACY_TEMP_AGE = Duration.ofMinutes(10);

  private static final String TEMP_SUFFIX = ".tmp";
  private static final Pattern TEMP_MIDDLE = Pattern.compile("kiln-(\\d{1,19})-[0-9a-f]{1,16}");
  // Earlier Kiln versions: Files.createTempFile's decimal digits, or Long.toHexString of a random long.
  private static final Pattern LEGACY_MIDDLE = Pattern.compile("\\d{1,20}|[0-9a-f]{1,16}");

  private AtomicFiles() {}

  /** What goes into the file, as a stream. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** What goes into the file, written through a channel (positional writes are allowed). */
  @FunctionalInterface
  public interface ChannelContent {
    void writeTo(FileChannel out) throws IOException;
  }

  /**
   * Writes {@code content} to {@code file}, creating its folder if needed. The rename is atomic
   * where the file system can do it, a plain replace otherwise.
   */
  public static void write(Path file, Content content) throws IOException {
    write(file, false, ch -> {
      OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
      content.writeTo(os);
      os.flush();
    });
  }

  /**
   * Writes {@code content} to {@code file} durably, in an existing folder: the data is forced to disk before the rename,
   * the rename must be atomic (else an {@link IOException}, and the old file stays), and the folder
   * is synced after it. For model files and checkpoints, where a crash must leave the old or the new
   * file, never a torn one.
   */
  public static void writeDurably(Path file, ChannelContent content) throws IOException {
    write(file, true, content);
  }

  private static void write(Path file, boolean durable, ChannelContent content) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path tmp = null;
    boolean moved = false;
    try {
      if (Files.isDirectory(target)) {
        throw new IOException("it is a directory");
      }
      requireNoFileInTheWay(dir);
      if (durable && !Files.isDirectory(dir)) {
        // A model file or checkpoint goes where the caller prepared it; a typo should not grow a tree.
        throw new IOException("its folder " + SafeText.of(dir) + " does not exist");
      }
      Files.createDirectories(dir);
      removeStaleTemps(target);
      tmp = dir.resolve(tempName(target, ProcessHandle.current().pid()));
      // CREATE_NEW, not Files.createTempFile: that one's files are private (0600); this one gets the usual umask.
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        content.writeTo(ch);
        if (durable) {
          ch.force(true);
        }
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        if (durable) {
          throw new IOException("this file system cannot replace a file atomically", e);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      moved = true;
      if (durable) {
        syncDirectory(dir);
      }
    } catch (IOException e) {
      throw new IOException("cannot write " + SafeText.of(file) + ": " + InputFiles.reason(tmp == null ? target : tmp, e), e);
    } finally {
      if (tmp != null && !moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** The nearest existing folder of {@code dir} (itself included) must be a folder, not a file. */
  private static void requireNoFileInTheWay(Path dir) throws IOException {
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        if (!Files.isDirectory(p)) {
          throw new IOException(SafeText.of(p) + " is a file, not a folder");
        }
        return;
      }
    }
  }

  static String tempName(Path target, long pid) {
    return "." + target.getFileName() + ".kiln-" + pid + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong())
        + TEMP_SUFFIX;
  }

  /**
   * Deletes the temporary files that killed saves of {@code target} left in its folder: those
   * named for this target whose process is no longer running (on this machine), and those of
   * earlier Kiln versions (no process id in the name) untouched for {@link #LEGACY_TEMP_AGE}. Other
   * files, temporary files of other targets, and those of running processes (a concurrent save)
   * are left alone. Best effort: a file that cannot be deleted stays.
   */
  static void removeStaleTemps(Path target) {
    String prefix = "." + target.getFileName() + ".";
    Instant legacyCutoff = Instant.now().minus(LEGACY_TEMP_AGE);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(target.getParent(),
        p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(TEMP_SUFFIX))) {
      for (Path p : entries) {
        removeIfStale(p, p.getFileName().toString().substring(prefix.length(),
            p.getFileName().toString().length() - TEMP_SUFFIX.length()), legacyCutoff);
      }
    } catch (IOException | RuntimeException e) {
      // Cleaning up is a courtesy; it must never fail the save.
    }
  }

  private static void removeIfStale(Path p, String middle, Instant legacyCutoff) {
    try {
      Matcher ours = TEMP_MIDDLE.matcher(middle);
      boolean stale = ours.matches()
          ? !running(ours.group(1))
          : LEGACY_MIDDLE.matcher(middle).matches()
              && Files.getLastModifiedTime(p).compareTo(FileTime.from(legacyCutoff)) < 0;
      if (stale && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      // Gone already, or not ours to delete: leave it.
    }
  }

  private static boolean running(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return true; // not a pid we can check: keep it
    }
  }

  /** Makes the rename durable; not every platform can open a directory, and that is fine. */
  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Windows cannot open directories; the data itself was forced before the rename.
    }
  }
}
