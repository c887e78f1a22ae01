package io.kiln.dsl;

/** How a convolution pads its input. */
public enum Padding {
  /** No padding: {@code out = (in − kernel) / stride + 1} (rounded down). */
  VALID,
  /**
   * Zero padding so that {@code out = ceil(in / stride)}; with stride 1 and an odd kernel that is
   * {@code P = (kernel − 1) / 2} on every side. An odd total goes to the bottom/right (as in
   * TensorFlow).
   */
  SAME,
  /** {@link Conv#pad()} zeros on every side: {@code out = (in − kernel + 2·pad) / stride + 1}. */
  EXPLICIT
}
