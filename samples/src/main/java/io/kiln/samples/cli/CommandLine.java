package io.kiln.samples.cli;

import io.kiln.runtime.data.DataFormatException;
import io.kiln.runtime.io.ModelFileException;
import io.kiln.runtime.train.NonFiniteLossException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The top-level handler of the sample commands ({@code ./kiln}, {@code ./kiln-spark}): runs a
 * command and turns whatever it throws into one line on stderr and an exit status.
 *
 * <ul>
 *   <li>{@value #OK}: done;
 *   <li>{@value #FAILED}: a file, directory or data set could not be used, or training failed
 *       (the line names the path or the step);
 *   <li>{@value #USAGE}: bad usage: an unknown option, a missing, malformed or out-of-range value
 *       (the line names the option and what it accepts);
 *   <li>{@value #INTERNAL}: a bug: the line says "internal error".
 * </ul>
 *
 * <p>With the environment variable {@code KILN_DEBUG=1} the stack trace follows the line.
 */
public final class CommandLine {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int INTERNAL = 3;

  /** Longest message printed; longer ones (a file's content echoed back, say) are cut. */
  static final int MAX_MESSAGE = 1000;

  private CommandLine() {}

  /** The body of a command. */
  @FunctionalInterface
  public interface Command {
    void run() throws Exception;
  }

  /** The exit status of a failure and its one-line message. */
  public record Failure(int status, String message) {}

  /** True when {@code KILN_DEBUG} is set to anything but empty or {@code 0}. */
  public static boolean debugRequested() {
    String v = System.getenv("KILN_DEBUG");
    return v != null && !v.isEmpty() && !v.equals("0");
  }

  /**
   * Runs {@code command}; on failure prints {@code program + ": " + message} to {@code err} (and the
   * stack trace if {@code debug}) and returns its status, else returns {@link #OK}.
   */
  public static int run(String program, Command command, PrintStream err, boolean debug) {
    try {
      command.run();
      return OK;
    } catch (Throwable t) { // everything, so that no user ever sees a bare stack trace
      if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError || t instanceof StackOverflowError)) {
        throw (VirtualMachineError) t; // the JVM is broken; nothing sensible to add
      }
      Failure f = describe(t);
      err.println(program + ": " + oneLine(f.message()));
      if (debug) {
        t.printStackTrace(err);
      }
      err.flush();
      return f.status();
    }
  }

  /** The status and message for {@code t}. */
  public static Failure describe(Throwable t) {
    return switch (t) {
      case UsageException e -> new Failure(USAGE, e.getMessage());
      case InputException e -> new Failure(FAILED, e.getMessage());
      case DataFormatException e -> new Failure(FAILED, e.getMessage());
      case ModelFileException e -> new Failure(FAILED, e.getMessage());
      case NonFiniteLossException e -> new Failure(FAILED, "training stopped: " + e.getMessage());
      case FileSystemException e -> new Failure(FAILED, fileSystem(e));
      case UncheckedIOException e -> describe(e.getCause());
      case IOException e -> new Failure(FAILED, "input/output error: " + e.getMessage());
      case OutOfMemoryError e -> new Failure(FAILED, "out of memory (" + e.getMessage()
          + "); use smaller inputs or give Java more heap, e.g. JAVA_TOOL_OPTIONS=-Xmx8g");
      default -> new Failure(INTERNAL, "internal error: " + t.getClass().getName()
          + (t.getMessage() == null ? "" : ": " + t.getMessage()) + " (set KILN_DEBUG=1 for the stack trace)");
    };
  }

  /** A file-system error with its path, which the JDK's own message may lack ("permission denied" alone). */
  private static String fileSystem(FileSystemException e) {
    if (e.getReason() != null) {
      return e.getMessage();
    }
    String what = switch (e) {
      case NoSuchFileException x -> "no such file or directory";
      case AccessDeniedException x -> "permission denied";
      case FileAlreadyExistsException x -> "already exists";
      case NotDirectoryException x -> "not a directory";
      case DirectoryNotEmptyException x -> "directory not empty";
      default -> "cannot be used (" + e.getClass().getSimpleName() + ")";
    };
    return e.getFile() + ": " + what + (e.getOtherFile() == null ? "" : " (with " + e.getOtherFile() + ")");
  }

  /**
   * {@code message} as one line of plain text: line breaks and tabs become spaces, other control
   * characters (terminal escapes from a file name or a file's bytes) become '?', and it is cut at
   * {@value #MAX_MESSAGE} characters.
   */
  public static String oneLine(String message) {
    String m = message == null ? "(no message)" : message;
    StringBuilder sb = new StringBuilder(Math.min(m.length(), MAX_MESSAGE + 1));
    for (int i = 0; i < m.length() && sb.length() < MAX_MESSAGE; i++) {
      char c = m.charAt(i);
      sb.append(c == '\n' || c == '\r' || c == '\t' ? ' ' : Character.isISOControl(c) ? '?' : c);
    }
    if (m.length() > MAX_MESSAGE) {
      sb.append('…');
    }
    return sb.toString();
  }
}
