package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The mean of each channel over all its positions: {@code [B, C, T]} to {@code [B, C, 1]}
 * (PyTorch's {@code nn.AdaptiveAvgPool1d(1)}) or {@code [B, C, H, W]} to {@code [B, C, 1, 1]}
 * ({@code nn.AdaptiveAvgPool2d(1)}); follow it with {@link Flatten} to get {@code [B, C]}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface GlobalAvgPool {}
