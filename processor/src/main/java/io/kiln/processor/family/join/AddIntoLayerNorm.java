package io.kiln.processor.family.join;

import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import java.util.HashMap;
import java.util.Map;

/**
 * A rewrite: a two-input add that a layer norm reads runs in the same pass as that layer norm
 * ({@code y = LN(x + r)}, the sum kept for its other readers), the residual pattern of every
 * Transformer block.
 */
final class AddIntoLayerNorm {
  private AddIntoLayerNorm() {}

  /** Adds that a layer norm reads, each mapped to its first layer-norm reader. */
  static Map<String, Node> find(Graph graph) {
    Map<String, Node> fused = new HashMap<>();
    for (Node n : graph.order()) {
      if (n.layer() instanceof Layer.Add && n.inputs().size() == 2) {
        graph.consumers(n.name()).stream().filter(c -> c.layer() instanceof Layer.LayerNorm).findFirst()
            .ifPresent(norm -> fused.put(n.name(), norm));
      }
    }
    return fused;
  }
}
