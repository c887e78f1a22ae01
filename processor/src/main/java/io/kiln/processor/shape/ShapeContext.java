package io.kiln.processor.shape;

import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import java.util.Map;

/**
 * What a layer family's shape rule sees: the report its errors go to, the graph, and the shapes
 * inferred so far (a node's inputs come before it, so theirs are known).
 */
public record ShapeContext(Report report, Graph graph, Map<String, Shape> shapes) {
  /** The shape of the node's first input. */
  public Shape input(Node node) {
    return shapes.get(node.input());
  }

  /** The shape of the node's input number {@code index}. */
  public Shape input(Node node, int index) {
    return shapes.get(node.inputs().get(index));
  }

  /** The shape of {@code node}, or null when it is broken (already reported) or not yet inferred. */
  public Shape of(Node node) {
    return shapes.get(node.name());
  }
}
