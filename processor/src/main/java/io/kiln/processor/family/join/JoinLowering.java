package io.kiln.processor.family.join;

import io.kiln.processor.family.attention.AttentionLowering;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.FamilyLowering;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lowers one layer family to kernel calls, forward and backward. Joins: concatenation and addition
 * (an add that a layer norm reads runs in that layer norm's pass, {@link AddIntoLayerNorm}).
 */
public final class JoinLowering extends FamilyLowering {
  private final AttentionLowering attention;
  private final Map<String, Node> addIntoNorm;

  public JoinLowering(LoweringContext context) {
    super(context);
    this.attention = context.family(AttentionLowering.class, AttentionLowering::new);
    this.addIntoNorm = AddIntoLayerNorm.find(shaped.graph());
  }

  public ForwardCall forward(Node n, Layer.Concat c, Shape shape, Buffer out) {
    return new ForwardCall.ConcatForward(List.of(n.name()), n.inputs().stream().map(buffers.activation::get).toList(),
        n.inputs().stream().map(i -> shaped.shape(i).dim(0)).toList(), out);
  }

  public ForwardCall forward(Node n, Layer.Add a, Shape shape, Buffer out) {
    Node norm = addIntoNorm.get(n.name());
    List<Buffer> ins = n.inputs().stream().map(buffers.activation::get).toList();
    if (norm == null) {
      return new ForwardCall.AddForward(List.of(n.name()), ins, out);
    }
    // The layer norm that reads this sum runs in the same pass: y = LN(x + r), the sum kept.
    buffers.activation.put(n.name(), out);
    ForwardCall fusedNorm = attention.layerNorm(norm, shape, ins.get(0), ins.get(1), out, List.of(n.name(), norm.name()));
    forwardCalls.put(norm.name(), fusedNorm);
    return fusedNorm;
  }

  public void backward(Node n, BackwardOp.ConcatGrad c, Buffer dy, List<String> covers, List<BackwardCall> back) {
    ForwardCall.ConcatForward f = (ForwardCall.ConcatForward) forwardCalls.get(n.name());
    List<Buffer> dxs = new ArrayList<>();
    List<Boolean> accumulate = new ArrayList<>();
    int next = 0;
    for (String in : n.inputs()) {
      BackwardOp.Route r = next < c.routes().size() && c.routes().get(next).input().equals(in) ? c.routes().get(next++) : null;
      dxs.add(r == null ? null : buffers.gradient.get(in));
      accumulate.add(r != null && r.accumulate());
    }
    back.add(new BackwardCall.ConcatBackward(covers, f, dy, dxs, accumulate));
  }

  public void backward(Node n, BackwardOp.AddGrad a, Buffer dy, List<String> covers, List<BackwardCall> back) {
    if (!a.routes().isEmpty()) {
      back.add(new BackwardCall.AddBackward(covers, dy, a.routes().stream().map(r -> buffers.gradient.get(r.input())).toList(),
          a.routes().stream().map(BackwardOp.Route::accumulate).toList()));
    }
  }
}
