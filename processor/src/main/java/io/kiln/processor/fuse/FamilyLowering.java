package io.kiln.processor.fuse;

import io.kiln.processor.shape.ShapedGraph;
import java.util.Map;
import java.util.Set;

/**
 * What the lowerings of every layer family share: the shapes, the parameter and buffer tables, the
 * forward call of each node (its backward reads what the forward kept) and the rewrites decided.
 */
abstract class FamilyLowering {
  final ShapedGraph shaped;
  final Parameters parameters;
  final Buffers buffers;
  final Map<String, ForwardCall> forwardCalls;
  final Set<String> reluIntoPool;

  FamilyLowering(ShapedGraph shaped, Parameters parameters, Buffers buffers, Map<String, ForwardCall> forwardCalls, Set<String> reluIntoPool) {
    this.shaped = shaped;
    this.parameters = parameters;
    this.buffers = buffers;
    this.forwardCalls = forwardCalls;
    this.reluIntoPool = reluIntoPool;
  }
}
