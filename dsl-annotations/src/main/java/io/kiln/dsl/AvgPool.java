package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The mean of each window per channel ({@code [B, C, H, W]} to {@code [B, C, OH, OW]},
 * {@code OH = (H − size) / stride + 1} rounded down per axis, no padding): {@code size = 2} is a
 * 2 × 2 window, {@code size = {2, 1}} two rows of one column (PyTorch's {@code kernel_size=(2, 1)}).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface AvgPool {
  /** The window: one size for both axes or {height, width} (PyTorch's {@code kernel_size=(2, 3)}). */
  int[] size();

  /** One value or {height, width}; defaults to {@link #size()}: windows that touch but do not overlap. */
  int[] stride() default 0;
}
