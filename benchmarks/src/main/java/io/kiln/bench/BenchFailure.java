package io.kiln.bench;

/** A reason {@code ./bench} stops: printed as one line (no stack trace), exit status 1. */
final class BenchFailure extends Exception {
  private static final long serialVersionUID = 1L;

  BenchFailure(String message) {
    super(message);
  }
}
