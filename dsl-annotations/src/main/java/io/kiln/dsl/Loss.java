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
  LossKind value();
}
