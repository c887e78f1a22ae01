package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A long short-term memory layer over a sequence ({@code [B, T, F]} to {@code [B, T, units]}, or
 * {@code [B, units]} with {@code returnSequences = false}): forget, input, candidate and output gates,
 * {@code c_t = f⊙c_{t−1} + i⊙g}, {@code h_t = o⊙tanh(c_t)}. Weights as PyTorch's {@code nn.LSTM}
 * ({@code weight_ih [4·units, F]}, {@code weight_hh [4·units, units]}, {@code bias_ih}, {@code bias_hh},
 * gates i, f, g, o), initialized {@code U(±1/√units)} like PyTorch.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Lstm {
  /** Hidden (and output) features; at least 1. */
  int units();

  /** Every step's hidden state ({@code [B, T, units]}), or only the last one ({@code [B, units]}). */
  boolean returnSequences() default true;

  /** Whether the layer has {@code bias_ih} and {@code bias_hh}. */
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
