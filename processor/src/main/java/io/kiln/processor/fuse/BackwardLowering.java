package io.kiln.processor.fuse;

import io.kiln.dsl.Activation;
import io.kiln.processor.grad.BackwardGraph;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapedGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers the backward steps to kernel calls: the loss gradient folds into the loss call, a
 * convolution's weight, bias and input gradients are one call, and identity steps vanish (NONE and
 * STEP activations, a ReLU that runs in the max-pool after it).
 */
final class BackwardLowering {
  private final ShapedGraph shaped;
  private final Parameters parameters;
  private final Buffers buffers;
  private final Map<String, ForwardCall> forwardCalls;
  private final Set<String> reluIntoPool;
  /** The fused loss call, once {@link #lower} has met the loss gradient (null if nothing trains). */
  KernelCall.LossForward loss;

  BackwardLowering(ShapedGraph shaped, Parameters parameters, Buffers buffers, ForwardLowering forward) {
    this.shaped = shaped;
    this.parameters = parameters;
    this.buffers = buffers;
    this.forwardCalls = forward.forwardCalls;
    this.reluIntoPool = forward.reluIntoPool;
  }

  List<BackwardCall> lower(BackwardGraph backward, Buffer labels, int ignoreIndex, Shape scored) {
    Graph graph = shaped.graph();
    List<BackwardCall> back = new ArrayList<>();
    Map<String, Buffer[]> stateGradients = new HashMap<>(); // {dhT, dcT} of a layer, from the layer it starts
    for (BackwardOp op : backward.ops()) {
      Node n = graph.node(op.node());
      List<String> covers = List.of(n.name());
      Buffer dy = buffers.gradient.get(n.name());
      switch (op) {
        case BackwardOp.LossGrad g -> loss = new KernelCall.LossForward(
            covers, g.kind(), buffers.activation.get(g.input()), labels, buffers.gradient.get(g.input()), scored.stepSize(), ignoreIndex);
        case BackwardOp.EmbeddingGrad e -> {
          ForwardCall.EmbeddingForward f = (ForwardCall.EmbeddingForward) forwardCalls.get(n.name());
          back.add(new BackwardCall.EmbeddingBackward(covers, f.ids(), dy, f.table(), f.vocab(), f.dim()));
        }
        case BackwardOp.RecurrentGrad r -> {
          ForwardCall.RecurrentForward f = (ForwardCall.RecurrentForward) forwardCalls.get(n.name());
          boolean read = graph.order().stream().anyMatch(o -> o.dataInputs().contains(n.name()));
          Buffer outputGrad = read ? dy : null; // nothing reads the output: its gradient is never written
          boolean sequence = f.layer().returnSequences();
          Buffer[] stateGrad = stateGradients.get(n.name()); // written by the layer this one starts
          Buffer dhT = stateGrad != null ? stateGrad[0] : sequence ? null : outputGrad;
          Buffer dcT = stateGrad != null ? stateGrad[1] : null;
          Buffer[] initialGrad = new Buffer[2];
          if (n.state() != null) {
            Shape s = Shape.of(f.layer().units());
            initialGrad[0] = Buffers.of("d_hT_" + n.state(), Buffer.Kind.GRADIENT, s);
            initialGrad[1] = f.c0() == null ? null : Buffers.of("d_cT_" + n.state(), Buffer.Kind.GRADIENT, s);
            stateGradients.put(n.state(), initialGrad);
          }
          back.add(new BackwardCall.RecurrentBackward(covers, f, sequence ? outputGrad : null, dhT, dcT,
              r.inputGrad() ? buffers.gradient.get(r.input()) : null, r.accumulate(), initialGrad[0], initialGrad[1]));
        }
        case BackwardOp.ActivationGrad a when a.activation() == Activation.GELU ->
            back.add(new BackwardCall.GeluBackward(List.of(n.name() + " (gelu)"), buffers.preActivation.get(n.name()), dy));
        case BackwardOp.ActivationGrad a -> {
          if (a.activation() != Activation.NONE && a.activation() != Activation.STEP && !reluIntoPool.contains(n.name())) {
            back.add(new BackwardCall.ActivationBackward(covers, a.activation(), dy, buffers.activation.get(n.name()), shaped.shape(n).size()));
          }
        }
        case BackwardOp.BiasGrad b -> back.add(new BackwardCall.BiasGrad(covers, parameters.biasOf(n.name()), dy, shaped.shape(n).stepSize()));
        case BackwardOp.WeightGrad w -> back.add(new BackwardCall.WeightGrad(covers, parameters.weightOf(n.name()),
            dy, buffers.activation.get(w.input()), shaped.shape(n).stepSize(), shaped.shape(w.input()).stepSize()));
        case BackwardOp.InputGrad g -> back.add(new BackwardCall.InputGrad(covers, buffers.gradient.get(g.input()), dy,
            parameters.weightOf(n.name()), shaped.shape(n).stepSize(), shaped.shape(g.input()).stepSize(), g.accumulate()));
        case BackwardOp.ConvGrad c -> {
          ForwardCall.ConvForward f = (ForwardCall.ConvForward) forwardCalls.get(n.name());
          int cols = f.dims().colsSize();
          String scratchShape = f.cols().shape();
          back.add(new BackwardCall.ConvBackward(covers, f.x(), dy, f.weight(), f.bias(), c.inputGrad() ? buffers.gradient.get(c.input()) : null,
              c.accumulate(), f.dims(), new Buffer("cols_" + n.name() + "_back", Buffer.Kind.SCRATCH, cols, scratchShape),
              new Buffer("dcols_" + n.name(), Buffer.Kind.SCRATCH, cols, scratchShape)));
        }
        case BackwardOp.PoolGrad p -> {
          ForwardCall.PoolForward f = (ForwardCall.PoolForward) forwardCalls.get(n.name());
          back.add(new BackwardCall.PoolBackward(f.covers(), p.max(), f.relu(), f.x(), dy, buffers.gradient.get(p.input()), p.accumulate(), f.dims()));
        }
        case BackwardOp.DropoutGrad d -> {
          ForwardCall.DropoutForward f = (ForwardCall.DropoutForward) forwardCalls.get(n.name());
          back.add(new BackwardCall.DropoutBackward(covers, dy, f.mask(), buffers.gradient.get(d.input()), d.accumulate(), f.perSample()));
        }
        case BackwardOp.AttentionGrad a -> {
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
        case BackwardOp.ConcatGrad c -> {
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
        case BackwardOp.AddGrad a -> {
          if (!a.routes().isEmpty()) {
            back.add(new BackwardCall.AddBackward(covers, dy, a.routes().stream().map(r -> buffers.gradient.get(r.input())).toList(),
                a.routes().stream().map(BackwardOp.Route::accumulate).toList()));
          }
        }
        case BackwardOp.LayerNormGrad l -> {
          ForwardCall.LayerNormForward f = (ForwardCall.LayerNormForward) forwardCalls.get(n.name());
          back.add(new BackwardCall.LayerNormBackward(covers, f, dy, l.route() == null ? null : buffers.gradient.get(l.route().input()),
              l.route() != null && l.route().accumulate()));
        }
        case BackwardOp.MultiHeadGrad m -> {
          ForwardCall.MultiHeadForward f = (ForwardCall.MultiHeadForward) forwardCalls.get(n.name());
          Shape s = shaped.shape(n);
          back.add(new BackwardCall.MultiHeadBackward(covers, f, dy, m.route() == null ? null : buffers.gradient.get(m.route().input()),
              m.route() != null && m.route().accumulate(), Buffers.of("d_q_" + n.name(), Buffer.Kind.GRADIENT, s),
              Buffers.of("d_k_" + n.name(), Buffer.Kind.GRADIENT, s), Buffers.of("d_v_" + n.name(), Buffer.Kind.GRADIENT, s),
              Buffers.of("d_o_" + n.name(), Buffer.Kind.GRADIENT, s)));
        }
        case BackwardOp.PositionGrad p -> {
          ForwardCall.PositionForward f = (ForwardCall.PositionForward) forwardCalls.get(n.name());
          back.add(new BackwardCall.PositionBackward(covers, dy, p.route() == null ? null : buffers.gradient.get(p.route().input()),
              p.route() != null && p.route().accumulate(), f.table(), f.width()));
        }
        case BackwardOp.BatchNormGrad b -> {
          ForwardCall.BatchNormForward f = (ForwardCall.BatchNormForward) forwardCalls.get(n.name());
          back.add(new BackwardCall.BatchNormBackward(covers, f.x(), dy, f.gamma(), f.beta(), f.mean(), f.invStd(),
              b.inputGrad() ? buffers.gradient.get(b.input()) : null, b.accumulate(), f.channels(), f.spatial()));
        }
      }
    }
    return back;
  }
}
