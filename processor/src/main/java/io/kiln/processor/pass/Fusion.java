package io.kiln.processor.pass;

import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.Buffers;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.KernelCall;
import io.kiln.processor.fuse.KernelProgram;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.fuse.Parameters;
import io.kiln.processor.grad.BackwardGraph;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.shape.ShapedGraph;
import java.util.List;

/**
 * The fuse pass: turns forward nodes and backward steps into runtime kernel calls.
 *
 * <ul>
 *   <li>dense or convolution + bias + activation become one GEMM with an epilogue;
 *   <li>the loss and its gradient become one pass ({@code LossGrad} folds into the loss call);
 *   <li>a convolution's weight, bias and input gradients are one call;
 *   <li>a ReLU whose only reader is a max-pool moves into the pooling pass ({@code maxpool(relu(x))},
 *       forward and backward), so no separate activation pass runs;
 *   <li>identity backward steps vanish: NONE and STEP activations pass the gradient through, and a
 *       {@code @Flatten} is a view that shares its input's memory forward and backward.
 * </ul>
 */
public final class Fusion {

  /** {@code backward} is null for a model without a loss. */
  public KernelProgram fuse(ShapedGraph shaped, BackwardGraph backward) {
    Graph graph = shaped.graph();
    Parameters parameters = new Parameters();
    Buffers buffers = new Buffers();
    LoweringContext context = new LoweringContext(shaped, parameters, buffers);
    List<ForwardCall> forward = new ForwardLowering(context).lower();
    List<Buffer> inputs = context.inputs();

    Node lossNode = graph.loss();
    Buffer output = buffers.activation.get(graph.output().name());
    if (lossNode == null) {
      return new KernelProgram(shaped, parameters.params, parameters.state, inputs, null, output, forward, null, List.of());
    }
    buffers.allocateGradients(shaped, backward);
    List<BackwardCall> back = new BackwardLowering(context).lower(backward);
    KernelCall.LossForward loss = context.loss();
    return new KernelProgram(shaped, parameters.params, parameters.state, inputs, loss.labels(), output, forward, loss, back);
  }
}
