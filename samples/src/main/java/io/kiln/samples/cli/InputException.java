package io.kiln.samples.cli;

import java.io.IOException;

/**
 * A file or directory named on the command line cannot be used: missing, of the wrong kind, too
 * large, unreadable or holding the wrong content. The message names the path and what was expected;
 * the command exits with {@link CommandLine#FAILED}.
 */
public final class InputException extends IOException {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }
}
