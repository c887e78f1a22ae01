package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Inverted dropout: while training, zeroes each element with probability {@link #rate()} and scales
 * the rest by {@code 1/(1 − rate)}; {@code forward} and {@code predict} pass values through. Masks
 * are drawn from the model's seeded generator, so runs repeat exactly.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Dropout {
  /** In [0, 1). */
  double rate();
}
