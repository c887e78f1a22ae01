package io.kiln.processor.pass;

import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.grad.BackwardGraph;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.ir.Node;
import io.kiln.processor.registry.BackwardSteps;
import java.util.ArrayList;
import java.util.List;

/**
 * Lowers the backward steps to kernel calls, handing each step to its layer family's lowering: the
 * loss gradient folds into the loss call, a convolution's weight, bias and input gradients are one
 * call, and identity steps vanish (NONE and STEP activations, a ReLU that runs in the max-pool
 * after it).
 */
final class BackwardLowering {
  private final LoweringContext context;

  BackwardLowering(LoweringContext context) {
    this.context = context;
  }

  List<BackwardCall> lower(BackwardGraph backward) {
    List<BackwardCall> back = new ArrayList<>();
    for (BackwardOp op : backward.ops()) {
      Node n = context.shaped.graph().node(op.node());
      BackwardSteps.lower(context, op, n, context.buffers.gradient.get(n.name()), List.of(n.name()), back);
    }
    return back;
  }
}
