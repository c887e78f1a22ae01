package io.kiln.samples.cli;

/**
 * A command line the sample cannot run: an unknown option, a missing or malformed value, a value
 * out of range. The message names the option and what it accepts; the command exits with
 * {@link CommandLine#USAGE}.
 */
public final class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
