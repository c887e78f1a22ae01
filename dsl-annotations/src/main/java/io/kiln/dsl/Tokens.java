package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A model input of token ids: each sample is a sequence of {@code T ≤ maxLength} ints
 * ({@code [B, T]}); T is given per call, memory is planned for {@link #maxLength()}. The method
 * returns {@code IntTensor}; an {@link Embedding} turns the ids into vectors.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Tokens {
  /** The longest sequence a call may pass; at least 1. */
  int maxLength();

  /**
   * Marks the decoder input of a sequence-to-sequence model or the text of a language model: the
   * generated class's {@code greedyDecode} feeds the prediction at step t back as token t + 1.
   */
  boolean decoded() default false;
}
