package io.kiln.processor.shape;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One sample's shape (the batch dimension excluded); a loss is the scalar shape {@code []}. A
 * sequence has a leading time axis of dynamic length {@code T ≤ maxSteps}: {@code dims} are then
 * one step's dimensions, and sizes count {@code maxSteps} steps (what memory is planned for).
 */
public record Shape(int[] dims, int maxSteps) {
  public Shape {
    dims = dims.clone();
  }

  public static Shape of(int... dims) {
    return new Shape(dims, 0);
  }

  /** A sequence of up to {@code maxSteps} steps, each of shape {@code stepDims}. */
  public static Shape sequence(int maxSteps, int... stepDims) {
    return new Shape(stepDims, maxSteps);
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  public boolean isSequence() {
    return maxSteps > 0;
  }

  /** Rank of one step (of the whole sample when not a sequence). */
  public int rank() {
    return dims.length;
  }

  public int dim(int i) {
    return dims[i];
  }

  /** Elements of one step (of the whole sample when not a sequence). */
  public int stepSize() {
    int s = 1;
    for (int d : dims) {
      s = Math.multiplyExact(s, d);
    }
    return s;
  }

  /** Elements per sample, at the longest sequence. */
  public int size() {
    return isSequence() ? Math.multiplyExact(maxSteps, stepSize()) : stepSize();
  }

  /** The same kind of shape (sequence or not) with other per-step dims. */
  public Shape withDims(int... newDims) {
    return new Shape(newDims, maxSteps);
  }

  /** As users see it in messages: with the batch, e.g. {@code [B, 16, 5, 5]} or {@code [B, T, 64]}. */
  public String withBatch() {
    return "[B" + (isSequence() ? ", T" : "") + Arrays.stream(dims).mapToObj(d -> ", " + d).collect(Collectors.joining()) + "]";
  }

  /**
   * Two shapes as messages show them, with the sequences' maximum lengths ({@code [B, T ≤ 8, 4]})
   * when those are all that differs, so a message never shows two different shapes alike.
   */
  public static String[] distinguish(Shape a, Shape b) {
    boolean alike = a.withBatch().equals(b.withBatch()) && !a.equals(b);
    return new String[] {alike ? a.withMaxLength() : a.withBatch(), alike ? b.withMaxLength() : b.withBatch()};
  }

  private String withMaxLength() {
    return "[B" + (isSequence() ? ", T ≤ " + maxSteps : "") + Arrays.stream(dims).mapToObj(d -> ", " + d).collect(Collectors.joining()) + "]";
  }

  /** Without the batch, e.g. {@code [16, 5, 5]} or {@code [T, 64]}. */
  @Override
  public String toString() {
    return "[" + (isSequence() ? "T" + (dims.length > 0 ? ", " : "") : "")
        + Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims) && maxSteps == s.maxSteps;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims) * 31 + maxSteps;
  }
}
