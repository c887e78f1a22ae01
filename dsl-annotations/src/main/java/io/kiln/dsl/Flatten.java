package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Views each sample as one vector in row-major order ({@code [B, c, h, w]} to
 * {@code [B, c·h·w]}). Costs nothing at run time: the flattened node shares its input's memory.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Flatten {}
