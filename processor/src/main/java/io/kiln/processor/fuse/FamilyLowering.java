package io.kiln.processor.fuse;

import io.kiln.processor.shape.ShapedGraph;
import java.util.Map;

/**
 * What the lowerings of every layer family share: the shapes, the parameter and buffer tables and
 * the forward call of each node (its backward reads what the forward kept).
 */
public abstract class FamilyLowering {
  protected final LoweringContext context;
  protected final ShapedGraph shaped;
  protected final Parameters parameters;
  protected final Buffers buffers;
  protected final Map<String, ForwardCall> forwardCalls;

  protected FamilyLowering(LoweringContext context) {
    this.context = context;
    this.shaped = context.shaped;
    this.parameters = context.parameters;
    this.buffers = context.buffers;
    this.forwardCalls = context.forwardCalls;
  }
}
