package io.kiln.processor.fuse;

/**
 * A backward call that rewrites a gradient in place (an activation's derivative): it reads and
 * writes the same buffer, yet unlike a call that adds to a gradient, it consumes it, so every
 * contribution to that gradient has been accumulated before it runs.
 */
public interface RewritesGradient {}
