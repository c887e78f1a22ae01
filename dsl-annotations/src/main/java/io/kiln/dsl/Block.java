package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a static nested class of a {@link Model} as a reusable sub-network: its node methods are
 * declared once and {@link Repeat} copies them. Exactly one method is the block's
 * {@link BlockInput}; the block's output is its single node that no other block node reads.
 *
 * <pre>
 * {@literal @}Block
 * abstract static class Layer {
 *   {@literal @}BlockInput abstract Tensor x();
 *   {@literal @}LayerNorm abstract Tensor norm1(Tensor x);
 *   {@literal @}MultiHeadAttention(heads = 4, causal = true) abstract Tensor self_attn(Tensor norm1);
 *   {@literal @}Add abstract Tensor r1(Tensor x, Tensor self_attn);
 *   ...
 * }
 * </pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Block {}
