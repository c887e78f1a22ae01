package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A model input of floats. {@link #shape()} is one sample's shape without the batch dimension,
 * e.g. {@code {784}} for a flattened image or {@code {1, 28, 28}} for a channel-first one.
 *
 * <p>With a {@link #maxLength()}, the input is a sequence of float frames (sensor readings, audio
 * features): {@code [B, T, ...shape]} with the time axis right after the batch, as PyTorch's
 * {@code batch_first = true}. T is given per call ({@code steps}, at most {@code maxLength}), as
 * for {@link Tokens}; {@code shape} is then one step's shape, e.g. {@code @Input(shape = {4},
 * maxLength = 50)} for up to 50 frames of 4 features, which {@link Rnn}, {@link Lstm}, {@link Gru}
 * and a per-step {@link Dense} read.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Input {
  /** One sample's shape, batch excluded; every entry must be positive. */
  int[] shape();

  /**
   * The longest sequence a call may pass, which makes the input a sequence with a time axis; 0
   * (the default) for an input without one.
   */
  int maxLength() default 0;
}
