package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An Elman recurrent layer {@code h_t = f(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh)} over a sequence
 * ({@code [B, T, F]} to {@code [B, T, units]}, or {@code [B, units]} with
 * {@code returnSequences = false}), weights as PyTorch's {@code nn.RNN}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Rnn {
  int units();

  /** {@link Activation#TANH} (the default) or {@link Activation#RELU}. */
  Activation activation() default Activation.TANH;

  boolean returnSequences() default true;

  boolean bias() default true;
}
