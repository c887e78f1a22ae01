package io.kiln.processor.pass;

import io.kiln.processor.grad.BackwardGraph;
import io.kiln.processor.grad.DerivationContext;
import io.kiln.processor.grad.GradientFlow;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.registry.Families;
import io.kiln.processor.shape.ShapedGraph;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The grad pass: walks the graph from the loss back to the inputs and asks each node's layer
 * family for its backward rule. Gradients flow only into nodes that lead back to a parameter; a
 * view ({@code @Flatten}) passes its gradient through unchanged, so its input's gradient is its own.
 */
public final class BackwardDerivation {

  /** Returns the backward graph, or null for a model without a loss (inference only). */
  public BackwardGraph derive(ShapedGraph shaped) {
    Graph graph = shaped.graph();
    Node loss = graph.loss();
    if (loss == null) {
      return null;
    }
    Set<String> needsGrad = GradientFlow.needsGrad(graph);
    Set<String> saved = new LinkedHashSet<>();
    DerivationContext context = new DerivationContext(graph, needsGrad, new HashSet<>(), saved);
    List<Node> reversed = new ArrayList<>(graph.order());
    java.util.Collections.reverse(reversed);
    for (Node n : reversed) {
      Families.of(n.layer()).derive(context, n);
    }
    return new BackwardGraph(shaped, context.ops(), needsGrad, saved);
  }
}
