package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A gated recurrent unit layer over a sequence ({@code [B, T, F]} to {@code [B, T, units]}, or
 * {@code [B, units]} with {@code returnSequences = false}), with PyTorch's {@code nn.GRU} equations,
 * weights ({@code weight_ih [3·units, F]}, {@code weight_hh [3·units, units]}, biases; gates r, z, n)
 * and initialization {@code U(±1/√units)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Gru {
  /** Hidden (and output) features; at least 1. */
  int units();

  /** Every step's hidden state ({@code [B, T, units]}), or only the last one ({@code [B, units]}). */
  boolean returnSequences() default true;

  /** Whether the layer has {@code bias_ih} and {@code bias_hh}. */
  boolean bias() default true;
}
