package io.kiln.processor.grad;

import io.kiln.processor.shape.ShapedGraph;
import java.util.List;
import java.util.Set;

/**
 * The backward pass in execution order (reverse topological), plus which forward activations it
 * reads: only those are kept alive for backward.
 *
 * @param gradientNodes the nodes whose output gradient is computed
 * @param saved forward activations the backward steps read
 */
public record BackwardGraph(ShapedGraph forward, List<BackwardOp> ops, Set<String> gradientNodes, Set<String> saved) {
  public BackwardGraph {
    ops = List.copyOf(ops);
    gradientNodes = Set.copyOf(gradientNodes);
    saved = Set.copyOf(saved);
  }
}
