package io.kiln.processor.lint;

import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Node;
import io.kiln.processor.registry.Families;
import io.kiln.processor.shape.ShapedGraph;

/**
 * The lint pass: asks each node's definition, in graph order, for warnings about a declaration
 * that compiles but is very likely not what its author meant. Lints report warnings, never
 * errors; each has its own id, which {@code @SuppressWarnings} takes.
 */
public final class Lint {
  private Lint() {}

  public static void checkAll(ShapedGraph graph, Report report) {
    for (Node node : graph.graph().order()) {
      Families.of(node.layer()).lint(graph, report, node);
    }
  }
}
