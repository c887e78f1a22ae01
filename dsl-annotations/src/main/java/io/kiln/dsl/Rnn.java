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

  /**
   * PyTorch's {@code bidirectional = True}: a second layer with its own weights (PyTorch's names with
   * {@code _reverse}, e.g. {@code weight_ih_l0_reverse}) reads the sequence from step {@code steps - 1}
   * back to step 0, and the output is both directions' side by side: {@code [B, T, 2·units]}, or with
   * {@code returnSequences = false} {@code [B, 2·units]}, the forward layer's last state then the
   * reverse layer's state after step 0 (PyTorch's {@code cat([h_n[0], h_n[1]], -1)}). Every step's output
   * depends on the whole sequence, so it cannot read an {@code @Tokens(decoded = true)} input, start from
   * an {@code @InitialState} or be one.
   */
  boolean bidirectional() default false;
}
