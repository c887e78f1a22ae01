package io.kiln.runtime.rnn;

import java.util.Objects;

/** Argument checks shared by the recurrent kernels: clear messages instead of a bare AIOOBE mid-loop. */
final class RnnChecks {
  private RnnChecks() {}

  static void range(String name, float[] a, int off, long len) {
    Objects.requireNonNull(a, name);
    if (off < 0 || off + len > a.length) {
      throw new IndexOutOfBoundsException(
          name + ": needs " + len + " floats at offset " + off + " but the array has " + a.length);
    }
  }

  /** As {@link #range} when {@code a} is not null. */
  static void optional(String name, float[] a, int off, long len) {
    if (a != null) {
      range(name, a, off, len);
    }
  }

  static void range(String name, int[] a, int off, long len) {
    Objects.requireNonNull(a, name);
    if (off < 0 || off + len > a.length) {
      throw new IndexOutOfBoundsException(
          name + ": needs " + len + " ints at offset " + off + " but the array has " + a.length);
    }
  }

  static void sizes(int batch, int steps) {
    if (batch < 1 || steps < 1) {
      throw new IllegalArgumentException("batch and steps must be >= 1 but were batch=" + batch + ", steps=" + steps);
    }
  }
}
