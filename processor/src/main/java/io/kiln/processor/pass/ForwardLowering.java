package io.kiln.processor.pass;

import io.kiln.processor.fuse.Buffers;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.fuse.Parameters;
import io.kiln.processor.ir.Node;
import io.kiln.processor.registry.Families;
import java.util.List;

/**
 * Lowers the forward nodes to kernel calls in program order, handing each node to its layer
 * family's definition (whose lowering also holds that family's backward). Inputs and views produce
 * no call. Parameters are named and initialized by {@link Parameters}, buffers allocated by
 * {@link Buffers}.
 */
final class ForwardLowering {
  private final LoweringContext context;

  ForwardLowering(LoweringContext context) {
    this.context = context;
  }

  List<ForwardCall> lower() {
    for (Node n : context.shaped.graph().order()) {
      if (context.forwardCalls.containsKey(n.name())) {
        continue; // computed with an earlier node (a layer norm fused with the add it reads)
      }
      Families.of(n.layer()).lower(context, n);
    }
    return context.program();
  }
}
