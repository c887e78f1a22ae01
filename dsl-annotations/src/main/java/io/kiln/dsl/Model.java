package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a network. The annotated class must be abstract, top-level or static nested; each of
 * its abstract methods is a node, and each method parameter names the node it reads.
 *
 * <p>The Kiln annotation processor writes a final class {@code Kiln<Name>} beside it with a typed
 * API: {@code create(seed)}, {@code forward}, {@code trainStep}, parameters by name, save/load.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Model {
  /** The largest batch a call may pass; memory for activations is planned for it at build time. */
  int maxBatch() default 64;
}
