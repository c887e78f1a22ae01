package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A 2-D convolution over channel-first samples ({@code [B, C, H, W]} to {@code [B, filters, OH, OW]},
 * layout NCHW), followed by a bias and an activation in the same kernel call. The weight is stored
 * as PyTorch's {@code nn.Conv2d} stores it: {@code weight [filters, C, kh, kw]}, {@code bias [filters]}.
 *
 * <p>Give the kernel as one size ({@code kernel = 5}) or as {@code kernelHeight} and
 * {@code kernelWidth}. {@code stride}, {@code pad} and {@code dilation} take one value for both axes
 * ({@code stride = 2}) or one per axis, height then width ({@code stride = {1, 3}}), as PyTorch's
 * {@code stride=(1, 3)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Conv {
  /** Output channels; must be positive. */
  int filters();

  /** A square kernel's size; leave 0 and set {@link #kernelHeight()}/{@link #kernelWidth()} for another shape. */
  int kernel() default 0;

  int kernelHeight() default 0;

  int kernelWidth() default 0;

  /** Step between windows: one for both axes or {height, width}; at least 1. */
  int[] stride() default 1;

  Padding padding() default Padding.VALID;

  /** Zeros on each side (one value, or {above and below, left and right}), with {@code padding = EXPLICIT} only. */
  int[] pad() default 0;

  /** Spacing between a window's taps (one value or {height, width}): 2 reads every other position; at least 1. */
  int[] dilation() default 1;

  Activation activation() default Activation.NONE;

  boolean bias() default true;

  /** {@link Init#DEFAULT} picks He for ReLU, Xavier otherwise; fan-in is {@code C·kh·kw}. */
  Init init() default Init.DEFAULT;
}
