package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Multi-head self-attention over a sequence {@code [B, T, d]}, as PyTorch's
 * {@code nn.MultiheadAttention(d, heads, batch_first=True)}: {@code Q, K, V = x·W_qᵀ, x·W_kᵀ,
 * x·W_vᵀ} (+ biases, stored together as {@code in_proj_weight [3d, d]} and
 * {@code in_proj_bias [3d]}), per head {@code softmax(QKᵀ/√d_k)V}, then the output projection
 * {@code out_proj.weight [d, d]}, {@code out_proj.bias [d]}. Scores, mask, softmax and the
 * weighted sum run in one pass with a running maximum: no {@code T×T} matrix is stored.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface MultiHeadAttention {
  /** Heads; must divide the model width d. */
  int heads();

  /** Whether position t sees only positions ≤ t (a decoder, a language model). */
  boolean causal() default false;
}
