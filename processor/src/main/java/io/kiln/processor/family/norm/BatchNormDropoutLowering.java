package io.kiln.processor.family.norm;

import io.kiln.dsl.Init;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.Buffers;
import io.kiln.processor.fuse.FamilyLowering;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import java.util.List;

/**
 * Lowers one layer family to kernel calls, forward and backward. Batch normalization (with its
 * running statistics) and dropout (with its mask).
 */
public final class BatchNormDropoutLowering extends FamilyLowering {
  public BatchNormDropoutLowering(LoweringContext context) {
    super(context);
  }

  public ForwardCall forward(Node n, Layer.Dropout d, Shape shape, Buffer out) {
    return new ForwardCall.DropoutForward(List.of(n.name()), d.rate(), buffers.activation.get(n.input()), out,
        Buffers.of("mask_" + n.name(), Buffer.Kind.ACTIVATION, shape), shape.size());
  }

  public ForwardCall forward(Node n, Layer.BatchNorm b, Shape shape, Buffer out) {
    int channels = shape.dim(0);
    int spatial = shape.size() / channels;
    ParamTensor gamma = parameters.weight(n, new int[] {channels}, Init.ONES, channels, channels);
    ParamTensor beta = parameters.bias(n, channels, Init.ZEROS, channels);
    ParamTensor mean = parameters.state(n, ".running_mean", channels, Init.ZEROS);
    ParamTensor var = parameters.state(n, ".running_var", channels, Init.ONES);
    return new ForwardCall.BatchNormForward(List.of(n.name()), buffers.activation.get(n.input()), out, gamma, beta, mean, var,
        new Buffer("mean_" + n.name(), Buffer.Kind.SCRATCH, channels, "[" + channels + "]"),
        new Buffer("invstd_" + n.name(), Buffer.Kind.SCRATCH, channels, "[" + channels + "]"), b.momentum(), b.epsilon(), channels, spatial);
  }

  public void backward(Node n, BackwardOp.DropoutGrad d, Buffer dy, List<String> covers, List<BackwardCall> back) {
    ForwardCall.DropoutForward f = (ForwardCall.DropoutForward) forwardCalls.get(n.name());
    back.add(new BackwardCall.DropoutBackward(covers, dy, f.mask(), buffers.gradient.get(d.input()), d.accumulate(), f.perSample()));
  }

  public void backward(Node n, BackwardOp.BatchNormGrad b, Buffer dy, List<String> covers, List<BackwardCall> back) {
    ForwardCall.BatchNormForward f = (ForwardCall.BatchNormForward) forwardCalls.get(n.name());
    back.add(new BackwardCall.BatchNormBackward(covers, f.x(), dy, f.gamma(), f.beta(), f.mean(), f.invStd(),
        b.inputGrad() ? buffers.gradient.get(b.input()) : null, b.accumulate(), f.channels(), f.spatial()));
  }
}
