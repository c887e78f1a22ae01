package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Batch normalization per channel ({@code [B, C, H, W]}, like PyTorch's {@code BatchNorm2d}) or per
 * feature ({@code [B, n]}, {@code BatchNorm1d}). Training steps normalize with the batch's statistics
 * and update the running ones; {@code forward} and {@code predict} use the running statistics.
 * Parameters {@code weight [C]} (γ, starts at 1) and {@code bias [C]} (β, starts at 0); buffers
 * {@code running_mean} and {@code running_var}, saved with the weights.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface BatchNorm {
  /** Weight of the newest batch in the running statistics, as in PyTorch; in (0, 1]. */
  double momentum() default 0.1;

  /** Added to the variance before the square root; positive. */
  double epsilon() default 1e-5;
}
