package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Joins its inputs along the feature axis: {@code [B, (T,) n₁]} and {@code [B, (T,) n₂]} to
 * {@code [B, (T,) n₁ + n₂]}, in parameter order (PyTorch's {@code torch.cat([a, b], -1)}). All
 * inputs must be vectors per sample or per step, and all sequences or none.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Concat {}
