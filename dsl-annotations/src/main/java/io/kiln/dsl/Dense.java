package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fully connected layer {@code y = f(x·Wᵀ + b)} over a vector per sample ({@code [B, in]} to
 * {@code [B, units]}). The weight is stored as PyTorch's {@code nn.Linear} stores it:
 * {@code weight [units, in]}, {@code bias [units]}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Dense {
  /** Output features per sample; must be positive. */
  int units();

  /** Applied after the bias; fused into the same kernel call as the matrix product. */
  Activation activation() default Activation.NONE;

  /** Whether the layer adds a learned bias. */
  boolean bias() default true;

  /** How the weight is initialized; {@link Init#DEFAULT} picks He for ReLU, Xavier otherwise. */
  Init init() default Init.DEFAULT;
}
