package io.kiln.samples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Checks on the paths a command line names, made before any work so that a mistake costs no
 * training time: every failure is an {@link InputException} naming the option, the path and what
 * was expected. Only regular files are opened (a named pipe would block a reader forever).
 */
public final class InputFiles {
  private InputFiles() {}

  /**
   * Checks that {@code file} is a readable regular file of at most {@code maxBytes} and returns its
   * size.
   *
   * @param option how the command line names it, e.g. {@code "--text"} or {@code "IMAGE"}
   * @param expected what it should be, e.g. {@code "a text file"}
   */
  public static long regularFile(Path file, String option, String expected, long maxBytes) throws InputException {
    String where = option + " " + file + ": ";
    if (Files.isDirectory(file)) {
      throw new InputException(where + "is a directory; expected " + expected);
    }
    if (!Files.exists(file)) {
      throw new InputException(where + "no such file; expected " + expected);
    }
    if (!Files.isRegularFile(file)) {
      throw new InputException(where + "is not a regular file (a pipe or a device?); expected " + expected);
    }
    if (!Files.isReadable(file)) {
      throw new InputException(where + "permission denied");
    }
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new InputException(where + "cannot be read (" + e.getMessage() + ")");
    }
    if (size > maxBytes) {
      throw new InputException(where + "is " + bytes(size) + "; at most " + bytes(maxBytes) + " is accepted");
    }
    return size;
  }

  /** Checks that {@code dir} is an existing directory. */
  public static Path directory(Path dir, String option, String expected) throws InputException {
    if (!Files.exists(dir)) {
      throw new InputException(option + " " + dir + ": no such directory; expected " + expected);
    }
    if (!Files.isDirectory(dir)) {
      throw new InputException(option + " " + dir + ": is not a directory; expected " + expected);
    }
    return dir;
  }

  /**
   * Creates {@code dir} (with its parents) if needed and checks that files can be written in it, so
   * that a run fails before training rather than when saving its result.
   */
  public static Path outputDirectory(Path dir, String option) throws InputException {
    String where = option + " " + dir + ": ";
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new InputException(where + "is a file; expected a directory to write into");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new InputException(where + "cannot create the directory (" + CommandLine.describe(e).message() + ")");
    }
    try {
      Files.deleteIfExists(Files.createTempFile(dir, ".kiln-write-test", ".tmp"));
    } catch (IOException e) {
      throw new InputException(where + "is not writable (" + CommandLine.describe(e).message() + ")");
    }
    return dir;
  }

  /** {@code n} bytes in words: "812 bytes", "3.0 GiB". */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " bytes";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, v == Math.rint(v) ? "%.0f %s" : "%.1f %s", v, units[u]);
  }
}
