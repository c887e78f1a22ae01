package io.kiln.runtime.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model or tensor file is malformed, truncated, or does not fit the model it is loaded into.
 * The message always names the file and the problem; nothing was changed when it is thrown.
 */
public final class ModelFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /**
   * @param file the file concerned
   * @param message the whole message, which should name the file
   */
  public ModelFileException(Path file, String message) {
    super(message);
    this.file = file;
  }

  /**
   * @param file the file concerned
   * @param message the whole message, which should name the file
   * @param cause the underlying error
   */
  public ModelFileException(Path file, String message, Throwable cause) {
    super(message, cause);
    this.file = file;
  }

  /** The file concerned. */
  public Path file() {
    return file;
  }
}
