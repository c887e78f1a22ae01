package io.kiln.processor.fuse;

import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapedGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers the forward nodes to kernel calls in program order, handing each node to its family's
 * lowering (which also holds that family's backward). Inputs and views produce no call. Parameters
 * are named and initialized by {@link Parameters}, buffers allocated by {@link Buffers}.
 */
final class ForwardLowering {
  private final ShapedGraph shaped;
  private final Buffers buffers;
  /** The forward call that computes each node (a fused call appears under each node it covers). */
  final Map<String, ForwardCall> forwardCalls = new HashMap<>();
  /** The caller's input arrays, in declaration order. */
  final List<Buffer> inputs = new ArrayList<>();
  /** The convolutions whose ReLU runs in the max-pool after them. */
  final Set<String> reluIntoPool;
  final DenseLowering dense;
  final ConvLowering conv;
  final BatchNormDropoutLowering batchNormDropout;
  final SequenceLowering sequence;
  final AttentionLowering attention;
  final JoinLowering join;

  ForwardLowering(ShapedGraph shaped, Parameters parameters, Buffers buffers) {
    this.shaped = shaped;
    this.buffers = buffers;
    this.reluIntoPool = ReluIntoMaxPool.find(shaped.graph());
    this.dense = new DenseLowering(shaped, parameters, buffers, forwardCalls, reluIntoPool);
    this.conv = new ConvLowering(shaped, parameters, buffers, forwardCalls, reluIntoPool);
    this.batchNormDropout = new BatchNormDropoutLowering(shaped, parameters, buffers, forwardCalls, reluIntoPool);
    this.sequence = new SequenceLowering(shaped, parameters, buffers, forwardCalls, reluIntoPool);
    this.attention = new AttentionLowering(shaped, parameters, buffers, forwardCalls, reluIntoPool);
    this.join = new JoinLowering(shaped, parameters, buffers, forwardCalls, reluIntoPool, attention);
  }

  List<ForwardCall> lower() {
    Graph graph = shaped.graph();
    List<ForwardCall> forward = new ArrayList<>();
    for (Node n : graph.order()) {
      if (forwardCalls.containsKey(n.name())) {
        continue; // computed with an earlier node (a layer norm fused with the add it reads)
      }
      Shape shape = shaped.shape(n);
      Buffer out = n.isLoss() ? null : Buffers.of(n.name(), Buffer.Kind.ACTIVATION, shape);
      ForwardCall call = switch (n.layer()) {
        case Layer.Input in -> {
          out = Buffers.of(n.name(), Buffer.Kind.INPUT, shape);
          inputs.add(out);
          yield null;
        }
        case Layer.Tokens tokens -> {
          out = Buffers.of(n.name(), Buffer.Kind.TOKENS, shape);
          inputs.add(out);
          yield null;
        }
        case Layer.Embedding e -> sequence.forward(n, e, shape, out);
        case Layer.Recurrent r -> sequence.forward(n, r, shape, out);
        case Layer.Flatten f -> {
          out = buffers.activation.get(n.input());
          yield null;
        }
        case Layer.Dense d -> dense.forward(n, d, shape, out, forward);
        case Layer.Attention a -> attention.forward(n, a, shape, out);
        case Layer.Concat c -> join.forward(n, c, shape, out);
        case Layer.Add a -> join.forward(n, a, shape, out);
        case Layer.LayerNorm l -> attention.forward(n, l, shape, out);
        case Layer.MultiHeadAttention m -> attention.forward(n, m, shape, out);
        case Layer.PositionEmbedding p -> attention.forward(n, p, shape, out);
        case Layer.Conv c -> conv.forward(n, c, shape, out);
        case Layer.Pool p -> conv.forward(n, p, shape, out);
        case Layer.Dropout d -> batchNormDropout.forward(n, d, shape, out);
        case Layer.BatchNorm b -> batchNormDropout.forward(n, b, shape, out);
        case Layer.Loss l -> null;
      };
      if (out != null) {
        buffers.activation.put(n.name(), out);
      }
      if (call != null) {
        forward.add(call);
        forwardCalls.put(n.name(), call);
      }
    }
    return forward;
  }
}
