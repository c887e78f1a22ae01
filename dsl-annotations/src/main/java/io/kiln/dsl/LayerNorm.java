package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Layer normalization over the last axis, as PyTorch's {@code nn.LayerNorm(n, eps)}:
 * {@code y = (x − mean) / √(var + ε) · weight + bias} per sample (per step of a sequence), with the
 * biased variance; {@code weight} starts at ones and {@code bias} at zeros.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface LayerNorm {
  /** Added to the variance; positive. */
  double epsilon() default 1e-5;
}
