package io.kiln.runtime.attention;

import java.util.Objects;

/** Argument checks shared by the attention kernels: clear messages instead of a bare AIOOBE mid-loop. */
final class AttentionChecks {
  private AttentionChecks() {}

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

  /** No varargs: a check must not allocate. */
  static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1 but was " + value);
    }
  }
}
