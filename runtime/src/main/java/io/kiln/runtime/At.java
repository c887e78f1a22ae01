package io.kiln.runtime;

/**
 * Where a tensor lives: an array and the offset of its first float; {@link #NONE} for an absent
 * one. Layer objects ({@code Conv2d}, {@code RecurrentLayer}, ...) are built once from these, so a
 * training step's calls name no arrays or offsets.
 */
public record At(float[] array, int offset) {
  public static final At NONE = new At(null, 0);

  /** Whether this names a tensor (not {@link #NONE}). */
  public boolean present() {
    return array != null;
  }
}
