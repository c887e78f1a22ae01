package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Adds a learned vector per position to a sequence {@code [B, T, d]}: {@code y_t = x_t + P_t},
 * with {@code weight [maxLength, d]} (the longest sequence the model is declared for), initialized
 * to zeros as in the tiny GPT of the reference notes.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface PositionEmbedding {}
