package io.kiln.processor.fuse;

/**
 * A tensor a kernel reads or writes, {@code perSample} floats per sample: a caller's array
 * ({@code INPUT}, {@code LABELS}) or a slice of the model's arena ({@code ACTIVATION},
 * {@code GRADIENT}), which the memory plan places.
 *
 * @param shape the shape with the batch, for comments and messages, e.g. {@code [B, 8]}
 * @param maxSteps for a sequence, the longest T memory is planned for; 0 otherwise
 */
public record Buffer(String name, Kind kind, int perSample, String shape, int maxSteps) {
  /** A buffer that is not a sequence. */
  public Buffer(String name, Kind kind, int perSample, String shape) {
    this(name, kind, perSample, shape, 0);
  }

  /** True for a sequence {@code [B, T, ...]} whose T is given per call. */
  public boolean isSequence() {
    return maxSteps > 0;
  }

  /** Elements per time step of a sequence (per sample otherwise). */
  public int perStep() {
    return isSequence() ? perSample / maxSteps : perSample;
  }

  public enum Kind {
    INPUT,
    /** A caller's {@code int[]} of token ids. */
    TOKENS,
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
