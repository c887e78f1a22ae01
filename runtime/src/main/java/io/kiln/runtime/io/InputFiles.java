package io.kiln.runtime.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Function;

/**
 * What every Kiln loader does before it opens a file, and how it words an I/O failure.
 *
 * <p>Only regular files are opened (symbolic links are followed): opening a named pipe blocks
 * until something writes to it, a directory or a device reads as garbage or fails with a message
 * that names no file. Anything else is refused with one line naming the path and what it is.
 * (The check precedes the open: a file swapped for a pipe in between still blocks. Java cannot open
 * without blocking and then ask what was opened; guarding against a local attacker racing the
 * loader is the file system's permissions' job.)
 */
public final class InputFiles {
  private InputFiles() {}

  /**
   * Checks that {@code file} is a regular file, so opening it cannot block.
   *
   * @param bad turns a problem ("is a named pipe (FIFO), not a regular file") into the loader's
   *     exception; the text does not name the file, the exception should
   * @throws java.nio.file.NoSuchFileException if it does not exist (as {@link Files#newInputStream} would)
   * @throws E if it exists but is not a regular file
   */
  public static <E extends IOException> void requireRegularFile(Path file, Function<String, E> bad) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    if (!attributes.isRegularFile()) {
      throw bad.apply("is " + kind(file, attributes) + ", not a regular file; Kiln reads model and data files only from regular files");
    }
  }

  /**
   * The reason of an I/O failure in words, without the path ("no such file", "No space left on
   * device"), and the file involved if it is not {@code file} (a parent that is not a folder);
   * {@code file} may be null when the caller names no file.
   */
  public static String reason(Path file, IOException e) {
    if (!(e instanceof FileSystemException fse)) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    String reason = fse.getReason();
    if (reason == null) {
      reason = switch (fse) {
        case NoSuchFileException x -> "no such file or folder";
        case AccessDeniedException x -> "permission denied";
        case FileAlreadyExistsException x -> "already exists";
        case NotDirectoryException x -> "not a folder";
        case DirectoryNotEmptyException x -> "a folder that is not empty is in the way";
        default -> fse.getClass().getSimpleName();
      };
    }
    String other = fse.getFile();
    if (other != null && (file == null || !Path.of(other).toAbsolutePath().equals(file.toAbsolutePath()))) {
      reason += " (" + SafeText.of(Path.of(other)) + ")";
    }
    return reason;
  }

  /** "a directory", "a named pipe (FIFO)", ... as precisely as the file system tells. */
  private static String kind(Path file, BasicFileAttributes attributes) {
    if (attributes.isDirectory()) {
      return "a directory";
    }
    try {
      String special = switch (((Integer) Files.getAttribute(file, "unix:mode")) & 0170000) {
        case 0010000 -> "a named pipe (FIFO)";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        case 0140000 -> "a socket";
        default -> null;
      };
      if (special != null) {
        return special;
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
      // Not a Unix file system: the generic word below will do.
    }
    return "a special file";
  }
}
