package io.kiln.processor.family.attention;

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
 * Lowers one layer family to kernel calls, forward and backward. Attention, layer norm, multi-head
 * attention and position embeddings.
 */
public final class AttentionLowering extends FamilyLowering {
  public AttentionLowering(LoweringContext context) {
    super(context);
  }

  public ForwardCall forward(Node n, Layer.Attention a, Shape shape, Buffer out) {
    Buffer s = buffers.activation.get(n.inputs().get(0));
    Buffer h = buffers.activation.get(n.inputs().get(1));
    int width = shape.dim(0);
    int attn = a.units() > 0 ? a.units() : width;
    ParamTensor w1 = null;
    ParamTensor w2 = null;
    ParamTensor v = null;
    switch (a.score()) {
      case GENERAL -> w1 = parameters.param(n, ".weight", new int[] {width, width}, width, width);
      case ADDITIVE -> {
        w1 = parameters.param(n, ".query.weight", new int[] {attn, width}, width, attn);
        w2 = parameters.param(n, ".key.weight", new int[] {attn, width}, width, attn);
        v = parameters.param(n, ".v", new int[] {attn}, attn, 1);
      }
      case DOT -> { }
    }
    return new ForwardCall.AttentionForward(List.of(n.name()), a, s, h, out, w1, w2, v, width, attn);
  }

  public ForwardCall forward(Node n, Layer.LayerNorm l, Shape shape, Buffer out) {
    return layerNorm(n, shape, buffers.activation.get(n.input()), null, null, List.of(n.name()));
  }

  public ForwardCall forward(Node n, Layer.MultiHeadAttention m, Shape shape, Buffer out) {
    int d = shape.dim(0);
    ParamTensor inW = parameters.param(n, ".in_proj_weight", new int[] {3 * d, d}, d, 3 * d);
    ParamTensor inB = parameters.param(n, ".in_proj_bias", new int[] {3 * d}, Init.ZEROS, d, 3 * d);
    // PyTorch's out_proj is an nn.Linear: U(±1/√d), Xavier uniform with fanIn = fanOut = 3d.
    ParamTensor outW = parameters.param(n, ".out_proj.weight", new int[] {d, d}, 3 * d, 3 * d);
    ParamTensor outB = parameters.param(n, ".out_proj.bias", new int[] {d}, Init.ZEROS, d, d);
    return new ForwardCall.MultiHeadForward(List.of(n.name()), m, buffers.activation.get(n.input()),
        Buffers.of("q_" + n.name(), Buffer.Kind.ACTIVATION, shape), Buffers.of("k_" + n.name(), Buffer.Kind.ACTIVATION, shape),
        Buffers.of("v_" + n.name(), Buffer.Kind.ACTIVATION, shape), Buffers.of("o_" + n.name(), Buffer.Kind.ACTIVATION, shape),
        Buffers.of("lse_" + n.name(), Buffer.Kind.ACTIVATION, shape.withDims(m.heads())), out, inW, inB, outW, outB, d);
  }

  public ForwardCall forward(Node n, Layer.PositionEmbedding p, Shape shape, Buffer out) {
    int positions = p.maxLength() > 0 ? p.maxLength() : shape.maxSteps();
    ParamTensor table = parameters.weight(n, new int[] {positions, shape.dim(0)}, Init.ZEROS, 1, 1);
    return new ForwardCall.PositionForward(List.of(n.name()), buffers.activation.get(n.input()), out, table, shape.dim(0));
  }

  /** A layer norm of {@code x} (plus {@code residual}, the sum written to {@code sum}) into {@code norm}'s output. */
  public ForwardCall.LayerNormForward layerNorm(Node norm, Shape shape, Buffer x, Buffer residual, Buffer sum, List<String> covers) {
    int width = shape.dim(0);
    ParamTensor gamma = parameters.weight(norm, new int[] {width}, Init.ONES, width, width);
    ParamTensor beta = parameters.bias(norm, width, Init.ZEROS, width);
    Buffer y = Buffers.of(norm.name(), Buffer.Kind.ACTIVATION, shape);
    buffers.activation.put(norm.name(), y);
    return new ForwardCall.LayerNormForward(covers, x, residual, sum, y, gamma, beta, Buffers.of("mean_" + norm.name(), Buffer.Kind.ACTIVATION,
        shape.withDims(1)), Buffers.of("rstd_" + norm.name(), Buffer.Kind.ACTIVATION, shape.withDims(1)), ((Layer.LayerNorm) norm.layer()).epsilon(), width);
  }

  public void backward(Node n, BackwardOp.AttentionGrad a, Buffer dy, List<String> covers, List<BackwardCall> back) {
    ForwardCall.AttentionForward f = (ForwardCall.AttentionForward) forwardCalls.get(n.name());
    Buffer ds = a.query() == null ? null : buffers.gradient.get(a.query().input());
    Buffer dh = a.keys() == null ? null : buffers.gradient.get(a.keys().input());
    // One accumulate flag serves both: a gradient written here first is zeroed, then added to.
    boolean accumulate = (a.query() != null && a.query().accumulate()) || (a.keys() != null && a.keys().accumulate());
    if (accumulate && a.query() != null && !a.query().accumulate()) {
      back.add(new BackwardCall.ZeroFill(covers, ds));
    }
    if (accumulate && a.keys() != null && !a.keys().accumulate()) {
      back.add(new BackwardCall.ZeroFill(covers, dh));
    }
    back.add(new BackwardCall.AttentionBackward(covers, f, dy, ds, dh, accumulate));
  }

  public void backward(Node n, BackwardOp.LayerNormGrad l, Buffer dy, List<String> covers, List<BackwardCall> back) {
    ForwardCall.LayerNormForward f = (ForwardCall.LayerNormForward) forwardCalls.get(n.name());
    back.add(new BackwardCall.LayerNormBackward(covers, f, dy, l.route() == null ? null : buffers.gradient.get(l.route().input()),
        l.route() != null && l.route().accumulate()));
  }

  public void backward(Node n, BackwardOp.MultiHeadGrad m, Buffer dy, List<String> covers, List<BackwardCall> back) {
    ForwardCall.MultiHeadForward f = (ForwardCall.MultiHeadForward) forwardCalls.get(n.name());
    Shape s = shaped.shape(n);
    back.add(new BackwardCall.MultiHeadBackward(covers, f, dy, m.route() == null ? null : buffers.gradient.get(m.route().input()),
        m.route() != null && m.route().accumulate(), Buffers.of("d_q_" + n.name(), Buffer.Kind.GRADIENT, s),
        Buffers.of("d_k_" + n.name(), Buffer.Kind.GRADIENT, s), Buffers.of("d_v_" + n.name(), Buffer.Kind.GRADIENT, s),
        Buffers.of("d_o_" + n.name(), Buffer.Kind.GRADIENT, s)));
  }

  public void backward(Node n, BackwardOp.PositionGrad p, Buffer dy, List<String> covers, List<BackwardCall> back) {
    ForwardCall.PositionForward f = (ForwardCall.PositionForward) forwardCalls.get(n.name());
    back.add(new BackwardCall.PositionBackward(covers, dy, p.route() == null ? null : buffers.gradient.get(p.route().input()),
        p.route() != null && p.route().accumulate(), f.table(), f.width()));
  }
}
