package io.kiln.processor.fuse;

/**
 * A tensor a kernel reads or writes, {@code perSample} floats per sample: a caller's array
 * ({@code INPUT}, {@code LABELS}) or a slice of the model's arena ({@code ACTIVATION},
 * {@code GRADIENT}), which the memory plan places.
 *
 * @param shape the shape with the batch, for comments and messages, e.g. {@code [B, 8]}
 */
public record Buffer(String name, Kind kind, int perSample, String shape) {
  public enum Kind {
    INPUT,
    LABELS,
    ACTIVATION,
    GRADIENT
  }

  public boolean inArena() {
    return kind == Kind.ACTIVATION || kind == Kind.GRADIENT;
  }
}
