package io.kiln.processor.family.dense;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.processor.family.conv.ConvFamily;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.Buffers;
import io.kiln.processor.fuse.FamilyLowering;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.fuse.Parameters;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import java.util.List;

/**
 * Lowers one layer family to kernel calls, forward and backward. Dense layers: one GEMM with a
 * bias-and-activation epilogue forward (GELU in a pass of its own, its pre-activation kept);
 * activation, bias, weight and input gradients backward.
 */
public final class DenseLowering extends FamilyLowering {
  public DenseLowering(LoweringContext context) {
    super(context);
  }

  public ForwardCall forward(Node n, Layer.Dense d, Shape shape, Buffer out, List<ForwardCall> forward) {
    int in = shaped.shape(n.input()).stepSize(); // per step: a dense layer over a sequence is one GEMM over B·T rows
    ParamTensor w = parameters.weight(n, new int[] {d.units(), in}, Parameters.resolve(d.init(), d.activation()), in, d.units());
    ParamTensor b = d.bias() ? parameters.bias(n, d.units(), Init.ZEROS, in) : null;
    if (d.activation() == Activation.GELU) {
      // GELU's derivative needs z, not y: keep the pre-activation and apply GELU in a pass of its own.
      Buffer z = Buffers.of("pre_" + n.name(), Buffer.Kind.ACTIVATION, shape);
      buffers.preActivation.put(n.name(), z);
      forward.add(new ForwardCall.DenseForward(List.of(n.name()), buffers.activation.get(n.input()), z, w, b, Activation.NONE, in, d.units()));
      return new ForwardCall.GeluForward(List.of(n.name() + " (gelu)"), z, out);
    }
    return new ForwardCall.DenseForward(List.of(n.name()), buffers.activation.get(n.input()), out, w, b, d.activation(), in, d.units());
  }

  public void backward(Node n, BackwardOp.ActivationGrad a, Buffer dy, List<String> covers, List<BackwardCall> back) {
    if (a.activation() == Activation.GELU) {
      back.add(new BackwardCall.GeluBackward(List.of(n.name() + " (gelu)"), buffers.preActivation.get(n.name()), dy));
    } else if (a.activation() != Activation.NONE && a.activation() != Activation.STEP && !ConvFamily.lowering(context).reluRunsInPool(n.name())) {
      back.add(new BackwardCall.ActivationBackward(covers, a.activation(), dy, buffers.activation.get(n.name()), shaped.shape(n).size()));
    }
  }

  public void backward(Node n, BackwardOp.BiasGrad b, Buffer dy, List<String> covers, List<BackwardCall> back) {
    back.add(new BackwardCall.BiasGrad(covers, parameters.biasOf(n.name()), dy, shaped.shape(n).stepSize()));
  }

  public void backward(Node n, BackwardOp.WeightGrad w, Buffer dy, List<String> covers, List<BackwardCall> back) {
    back.add(new BackwardCall.WeightGrad(covers, parameters.weightOf(n.name()),
        dy, buffers.activation.get(w.input()), shaped.shape(n).stepSize(), shaped.shape(w.input()).stepSize()));
  }

  public void backward(Node n, BackwardOp.InputGrad g, Buffer dy, List<String> covers, List<BackwardCall> back) {
    back.add(new BackwardCall.InputGrad(covers, buffers.gradient.get(g.input()), dy,
        parameters.weightOf(n.name()), shaped.shape(n).stepSize(), shaped.shape(g.input()).stepSize(), g.accumulate()));
  }
}
