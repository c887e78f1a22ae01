package io.kiln.processor.diag;

/**
 * An opaque handle to a place in the user's source (a model class, a node method or one of its
 * parameters). The parse pass hands them out; later passes attach them to diagnostics without
 * knowing javac, and the processor maps them back to elements.
 */
public record SourceRef(int id) {
  /** For specs built in unit tests, where there is no source. */
  public static final SourceRef NONE = new SourceRef(-1);
}
