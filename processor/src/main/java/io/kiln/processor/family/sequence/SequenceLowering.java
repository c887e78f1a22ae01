package io.kiln.processor.family.sequence;

import io.kiln.dsl.Init;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.Buffers;
import io.kiln.processor.fuse.FamilyLowering;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers one layer family to kernel calls, forward and backward. Embeddings (one table per owner,
 * shared by its sharers) and recurrent layers (the encoder to decoder state hand-off included).
 */
public final class SequenceLowering extends FamilyLowering {
  /** {dhT, dcT} of a layer, written by the backward of the layer it starts. */
  private final Map<String, Buffer[]> stateGradients = new HashMap<>();

  public SequenceLowering(LoweringContext context) {
    super(context);
  }

  public ForwardCall forward(Node n, Layer.Embedding e, Shape shape, Buffer out) {
    // One table per owner, created by whichever of the owner and its sharers comes first.
    String owner = e.shares().isEmpty() ? n.name() : e.shares();
    // N(0, 1) as nn.Embedding: Xavier normal N(0, 1/fanIn) with fanIn 1.
    ParamTensor table = parameters.sharedWeight(owner,
        () -> new ParamTensor(owner + ".weight", owner, new int[] {e.vocab(), e.dim()}, Init.XAVIER_NORMAL, 1, 1));
    return new ForwardCall.EmbeddingForward(List.of(n.name()), buffers.activation.get(n.input()), out, table, e.vocab(), e.dim());
  }

  public ForwardCall forward(Node n, Layer.Recurrent r, Shape shape, Buffer out) {
    Graph graph = shaped.graph();
    int in = shaped.shape(n.input()).stepSize();
    int gates = r.cell().gates() * r.units();
    // PyTorch's U(±1/√units): Xavier uniform's √(6/(fanIn + fanOut)) with fanIn = fanOut = 3·units.
    int fan = 3 * r.units();
    ParamTensor wIh = parameters.param(n, ".weight_ih_l0", new int[] {gates, in}, fan, fan);
    ParamTensor wHh = parameters.param(n, ".weight_hh_l0", new int[] {gates, r.units()}, fan, fan);
    ParamTensor bIh = r.bias() ? parameters.param(n, ".bias_ih_l0", new int[] {gates}, fan, fan) : null;
    ParamTensor bHh = r.bias() ? parameters.param(n, ".bias_hh_l0", new int[] {gates}, fan, fan) : null;
    // PyTorch's order: every forward-direction tensor, then the same names with _reverse.
    ForwardCall.RecurrentForward.Reverse reverse = r.bidirectional() ? new ForwardCall.RecurrentForward.Reverse(
        parameters.param(n, ".weight_ih_l0_reverse", new int[] {gates, in}, fan, fan),
        parameters.param(n, ".weight_hh_l0_reverse", new int[] {gates, r.units()}, fan, fan),
        r.bias() ? parameters.param(n, ".bias_ih_l0_reverse", new int[] {gates}, fan, fan) : null,
        r.bias() ? parameters.param(n, ".bias_hh_l0_reverse", new int[] {gates}, fan, fan) : null) : null;
    // The encoder → decoder hand-off: a layer another one starts from keeps its final state.
    boolean handsOver = graph.order().stream().anyMatch(o -> n.name().equals(o.state()));
    Shape state = Shape.of(r.units());
    Buffer hT = handsOver ? (r.returnSequences() ? Buffers.of("hT_" + n.name(), Buffer.Kind.ACTIVATION, state) : out) : null;
    Buffer cT = handsOver && r.cell() == Layer.Recurrent.Cell.LSTM ? Buffers.of("cT_" + n.name(), Buffer.Kind.ACTIVATION, state) : null;
    if (handsOver) {
      buffers.finalState.put(n.name(), new Buffer[] {hT, cT});
    }
    Buffer[] initial = n.state() == null ? new Buffer[2] : buffers.finalState.get(n.state());
    // an input written by an embedding lookup: the runtime may project the table's rows instead
    ForwardCall.EmbeddingForward lookup = reverse == null && forwardCalls.get(n.input()) instanceof ForwardCall.EmbeddingForward e
        ? e : null;
    return new ForwardCall.RecurrentForward(List.of(n.name()), r, buffers.activation.get(n.input()), out, wIh, wHh, bIh, bHh, in,
        initial[0], initial[1], hT, cT, reverse, lookup);
  }

  public void backward(Node n, BackwardOp.EmbeddingGrad e, Buffer dy, List<String> covers, List<BackwardCall> back) {
    ForwardCall.EmbeddingForward f = (ForwardCall.EmbeddingForward) forwardCalls.get(n.name());
    back.add(new BackwardCall.EmbeddingBackward(covers, f.ids(), dy, f.table(), f.vocab(), f.dim()));
  }

  public void backward(Node n, BackwardOp.RecurrentGrad r, Buffer dy, List<String> covers, List<BackwardCall> back) {
    Graph graph = shaped.graph();
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
}
