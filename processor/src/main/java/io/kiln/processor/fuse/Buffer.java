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
    GRADIENT,
    /** Working memory of one kernel call or one step, not per sample: {@code perSample} is its whole size. */
    SCRATCH
  }

  public boolean inArena() {
    return kind == Kind.ACTIVATION || kind == Kind.GRADIENT || kind == Kind.SCRATCH;
  }

  /** Floats needed at {@code maxBatch}. */
  public long floats(int maxBatch) {
    return kind == Kind.SCRATCH ? perSample : (long) perSample * maxBatch;
  }
}
