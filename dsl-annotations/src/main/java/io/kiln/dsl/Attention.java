package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Encoder–decoder attention over two sequences: {@code query(Tensor decoder, Tensor encoder)}
 * scores every decoder state {@code s_t} ({@code [B, T, n]}) against every encoder state
 * {@code h_j} ({@code [B, T, n]}), {@code α_t = softmax_j(score(s_t, h_j))}, and returns the
 * context {@code c_t = Σ_j α_tj h_j} ({@code [B, T, n]}). The encoder states are both keys and
 * values. Combine the context with the decoder state with {@link Concat} and a {@link Dense}
 * layer: {@code softmax(W[s_t; c_t] + b)}.
 *
 * <pre>
 * {@literal @}Attention(score = Score.DOT) abstract Tensor context(Tensor decoder, Tensor encoder);
 * {@literal @}Concat abstract Tensor joined(Tensor decoder, Tensor context);
 * {@literal @}Dense(units = 32) abstract Tensor logits(Tensor joined);
 * </pre>
 *
 * The weights {@code α} of the last call are available from the generated class's
 * {@code attentionWeights(node)}, e.g. for a heat map.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Attention {
  /** The score function; {@link Score#DOT} has no weights. */
  Score score() default Score.DOT;

  /** The hidden width {@code a} of an {@link Score#ADDITIVE} score; 0 means the state width. */
  int units() default 0;
}
