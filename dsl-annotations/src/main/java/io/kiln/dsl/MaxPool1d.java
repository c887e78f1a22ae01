package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The maximum of each window of {@code size} steps along T, per channel ({@code [B, C, T]} to
 * {@code [B, C, OT]}, PyTorch's {@code nn.MaxPool1d}), {@code OT = (T − size) / stride + 1} rounded
 * down, no padding.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface MaxPool1d {
  /** The window's length along T ({@code kernel_size}). */
  int size();

  /** Defaults to {@link #size()}: windows that touch but do not overlap. */
  int stride() default 0;
}
