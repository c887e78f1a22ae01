package io.kiln.runtime.cnn;

import java.util.Objects;

/** Argument checks shared by the CNN kernels: clear messages instead of a bare AIOOBE mid-loop. */
final class CnnChecks {
  private CnnChecks() {}

  static void range(String name, float[] a, int off, long len) {
    Objects.requireNonNull(a, name);
    if (off < 0 || off + len > a.length) {
      throw new IndexOutOfBoundsException(
          name + ": needs " + len + " floats at offset " + off + " but the array has " + a.length);
    }
  }

  static void batch(int batch) {
    if (batch < 0) {
      throw new IllegalArgumentException("batch must be >= 0 but was " + batch);
    }
  }
}
