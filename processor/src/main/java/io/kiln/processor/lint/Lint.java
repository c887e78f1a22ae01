package io.kiln.processor.lint;

import io.kiln.processor.diag.Report;
import io.kiln.processor.shape.ShapedGraph;
import java.util.List;

/**
 * A check for a declaration that compiles but is very likely not what its author meant. Lints
 * report warnings, never errors; each has its own id, which {@code @SuppressWarnings} takes.
 */
public interface Lint {
  void check(ShapedGraph graph, Report report);

  /** Every lint, in the order their warnings appear. */
  List<Lint> ALL = List.of(new DoubleActivation(), new KerasMomentum(), new ChannelsLast());

  static void checkAll(ShapedGraph graph, Report report) {
    ALL.forEach(lint -> lint.check(graph, report));
  }
}
