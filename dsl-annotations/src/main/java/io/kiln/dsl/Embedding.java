package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A lookup table from token ids to vectors ({@code [B, T]} ids to {@code [B, T, dim]}), stored as
 * PyTorch's {@code nn.Embedding}: {@code weight [vocab, dim]}, initialized {@code N(0, 1)}. An id
 * outside {@code [0, vocab)} is reported with its position.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Embedding {
  int vocab();

  int dim();

  /**
   * Another {@code @Embedding} node whose table this one uses instead of its own (PyTorch: one
   * {@code nn.Embedding} applied to two inputs, e.g. a seq2seq model's source and target). Both
   * must declare the same {@code vocab} and {@code dim}; gradients from both add up.
   */
  String shares() default "";
}
