package io.kiln.processor.fuse;

import io.kiln.processor.grad.BackwardGraph;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapedGraph;
import java.util.HashMap;
import java.util.Map;

/**
 * The buffers the lowerings allocate, by node: each node's activation, each gradient slot (one per
 * view root, so a flatten's gradient is its input's), and the extra tensors a layer keeps for its
 * backward (a GELU's pre-activation, a recurrent layer's handed-over final state).
 */
public final class Buffers {
  public final Map<String, Buffer> activation = new HashMap<>();
  public final Map<String, Buffer> gradient = new HashMap<>();
  /** The pre-activation a GELU dense layer keeps for backward, by layer. */
  public final Map<String, Buffer> preActivation = new HashMap<>();
  /** A recurrent layer's handed-over final state {hT, cT (LSTM, else null)}, by layer. */
  public final Map<String, Buffer[]> finalState = new HashMap<>();

  /** A buffer for a tensor of {@code shape}, a sequence when the shape is. */
  public static Buffer of(String name, Buffer.Kind kind, Shape shape) {
    return new Buffer(name, kind, shape.size(), shape.withBatch(), shape.maxSteps());
  }

  /** Working memory of {@code floats} floats, described by {@code shape} in the generated comments. */
  public static Buffer scratch(String name, int floats, String shape) {
    return new Buffer(name, Buffer.Kind.SCRATCH, floats, shape);
  }

  /** One gradient slot per view root: a flatten's gradient is its input's. */
  public void allocateGradients(ShapedGraph shaped, BackwardGraph backward) {
    Graph graph = shaped.graph();
    for (String name : backward.gradientNodes()) {
      String root = graph.viewRoot(name);
      Shape s = shaped.shape(root);
      gradient.computeIfAbsent(root, r -> of("d_" + r, Buffer.Kind.GRADIENT, s));
      gradient.put(name, gradient.get(root));
    }
  }
}
