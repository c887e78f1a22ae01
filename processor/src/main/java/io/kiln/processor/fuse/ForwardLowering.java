package io.kiln.processor.fuse;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.ConvShape;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapedGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers the forward nodes to kernel calls, applying the forward rewrites ({@link ReluIntoMaxPool},
 * {@link AddIntoLayerNorm}, dense + bias + activation as one GEMM epilogue). Parameters are named
 * and initialized by {@link Parameters}, buffers allocated by {@link Buffers}.
 */
final class ForwardLowering {
  private final ShapedGraph shaped;
  private final Parameters parameters;
  private final Buffers buffers;
  /** The forward call that computes each node (a fused call appears under each node it covers). */
  final Map<String, ForwardCall> forwardCalls = new HashMap<>();
  /** The caller's input arrays, in declaration order. */
  final List<Buffer> inputs = new ArrayList<>();
  /** The convolutions whose ReLU runs in the max-pool after them. */
  final Set<String> reluIntoPool;

  ForwardLowering(ShapedGraph shaped, Parameters parameters, Buffers buffers) {
    this.shaped = shaped;
    this.parameters = parameters;
    this.buffers = buffers;
    this.reluIntoPool = ReluIntoMaxPool.find(shaped.graph());
  }

  List<ForwardCall> lower() {
    Graph graph = shaped.graph();
    Map<String, Node> addIntoNorm = AddIntoLayerNorm.find(graph);
    List<ForwardCall> forward = new ArrayList<>();
    for (Node n : graph.order()) {
      if (forwardCalls.containsKey(n.name())) {
        continue; // computed with an earlier node (a layer norm fused with the add it reads)
      }
      Shape shape = shaped.shape(n);
      Buffer out = n.isLoss() ? null : Buffers.of(n.name(), Buffer.Kind.ACTIVATION, shape);
      ForwardCall call = switch (n.layer()) {
        case Layer.Input in -> {
          out = Buffers.of(n.name(), Buffer.Kind.INPUT, shape);
          inputs.add(out);
          yield null;
        }
        case Layer.Tokens tokens -> {
          out = Buffers.of(n.name(), Buffer.Kind.TOKENS, shape);
          inputs.add(out);
          yield null;
        }
        case Layer.Embedding e -> {
          // One table per owner, created by whichever of the owner and its sharers comes first.
          String owner = e.shares().isEmpty() ? n.name() : e.shares();
          // N(0, 1) as nn.Embedding: Xavier normal N(0, 1/fanIn) with fanIn 1.
          ParamTensor table = parameters.sharedWeight(owner,
              () -> new ParamTensor(owner + ".weight", owner, new int[] {e.vocab(), e.dim()}, Init.XAVIER_NORMAL, 1, 1));
          yield new ForwardCall.EmbeddingForward(List.of(n.name()), buffers.activation.get(n.input()), out, table, e.vocab(), e.dim());
        }
        case Layer.Recurrent r -> {
          int in = shaped.shape(n.input()).stepSize();
          int gates = r.cell().gates() * r.units();
          // PyTorch's U(±1/√units): Xavier uniform's √(6/(fanIn + fanOut)) with fanIn = fanOut = 3·units.
          int fan = 3 * r.units();
          ParamTensor wIh = parameters.param(n, ".weight_ih_l0", new int[] {gates, in}, fan, fan);
          ParamTensor wHh = parameters.param(n, ".weight_hh_l0", new int[] {gates, r.units()}, fan, fan);
          ParamTensor bIh = null;
          ParamTensor bHh = null;
          if (r.bias()) {
            bIh = parameters.param(n, ".bias_ih_l0", new int[] {gates}, fan, fan);
            bHh = parameters.param(n, ".bias_hh_l0", new int[] {gates}, fan, fan);
          }
          // The encoder → decoder hand-off: a layer another one starts from keeps its final state.
          boolean handsOver = graph.order().stream().anyMatch(o -> n.name().equals(o.state()));
          Shape state = Shape.of(r.units());
          Buffer hT = handsOver ? (r.returnSequences() ? Buffers.of("hT_" + n.name(), Buffer.Kind.ACTIVATION, state) : out) : null;
          Buffer cT = handsOver && r.cell() == Layer.Recurrent.Cell.LSTM ? Buffers.of("cT_" + n.name(), Buffer.Kind.ACTIVATION, state) : null;
          if (handsOver) {
            buffers.finalState.put(n.name(), new Buffer[] {hT, cT});
          }
          Buffer[] initial = n.state() == null ? new Buffer[2] : buffers.finalState.get(n.state());
          yield new ForwardCall.RecurrentForward(List.of(n.name()), r, buffers.activation.get(n.input()), out, wIh, wHh, bIh, bHh, in,
              initial[0], initial[1], hT, cT);
        }
        case Layer.Flatten f -> {
          out = buffers.activation.get(n.input());
          yield null;
        }
        case Layer.Dense d -> {
          int in = shaped.shape(n.input()).stepSize(); // per step: a dense layer over a sequence is one GEMM over B·T rows
          ParamTensor w = parameters.weight(n, new int[] {d.units(), in}, Parameters.resolve(d.init(), d.activation()), in, d.units());
          ParamTensor b = d.bias() ? parameters.bias(n, d.units(), Init.ZEROS, in) : null;
          if (d.activation() == Activation.GELU) {
            // GELU's derivative needs z, not y: keep the pre-activation and apply GELU in a pass of its own.
            Buffer z = Buffers.of("pre_" + n.name(), Buffer.Kind.ACTIVATION, shape);
            buffers.preActivation.put(n.name(), z);
            forward.add(new ForwardCall.DenseForward(List.of(n.name()), buffers.activation.get(n.input()), z, w, b, Activation.NONE, in, d.units()));
            yield new ForwardCall.GeluForward(List.of(n.name() + " (gelu)"), z, out);
          }
          yield new ForwardCall.DenseForward(List.of(n.name()), buffers.activation.get(n.input()), out, w, b, d.activation(), in, d.units());
        }
        case Layer.Attention a -> {
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
          yield new ForwardCall.AttentionForward(List.of(n.name()), a, s, h, out, w1, w2, v, width, attn);
        }
        case Layer.Concat c -> new ForwardCall.ConcatForward(List.of(n.name()), n.inputs().stream().map(buffers.activation::get).toList(),
            n.inputs().stream().map(i -> shaped.shape(i).dim(0)).toList(), out);
        case Layer.Add a -> {
          Node norm = addIntoNorm.get(n.name());
          List<Buffer> ins = n.inputs().stream().map(buffers.activation::get).toList();
          if (norm == null) {
            yield new ForwardCall.AddForward(List.of(n.name()), ins, out);
          }
          // The layer norm that reads this sum runs in the same pass: y = LN(x + r), the sum kept.
          buffers.activation.put(n.name(), out);
          ForwardCall fusedNorm = layerNorm(norm, shape, ins.get(0), ins.get(1), out, List.of(n.name(), norm.name()));
          forwardCalls.put(norm.name(), fusedNorm);
          yield fusedNorm;
        }
        case Layer.LayerNorm l -> layerNorm(n, shape, buffers.activation.get(n.input()), null, null, List.of(n.name()));
        case Layer.MultiHeadAttention m -> {
          int d = shape.dim(0);
          ParamTensor inW = parameters.param(n, ".in_proj_weight", new int[] {3 * d, d}, d, 3 * d);
          ParamTensor inB = parameters.param(n, ".in_proj_bias", new int[] {3 * d}, Init.ZEROS, d, 3 * d);
          // PyTorch's out_proj is an nn.Linear: U(±1/√d), Xavier uniform with fanIn = fanOut = 3d.
          ParamTensor outW = parameters.param(n, ".out_proj.weight", new int[] {d, d}, 3 * d, 3 * d);
          ParamTensor outB = parameters.param(n, ".out_proj.bias", new int[] {d}, Init.ZEROS, d, d);
          yield new ForwardCall.MultiHeadForward(List.of(n.name()), m, buffers.activation.get(n.input()),
              Buffers.of("q_" + n.name(), Buffer.Kind.ACTIVATION, shape), Buffers.of("k_" + n.name(), Buffer.Kind.ACTIVATION, shape),
              Buffers.of("v_" + n.name(), Buffer.Kind.ACTIVATION, shape), Buffers.of("o_" + n.name(), Buffer.Kind.ACTIVATION, shape),
              Buffers.of("lse_" + n.name(), Buffer.Kind.ACTIVATION, shape.withDims(m.heads())), out, inW, inB, outW, outB, d);
        }
        case Layer.PositionEmbedding p -> {
          int positions = p.maxLength() > 0 ? p.maxLength() : shape.maxSteps();
          ParamTensor table = parameters.weight(n, new int[] {positions, shape.dim(0)}, Init.ZEROS, 1, 1);
          yield new ForwardCall.PositionForward(List.of(n.name()), buffers.activation.get(n.input()), out, table, shape.dim(0));
        }
        case Layer.Conv c -> {
          Shape in = shaped.shape(n.input());
          KernelCall.ConvDims dims = convDims(c, in, shape);
          int fanIn = dims.patchSize();
          ParamTensor w = parameters.weight(n, new int[] {c.filters(), in.dim(0), c.kh(), c.kw()}, Parameters.resolve(c.init(), c.activation()), fanIn,
              c.filters() * c.kh() * c.kw());
          ParamTensor b = c.bias() ? parameters.bias(n, c.filters(), Init.ZEROS, fanIn) : null;
          Buffer cols = new Buffer("cols_" + n.name(), Buffer.Kind.SCRATCH, dims.colsSize(), "[" + dims.patchSize() + ", " + dims.outHeight() * dims.outWidth() + "]");
          Activation act = reluIntoPool.contains(n.name()) ? Activation.NONE : c.activation();
          yield new ForwardCall.ConvForward(List.of(n.name()), buffers.activation.get(n.input()), out, w, b, act, dims, cols);
        }
        case Layer.Pool p -> {
          boolean relu = reluIntoPool.contains(n.input());
          yield new ForwardCall.PoolForward(relu ? List.of(n.input() + " (relu)", n.name()) : List.of(n.name()), p.max(), relu,
              buffers.activation.get(n.input()), out, poolDims(p, shaped.shape(n.input()), shape));
        }
        case Layer.Dropout d -> new ForwardCall.DropoutForward(List.of(n.name()), d.rate(), buffers.activation.get(n.input()), out,
            Buffers.of("mask_" + n.name(), Buffer.Kind.ACTIVATION, shape), shape.size());
        case Layer.BatchNorm b -> {
          int channels = shape.dim(0);
          int spatial = shape.size() / channels;
          ParamTensor gamma = parameters.weight(n, new int[] {channels}, Init.ONES, channels, channels);
          ParamTensor beta = parameters.bias(n, channels, Init.ZEROS, channels);
          ParamTensor mean = parameters.state(n, ".running_mean", channels, Init.ZEROS);
          ParamTensor var = parameters.state(n, ".running_var", channels, Init.ONES);
          yield new ForwardCall.BatchNormForward(List.of(n.name()), buffers.activation.get(n.input()), out, gamma, beta, mean, var,
              new Buffer("mean_" + n.name(), Buffer.Kind.SCRATCH, channels, "[" + channels + "]"),
              new Buffer("invstd_" + n.name(), Buffer.Kind.SCRATCH, channels, "[" + channels + "]"), b.momentum(), b.epsilon(), channels, spatial);
        }
        case Layer.Loss l -> null;
      };
      if (out != null) {
        buffers.activation.put(n.name(), out);
      }
      if (call != null) {
        forward.add(call);
        forwardCalls.put(n.name(), call);
      }
    }
    return forward;
  }

  /** A layer norm of {@code x} (plus {@code residual}, the sum written to {@code sum}) into {@code norm}'s output. */
  private ForwardCall.LayerNormForward layerNorm(Node norm, Shape shape, Buffer x, Buffer residual, Buffer sum, List<String> covers) {
    int width = shape.dim(0);
    ParamTensor gamma = parameters.weight(norm, new int[] {width}, Init.ONES, width, width);
    ParamTensor beta = parameters.bias(norm, width, Init.ZEROS, width);
    Buffer y = Buffers.of(norm.name(), Buffer.Kind.ACTIVATION, shape);
    buffers.activation.put(norm.name(), y);
    return new ForwardCall.LayerNormForward(covers, x, residual, sum, y, gamma, beta, Buffers.of("mean_" + norm.name(), Buffer.Kind.ACTIVATION,
        shape.withDims(1)), Buffers.of("rstd_" + norm.name(), Buffer.Kind.ACTIVATION, shape.withDims(1)), ((Layer.LayerNorm) norm.layer()).epsilon(), width);
  }

  static KernelCall.ConvDims convDims(Layer.Conv c, Shape in, Shape out) {
    ConvShape g = ConvShape.of(c, in);
    return new KernelCall.ConvDims(in.dim(0), in.dim(1), in.dim(2), c.filters(), c.kh(), c.kw(), c.stride(),
        g.padTop(), g.padLeft(), out.dim(1), out.dim(2));
  }

  static KernelCall.PoolDims poolDims(Layer.Pool p, Shape in, Shape out) {
    return new KernelCall.PoolDims(in.dim(0), in.dim(1), in.dim(2), p.size(), p.effectiveStride(), out.dim(1), out.dim(2));
  }
}
