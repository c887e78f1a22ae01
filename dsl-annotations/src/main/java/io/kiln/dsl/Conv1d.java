package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A 1-D convolution along the last axis of channel-first series ({@code [B, C, T]} to
 * {@code [B, filters, OT]}, PyTorch's {@code nn.Conv1d}), followed by a bias and an activation in the
 * same kernel call: {@code OT = (T − (kernel − 1)·dilation − 1 + 2·pad) / stride + 1} (rounded down). The weight is
 * stored as {@code nn.Conv1d} stores it: {@code weight [filters, C, kernel]}, {@code bias [filters]}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Conv1d {
  /** Output channels ({@code out_channels}); must be positive. */
  int filters();

  /** The window's length along T ({@code kernel_size}); must be positive. */
  int kernel();

  /** Step between windows along T; at least 1. */
  int stride() default 1;

  Padding padding() default Padding.VALID;

  /** Zeros at both ends of T, with {@code padding = EXPLICIT} only (PyTorch's {@code padding=pad}). */
  int pad() default 0;

  /** Spacing between the window's taps: 2 reads every other step; at least 1. */
  int dilation() default 1;

  Activation activation() default Activation.NONE;

  boolean bias() default true;

  /** {@link Init#DEFAULT} picks He for ReLU, Xavier otherwise; fan-in is {@code C·kernel}. */
  Init init() default Init.DEFAULT;
}
