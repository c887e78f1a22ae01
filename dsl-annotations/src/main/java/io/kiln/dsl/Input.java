package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A model input of floats. {@link #shape()} is one sample's shape without the batch dimension,
 * e.g. {@code {784}} for a flattened image or {@code {1, 28, 28}} for a channel-first one.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Input {
  /** One sample's shape, batch excluded; every entry must be positive. */
  int[] shape();
}
