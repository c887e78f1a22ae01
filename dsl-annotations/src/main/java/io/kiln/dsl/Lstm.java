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
}
