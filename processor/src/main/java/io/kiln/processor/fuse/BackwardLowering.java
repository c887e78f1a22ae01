package io.kiln.processor.fuse;

import io.kiln.processor.grad.BackwardGraph;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapedGraph;
import java.util.ArrayList;
import java.util.List;

/**
 * Lowers the backward steps to kernel calls, handing each step to its family's lowering: the loss
 * gradient folds into the loss call, a convolution's weight, bias and input gradients are one
 * call, and identity steps vanish (NONE and STEP activations, a ReLU that runs in the max-pool
 * after it).
 */
final class BackwardLowering {
  private final ShapedGraph shaped;
  private final Buffers buffers;
  private final DenseLowering dense;
  private final ConvLowering conv;
  private final BatchNormDropoutLowering batchNormDropout;
  private final SequenceLowering sequence;
  private final AttentionLowering attention;
  private final JoinLowering join;
  /** The fused loss call, once {@link #lower} has met the loss gradient (null if nothing trains). */
  KernelCall.LossForward loss;

  BackwardLowering(ShapedGraph shaped, Buffers buffers, ForwardLowering forward) {
    this.shaped = shaped;
    this.buffers = buffers;
    this.dense = forward.dense;
    this.conv = forward.conv;
    this.batchNormDropout = forward.batchNormDropout;
    this.sequence = forward.sequence;
    this.attention = forward.attention;
    this.join = forward.join;
  }

  List<BackwardCall> lower(BackwardGraph backward, Buffer labels, int ignoreIndex, Shape scored) {
    Graph graph = shaped.graph();
    List<BackwardCall> back = new ArrayList<>();
    for (BackwardOp op : backward.ops()) {
      Node n = graph.node(op.node());
      List<String> covers = List.of(n.name());
      Buffer dy = buffers.gradient.get(n.name());
      switch (op) {
        case BackwardOp.LossGrad g -> loss = new KernelCall.LossForward(
            covers, g.kind(), buffers.activation.get(g.input()), labels, buffers.gradient.get(g.input()), scored.stepSize(), ignoreIndex);
        case BackwardOp.EmbeddingGrad e -> sequence.backward(n, e, dy, covers, back);
        case BackwardOp.RecurrentGrad r -> sequence.backward(n, r, dy, covers, back);
        case BackwardOp.ActivationGrad a -> dense.backward(n, a, dy, covers, back);
        case BackwardOp.BiasGrad b -> dense.backward(n, b, dy, covers, back);
        case BackwardOp.WeightGrad w -> dense.backward(n, w, dy, covers, back);
        case BackwardOp.InputGrad g -> dense.backward(n, g, dy, covers, back);
        case BackwardOp.ConvGrad c -> conv.backward(n, c, dy, covers, back);
        case BackwardOp.PoolGrad p -> conv.backward(n, p, dy, covers, back);
        case BackwardOp.DropoutGrad d -> batchNormDropout.backward(n, d, dy, covers, back);
        case BackwardOp.AttentionGrad a -> attention.backward(n, a, dy, covers, back);
        case BackwardOp.ConcatGrad c -> join.backward(n, c, dy, covers, back);
        case BackwardOp.AddGrad a -> join.backward(n, a, dy, covers, back);
        case BackwardOp.LayerNormGrad l -> attention.backward(n, l, dy, covers, back);
        case BackwardOp.MultiHeadGrad m -> attention.backward(n, m, dy, covers, back);
        case BackwardOp.PositionGrad p -> attention.backward(n, p, dy, covers, back);
        case BackwardOp.BatchNormGrad b -> batchNormDropout.backward(n, b, dy, covers, back);
      }
    }
    return back;
  }
}
