package io.kiln.processor.grad;

import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import java.util.HashSet;
import java.util.Set;

/**
 * Which nodes a gradient must reach: those with learned parameters and those that read, as data,
 * a node that needs one. The loss's backward starts only if the node it scores is among them; the
 * grad pass and the lint that warns when it is not ask this one rule.
 */
public final class GradientFlow {
  private GradientFlow() {}

  /** The names of the nodes that need a gradient. */
  public static Set<String> needsGrad(Graph graph) {
    Set<String> needsGrad = new HashSet<>();
    for (Node n : graph.order()) {
      boolean hasParameters = n.layer().learns();
      boolean passesGradient = !n.isInput() && !n.isLoss() && n.dataInputs().stream().anyMatch(needsGrad::contains);
      if (hasParameters || passesGradient) {
        needsGrad.add(n.name());
      }
    }
    return needsGrad;
  }
}
