package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Adds a learned vector per position to a sequence {@code [B, T, d]}: {@code y_t = x_t + P_t},
 * with {@code weight [maxLength, d]}, initialized to zeros as in the tiny GPT of the reference notes.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface PositionEmbedding {
  /**
   * Positions the table holds (PyTorch's context length); 0 means the input's declared
   * {@code maxLength}. A longer input sequence is a build-time error.
   */
  int maxLength() default 0;
}
