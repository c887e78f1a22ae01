package io.kiln.processor.diag;

import java.util.Objects;

/**
 * One finding: what is wrong, where ({@code ref}, and the annotation attribute at fault when one
 * is, so an IDE underlines that token), and its stable id.
 */
public record Diagnostic(Severity severity, ErrorId id, String message, SourceRef ref, String attribute) {
  /** Errors stop code generation; warnings do not. */
  public enum Severity {
    ERROR,
    WARNING
  }

  public Diagnostic {
    Objects.requireNonNull(severity);
    Objects.requireNonNull(id);
    Objects.requireNonNull(message);
    Objects.requireNonNull(ref);
  }

  /** The text javac shows: the id in brackets, then the message. */
  public String text() {
    return "[" + id.code() + "] " + message;
  }
}
