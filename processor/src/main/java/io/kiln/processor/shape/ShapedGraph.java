package io.kiln.processor.shape;

import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import java.util.Map;

/** The graph with every node's per-sample shape: the output of shape inference. */
public record ShapedGraph(Graph graph, Map<String, Shape> shapes) {
  public ShapedGraph {
    shapes = Map.copyOf(shapes);
  }

  public Shape shape(Node node) {
    return shapes.get(node.name());
  }

  public Shape shape(String node) {
    return shapes.get(node);
  }

  /** The shape of the loss's labels per sample: {@code []} for class indices, else the scored node's. */
  public Shape labelsShape() {
    Node loss = graph.loss();
    if (loss == null) {
      return null;
    }
    Shape scored = shape(loss.input());
    if (graph.labelsType() != io.kiln.processor.parse.ValueType.INT_TENSOR) {
      return scored;
    }
    return scored.isSequence() ? Shape.sequence(scored.maxSteps()) : Shape.of();
  }
}
