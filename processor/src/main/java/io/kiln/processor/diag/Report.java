package io.kiln.processor.diag;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the diagnostics of one model across all passes (Dagger's ValidationReport): every
 * independent error is reported in one build, and a pass runs only if the passes before it were
 * clean.
 */
public final class Report {
  private final List<Diagnostic> diagnostics = new ArrayList<>();

  public void error(ErrorId id, SourceRef ref, String attribute, String message) {
    diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, id, message, ref, attribute));
  }

  public void error(ErrorId id, SourceRef ref, String message) {
    error(id, ref, null, message);
  }

  public void warning(ErrorId id, SourceRef ref, String message) {
    warning(id, ref, null, message);
  }

  public void warning(ErrorId id, SourceRef ref, String attribute, String message) {
    diagnostics.add(new Diagnostic(Diagnostic.Severity.WARNING, id, message, ref, attribute));
  }

  /** Adds a diagnostic another report collected (a pass that reports only after seeing all its findings). */
  public void add(Diagnostic diagnostic) {
    diagnostics.add(diagnostic);
  }

  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
  }

  public List<Diagnostic> diagnostics() {
    return List.copyOf(diagnostics);
  }
}
