package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Applies a {@link Block} {@link #times()} times in a row: {@code b(Tensor x)} feeds {@code x} to
 * the first copy, each copy's output to the next, and is the last copy's output. Copy i's nodes
 * are named {@code b.i.<node>} (PyTorch's {@code nn.ModuleList} names, so weights move both ways),
 * e.g. {@code b.0.self_attn.in_proj_weight}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Repeat {
  /** The {@code @Block} class to copy; a static nested class of the model. */
  Class<?> block();

  /** How many copies; at least 1. */
  int times();
}
