package io.kiln.processor.family.conv;

import io.kiln.dsl.Activation;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A rewrite: a convolution's ReLU whose only reader is a max-pool runs inside the pooling pass
 * (max commutes with the monotone ReLU, so maxpool(relu(x)) = relu(maxpool(x))), forward and
 * backward, so no separate activation pass runs.
 */
final class ReluIntoMaxPool {
  private ReluIntoMaxPool() {}

  /** The convolutions whose ReLU moves into the max-pool that reads them. */
  static Set<String> find(Graph graph) {
    Set<String> fused = new HashSet<>();
    for (Node n : graph.order()) {
      if (n.layer() instanceof Layer.Conv c && c.activation() == Activation.RELU) {
        List<Node> readers = graph.consumers(n.name());
        if (readers.size() == 1 && readers.get(0).layer() instanceof Layer.Pool p && p.max()) {
          fused.add(n.name());
        }
      }
    }
    return fused;
  }
}
