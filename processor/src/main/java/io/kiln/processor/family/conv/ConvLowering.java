package io.kiln.processor.family.conv;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.FamilyLowering;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.KernelCall;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.fuse.Parameters;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.ConvShape;
import io.kiln.processor.shape.Shape;
import java.util.List;
import java.util.Set;

/**
 * Lowers one layer family to kernel calls, forward and backward. Convolutions and pooling:
 * PyTorch-initialized filters over packed patches, and pooling windows that take over a preceding
 * ReLU ({@link ReluIntoMaxPool}).
 */
public final class ConvLowering extends FamilyLowering {
  /** The convolutions whose ReLU runs in the max-pool after them. */
  private final Set<String> reluIntoPool;

  public ConvLowering(LoweringContext context) {
    super(context);
    this.reluIntoPool = ReluIntoMaxPool.find(shaped.graph());
  }

  /** Whether the convolution {@code node}'s ReLU runs in the max-pool after it (forward and backward). */
  public boolean reluRunsInPool(String node) {
    return reluIntoPool.contains(node);
  }

  public ForwardCall forward(Node n, Layer.Conv c, Shape shape, Buffer out) {
    Shape in = shaped.shape(n.input());
    KernelCall.ConvDims dims = convDims(c, in, shape);
    int fanIn = dims.patchSize();
    ParamTensor w = parameters.weight(n, new int[] {c.filters(), in.dim(0), c.kh(), c.kw()}, Parameters.resolve(c.init(), c.activation()), fanIn,
        c.filters() * c.kh() * c.kw());
    ParamTensor b = c.bias() ? parameters.bias(n, c.filters(), Init.ZEROS, fanIn) : null;
    Buffer cols = new Buffer("cols_" + n.name(), Buffer.Kind.SCRATCH, dims.colsSize(), "[" + dims.patchSize() + ", " + dims.outHeight() * dims.outWidth() + "]");
    Activation act = reluIntoPool.contains(n.name()) ? Activation.NONE : c.activation();
    return new ForwardCall.ConvForward(List.of(n.name()), buffers.activation.get(n.input()), out, w, b, act, dims, cols);
  }

  public ForwardCall forward(Node n, Layer.Pool p, Shape shape, Buffer out) {
    boolean relu = reluIntoPool.contains(n.input());
    return new ForwardCall.PoolForward(relu ? List.of(n.input() + " (relu)", n.name()) : List.of(n.name()), p.max(), relu,
        buffers.activation.get(n.input()), out, poolDims(p, shaped.shape(n.input()), shape));
  }

  static KernelCall.ConvDims convDims(Layer.Conv c, Shape in, Shape out) {
    ConvShape g = ConvShape.of(c, in);
    return new KernelCall.ConvDims(in.dim(0), in.dim(1), in.dim(2), c.filters(), c.kh(), c.kw(), c.stride(),
        g.padTop(), g.padLeft(), out.dim(1), out.dim(2));
  }

  static KernelCall.PoolDims poolDims(Layer.Pool p, Shape in, Shape out) {
    return new KernelCall.PoolDims(in.dim(0), in.dim(1), in.dim(2), p.size(), p.effectiveStride(), out.dim(1), out.dim(2));
  }

  public void backward(Node n, BackwardOp.ConvGrad c, Buffer dy, List<String> covers, List<BackwardCall> back) {
    ForwardCall.ConvForward f = (ForwardCall.ConvForward) forwardCalls.get(n.name());
    int cols = f.dims().colsSize();
    String scratchShape = f.cols().shape();
    back.add(new BackwardCall.ConvBackward(covers, f.x(), dy, f.weight(), f.bias(), c.inputGrad() ? buffers.gradient.get(c.input()) : null,
        c.accumulate(), f.dims(), new Buffer("cols_" + n.name() + "_back", Buffer.Kind.SCRATCH, cols, scratchShape),
        new Buffer("dcols_" + n.name(), Buffer.Kind.SCRATCH, cols, scratchShape)));
  }

  public void backward(Node n, BackwardOp.PoolGrad p, Buffer dy, List<String> covers, List<BackwardCall> back) {
    ForwardCall.PoolForward f = (ForwardCall.PoolForward) forwardCalls.get(n.name());
    back.add(new BackwardCall.PoolBackward(f.covers(), p.max(), f.relu(), f.x(), dy, buffers.gradient.get(p.input()), p.accumulate(), f.dims()));
  }
}
