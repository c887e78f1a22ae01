package io.kiln.processor.ir;

import io.kiln.processor.parse.ModelSpec;
import io.kiln.processor.parse.ValueType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model as a graph of typed ops in topological order (inputs first), with the nodes that are
 * computed: ancestors of the output (and the loss). Nodes nobody needs are dropped with a warning.
 *
 * @param output the node {@code forward} returns: the loss's input, or the single sink
 * @param loss the loss node, or null for an inference-only model
 * @param labelsType the element type of the loss's labels (null without a loss)
 */
public record Graph(ModelSpec spec, List<Node> order, Node output, Node loss, ValueType labelsType) {
  public Graph {
    order = List.copyOf(order);
  }

  public Node node(String name) {
    for (Node n : order) {
      if (n.name().equals(name)) {
        return n;
      }
    }
    throw new IllegalArgumentException("no node " + name);
  }

  /** The node whose memory {@code name} shares: itself, or for a view ({@code @Flatten}) the root of its input. */
  public String viewRoot(String name) {
    Node n = node(name);
    while (n.layer().isView()) {
      n = node(n.input());
    }
    return n.name();
  }

  /** The {@code @Input} nodes in declaration order: the parameters of {@code forward}. */
  public List<Node> inputs() {
    return order.stream().filter(Node::isInput).toList();
  }

  /** Nodes by name, in topological order. */
  public Map<String, Node> byName() {
    Map<String, Node> map = new LinkedHashMap<>();
    order.forEach(n -> map.put(n.name(), n));
    return map;
  }

  /** The nodes that read {@code name}. */
  public List<Node> consumers(String name) {
    return order.stream().filter(n -> n.inputs().contains(name)).toList();
  }
}
