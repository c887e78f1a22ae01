package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The training objective. The method takes the node it scores and one {@link Labels} parameter:
 * {@code @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor logits, @Labels IntTensor label);}
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Loss {
  /** {@link #ignoreIndex()}'s default: no label is ignored. */
  int NO_IGNORE = Integer.MIN_VALUE;

  LossKind value();

  /**
   * For {@link LossKind#SOFTMAX_CROSS_ENTROPY}: positions whose label is this value (e.g. padding)
   * contribute neither loss nor gradient, and the mean is over the other positions.
   */
  int ignoreIndex() default NO_IGNORE;
}
