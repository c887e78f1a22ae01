package io.kiln.processor.registry;

import io.kiln.processor.family.attention.AttentionFamily;
import io.kiln.processor.family.conv.ConvFamily;
import io.kiln.processor.family.dense.DenseFamily;
import io.kiln.processor.family.join.JoinFamily;
import io.kiln.processor.family.norm.NormFamily;
import io.kiln.processor.family.sequence.SequenceFamily;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.ir.Node;
import java.util.List;

/**
 * Hands each backward step to the lowering of the family whose rule derived it. The switch is
 * exhaustive over the sealed {@link BackwardOp}, so a new step does not compile until it is lowered.
 */
public final class BackwardSteps {
  private BackwardSteps() {}

  /** Lowers {@code op}, the step of node {@code n} whose output gradient is {@code dy}, appending to {@code back}. */
  public static void lower(LoweringContext c, BackwardOp op, Node n, Buffer dy, List<String> covers, List<BackwardCall> back) {
    switch (op) {
      case BackwardOp.LossGrad g -> c.lossGradient(g.input());
      case BackwardOp.EmbeddingGrad e -> SequenceFamily.lowering(c).backward(n, e, dy, covers, back);
      case BackwardOp.RecurrentGrad r -> SequenceFamily.lowering(c).backward(n, r, dy, covers, back);
      case BackwardOp.ActivationGrad a -> DenseFamily.lowering(c).backward(n, a, dy, covers, back);
      case BackwardOp.BiasGrad b -> DenseFamily.lowering(c).backward(n, b, dy, covers, back);
      case BackwardOp.WeightGrad w -> DenseFamily.lowering(c).backward(n, w, dy, covers, back);
      case BackwardOp.InputGrad g -> DenseFamily.lowering(c).backward(n, g, dy, covers, back);
      case BackwardOp.ConvGrad cg -> ConvFamily.lowering(c).backward(n, cg, dy, covers, back);
      case BackwardOp.PoolGrad p -> ConvFamily.lowering(c).backward(n, p, dy, covers, back);
      case BackwardOp.DropoutGrad d -> NormFamily.lowering(c).backward(n, d, dy, covers, back);
      case BackwardOp.BatchNormGrad b -> NormFamily.lowering(c).backward(n, b, dy, covers, back);
      case BackwardOp.AttentionGrad a -> AttentionFamily.lowering(c).backward(n, a, dy, covers, back);
      case BackwardOp.LayerNormGrad l -> AttentionFamily.lowering(c).backward(n, l, dy, covers, back);
      case BackwardOp.MultiHeadGrad m -> AttentionFamily.lowering(c).backward(n, m, dy, covers, back);
      case BackwardOp.PositionGrad p -> AttentionFamily.lowering(c).backward(n, p, dy, covers, back);
      case BackwardOp.ConcatGrad cg -> JoinFamily.lowering(c).backward(n, cg, dy, covers, back);
      case BackwardOp.AddGrad a -> JoinFamily.lowering(c).backward(n, a, dy, covers, back);
    }
  }
}
