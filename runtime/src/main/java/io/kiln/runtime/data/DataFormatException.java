package io.kiln.runtime.data;

import java.io.IOException;

/**
 * A data file (IDX images or labels, plain or gzipped) is malformed: wrong magic number,
 * implausible dimensions, truncated or trailing data, corrupt gzip, or images and labels that do
 * not match. The message always names the file (or resource) and the problem.
 */
public final class DataFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String source;

  /**
   * @param source the file or resource concerned, as named in messages
   * @param problem what is wrong; the message becomes {@code source + ": " + problem}
   */
  public DataFormatException(String source, String problem) {
    super(source + ": " + problem);
    this.source = source;
  }

  /**
   * @param source the file or resource concerned, as named in messages
   * @param problem what is wrong; the message becomes {@code source + ": " + problem}
   * @param cause the underlying error
   */
  public DataFormatException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
    this.source = source;
  }

  /** The file or resource concerned. */
  public String source() {
    return source;
  }
}
