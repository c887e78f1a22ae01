package io.kiln.processor.fuse;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.processor.grad.BackwardDerivation;
import io.kiln.processor.grad.BackwardGraph;
import io.kiln.processor.grad.BackwardOp;
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

  /** Everything the fuse pass builds, by node. */
  private static final class Tables {
    final Map<String, Buffer> activation = new HashMap<>();
    final Map<String, Buffer> gradient = new HashMap<>();
    final Map<String, ParamTensor> weights = new HashMap<>();
    final Map<String, ParamTensor> biases = new HashMap<>();
    final Map<String, ForwardCall> forwardCall = new HashMap<>();
    final List<ParamTensor> params = new ArrayList<>();
    final List<ParamTensor> state = new ArrayList<>();
    /** The pre-activation a GELU dense layer keeps for backward, by layer. */
    final Map<String, Buffer> preActivation = new HashMap<>();
    /** A recurrent layer's handed-over final state {hT, cT (LSTM, else null)}, by layer. */
    final Map<String, Buffer[]> finalState = new HashMap<>();
  }

  /** {@code backward} is null for a model without a loss. */
  public KernelProgram fuse(ShapedGraph shaped, BackwardGraph backward) {
    Graph graph = shaped.graph();
    Tables t = new Tables();
    java.util.Set<String> reluIntoPool = reluIntoMaxPool(graph);
    Map<String, Node> addIntoNorm = addIntoLayerNorm(graph);
    List<Buffer> inputs = new ArrayList<>();
    List<ForwardCall> forward = new ArrayList<>();

    for (Node n : graph.order()) {
      if (t.forwardCall.containsKey(n.name())) {
        continue; // computed with an earlier node (a layer norm fused with the add it reads)
      }
      Shape shape = shaped.shape(n);
      Buffer out = n.isLoss() ? null : buffer(n.name(), Buffer.Kind.ACTIVATION, shape);
      ForwardCall call = switch (n.layer()) {
        case Layer.Input in -> {
          out = buffer(n.name(), Buffer.Kind.INPUT, shape);
          inputs.add(out);
          yield null;
        }
        case Layer.Tokens tokens -> {
          out = buffer(n.name(), Buffer.Kind.TOKENS, shape);
          inputs.add(out);
          yield null;
        }
        case Layer.Embedding e -> {
          // One table per owner, created by whichever of the owner and its sharers comes first.
          String owner = e.shares().isEmpty() ? n.name() : e.shares();
          ParamTensor table = t.weights.get(owner);
          if (table == null) {
            // N(0, 1) as nn.Embedding: Xavier normal N(0, 1/fanIn) with fanIn 1.
            table = new ParamTensor(owner + ".weight", owner, new int[] {e.vocab(), e.dim()}, Init.XAVIER_NORMAL, 1, 1);
            t.params.add(table);
            t.weights.put(owner, table);
          }
          yield new KernelCall.EmbeddingForward(List.of(n.name()), t.activation.get(n.input()), out, table, e.vocab(), e.dim());
        }
        case Layer.Recurrent r -> {
          int in = shaped.shape(n.input()).stepSize();
          int gates = r.cell().gates() * r.units();
          // PyTorch's U(±1/√units): Xavier uniform's √(6/(fanIn + fanOut)) with fanIn = fanOut = 3·units.
          int fan = 3 * r.units();
          ParamTensor wIh = param(t, n, ".weight_ih_l0", new int[] {gates, in}, fan, fan);
          ParamTensor wHh = param(t, n, ".weight_hh_l0", new int[] {gates, r.units()}, fan, fan);
          ParamTensor bIh = null;
          ParamTensor bHh = null;
          if (r.bias()) {
            bIh = param(t, n, ".bias_ih_l0", new int[] {gates}, fan, fan);
            bHh = param(t, n, ".bias_hh_l0", new int[] {gates}, fan, fan);
          }
          // The encoder → decoder hand-off: a layer another one starts from keeps its final state.
          boolean handsOver = graph.order().stream().anyMatch(o -> n.name().equals(o.state()));
          Shape state = Shape.of(r.units());
          Buffer hT = handsOver ? (r.returnSequences() ? buffer("hT_" + n.name(), Buffer.Kind.ACTIVATION, state) : out) : null;
          Buffer cT = handsOver && r.cell() == Layer.Recurrent.Cell.LSTM ? buffer("cT_" + n.name(), Buffer.Kind.ACTIVATION, state) : null;
          if (handsOver) {
            t.finalState.put(n.name(), new Buffer[] {hT, cT});
          }
          Buffer[] initial = n.state() == null ? new Buffer[2] : t.finalState.get(n.state());
          yield new KernelCall.RecurrentForward(List.of(n.name()), r, t.activation.get(n.input()), out, wIh, wHh, bIh, bHh, in,
              initial[0], initial[1], hT, cT);
        }
        case Layer.Flatten f -> {
          out = t.activation.get(n.input());
          yield null;
        }
        case Layer.Dense d -> {
          int in = shaped.shape(n.input()).stepSize(); // per step: a dense layer over a sequence is one GEMM over B·T rows
          ParamTensor w = weight(t, n, new int[] {d.units(), in}, resolve(d.init(), d.activation()), in, d.units());
          ParamTensor b = d.bias() ? bias(t, n, d.units(), Init.ZEROS, in) : null;
          if (d.activation() == Activation.GELU) {
            // GELU's derivative needs z, not y: keep the pre-activation and apply GELU in a pass of its own.
            Buffer z = buffer("pre_" + n.name(), Buffer.Kind.ACTIVATION, shape);
            t.preActivation.put(n.name(), z);
            forward.add(new KernelCall.DenseForward(List.of(n.name()), t.activation.get(n.input()), z, w, b, Activation.NONE, in, d.units()));
            yield new KernelCall.GeluForward(List.of(n.name() + " (gelu)"), z, out);
          }
          yield new KernelCall.DenseForward(List.of(n.name()), t.activation.get(n.input()), out, w, b, d.activation(), in, d.units());
        }
        case Layer.Attention a -> {
          Buffer s = t.activation.get(n.inputs().get(0));
          Buffer h = t.activation.get(n.inputs().get(1));
          int width = shape.dim(0);
          int attn = a.units() > 0 ? a.units() : width;
          ParamTensor w1 = null;
          ParamTensor w2 = null;
          ParamTensor v = null;
          switch (a.score()) {
            case GENERAL -> w1 = param(t, n, ".weight", new int[] {width, width}, width, width);
            case ADDITIVE -> {
              w1 = param(t, n, ".query.weight", new int[] {attn, width}, width, attn);
              w2 = param(t, n, ".key.weight", new int[] {attn, width}, width, attn);
              v = param(t, n, ".v", new int[] {attn}, attn, 1);
            }
            case DOT -> { }
          }
          yield new KernelCall.AttentionForward(List.of(n.name()), a, s, h, out, w1, w2, v, width, attn);
        }
        case Layer.Concat c -> new KernelCall.ConcatForward(List.of(n.name()), n.inputs().stream().map(t.activation::get).toList(),
            n.inputs().stream().map(i -> shaped.shape(i).dim(0)).toList(), out);
        case Layer.Add a -> {
          Node norm = addIntoNorm.get(n.name());
          List<Buffer> ins = n.inputs().stream().map(t.activation::get).toList();
          if (norm == null) {
            yield new KernelCall.AddForward(List.of(n.name()), ins, out);
          }
          // The layer norm that reads this sum runs in the same pass: y = LN(x + r), the sum kept.
          t.activation.put(n.name(), out);
          ForwardCall fusedNorm = layerNorm(t, norm, shape, ins.get(0), ins.get(1), out, List.of(n.name(), norm.name()));
          t.forwardCall.put(norm.name(), fusedNorm);
          yield fusedNorm;
        }
        case Layer.LayerNorm l -> layerNorm(t, n, shape, t.activation.get(n.input()), null, null, List.of(n.name()));
        case Layer.MultiHeadAttention m -> {
          int d = shape.dim(0);
          ParamTensor inW = param(t, n, ".in_proj_weight", new int[] {3 * d, d}, d, 3 * d);
          ParamTensor inB = param(t, n, ".in_proj_bias", new int[] {3 * d}, Init.ZEROS, d, 3 * d);
          // PyTorch's out_proj is an nn.Linear: U(±1/√d), Xavier uniform with fanIn = fanOut = 3d.
          ParamTensor outW = param(t, n, ".out_proj.weight", new int[] {d, d}, 3 * d, 3 * d);
          ParamTensor outB = param(t, n, ".out_proj.bias", new int[] {d}, Init.ZEROS, d, d);
          yield new KernelCall.MultiHeadForward(List.of(n.name()), m, t.activation.get(n.input()),
              buffer("q_" + n.name(), Buffer.Kind.ACTIVATION, shape), buffer("k_" + n.name(), Buffer.Kind.ACTIVATION, shape),
              buffer("v_" + n.name(), Buffer.Kind.ACTIVATION, shape), buffer("o_" + n.name(), Buffer.Kind.ACTIVATION, shape),
              buffer("lse_" + n.name(), Buffer.Kind.ACTIVATION, shape.withDims(m.heads())), out, inW, inB, outW, outB, d);
        }
        case Layer.PositionEmbedding p -> {
          int positions = p.maxLength() > 0 ? p.maxLength() : shape.maxSteps();
          ParamTensor table = weight(t, n, new int[] {positions, shape.dim(0)}, Init.ZEROS, 1, 1);
          yield new KernelCall.PositionForward(List.of(n.name()), t.activation.get(n.input()), out, table, shape.dim(0));
        }
        case Layer.Conv c -> {
          Shape in = shaped.shape(n.input());
          KernelCall.ConvDims dims = convDims(c, in, shape);
          int fanIn = dims.patchSize();
          ParamTensor w = weight(t, n, new int[] {c.filters(), in.dim(0), c.kh(), c.kw()}, resolve(c.init(), c.activation()), fanIn,
              c.filters() * c.kh() * c.kw());
          ParamTensor b = c.bias() ? bias(t, n, c.filters(), Init.ZEROS, fanIn) : null;
          Buffer cols = new Buffer("cols_" + n.name(), Buffer.Kind.SCRATCH, dims.colsSize(), "[" + dims.patchSize() + ", " + dims.outHeight() * dims.outWidth() + "]");
          Activation act = reluIntoPool.contains(n.name()) ? Activation.NONE : c.activation();
          yield new KernelCall.ConvForward(List.of(n.name()), t.activation.get(n.input()), out, w, b, act, dims, cols);
        }
        case Layer.Pool p -> {
          boolean relu = reluIntoPool.contains(n.input());
          yield new KernelCall.PoolForward(relu ? List.of(n.input() + " (relu)", n.name()) : List.of(n.name()), p.max(), relu,
              t.activation.get(n.input()), out, poolDims(p, shaped.shape(n.input()), shape));
        }
        case Layer.Dropout d -> new KernelCall.DropoutForward(List.of(n.name()), d.rate(), t.activation.get(n.input()), out,
            buffer("mask_" + n.name(), Buffer.Kind.ACTIVATION, shape), shape.size());
        case Layer.BatchNorm b -> {
          int channels = shape.dim(0);
          int spatial = shape.size() / channels;
          ParamTensor gamma = weight(t, n, new int[] {channels}, Init.ONES, channels, channels);
          ParamTensor beta = bias(t, n, channels, Init.ZEROS, channels);
          ParamTensor mean = new ParamTensor(n.name() + ".running_mean", n.name(), new int[] {channels}, Init.ZEROS, 1, 1);
          ParamTensor var = new ParamTensor(n.name() + ".running_var", n.name(), new int[] {channels}, Init.ONES, 1, 1);
          t.state.add(mean);
          t.state.add(var);
          yield new KernelCall.BatchNormForward(List.of(n.name()), t.activation.get(n.input()), out, gamma, beta, mean, var,
              new Buffer("mean_" + n.name(), Buffer.Kind.SCRATCH, channels, "[" + channels + "]"),
              new Buffer("invstd_" + n.name(), Buffer.Kind.SCRATCH, channels, "[" + channels + "]"), b.momentum(), b.epsilon(), channels, spatial);
        }
        case Layer.Loss l -> null;
      };
      if (out != null) {
        t.activation.put(n.name(), out);
      }
      if (call != null) {
        forward.add(call);
        t.forwardCall.put(n.name(), call);
      }
    }

    Node lossNode = graph.loss();
    Buffer output = t.activation.get(graph.output().name());
    if (lossNode == null) {
      return new KernelProgram(shaped, t.params, t.state, inputs, null, output, forward, null, List.of());
    }
    Shape labelsShape = shaped.labelsShape();
    Buffer labels = new Buffer(lossNode.labels(), Buffer.Kind.LABELS, Math.max(1, labelsShape.size()), labelsShape.withBatch(),
        labelsShape.maxSteps());
    int ignoreIndex = ((Layer.Loss) lossNode.layer()).ignoreIndex();
    Shape scored = shaped.shape(lossNode.input());

    // Gradient slots: one per view root, so a flatten's gradient is its input's.
    for (String name : backward.gradientNodes()) {
      String root = BackwardDerivation.viewRoot(graph, name);
      Shape s = shaped.shape(root);
      t.gradient.computeIfAbsent(root, r -> buffer("d_" + r, Buffer.Kind.GRADIENT, s));
      t.gradient.put(name, t.gradient.get(root));
    }

    KernelCall.LossForward loss = null;
    List<BackwardCall> back = new ArrayList<>();
    Map<String, Buffer[]> stateGradients = new HashMap<>(); // {dhT, dcT} of a layer, from the layer it starts
    for (BackwardOp op : backward.ops()) {
      Node n = graph.node(op.node());
      List<String> covers = List.of(n.name());
      Buffer dy = t.gradient.get(n.name());
      switch (op) {
        case BackwardOp.LossGrad g -> loss = new KernelCall.LossForward(
            covers, g.kind(), t.activation.get(g.input()), labels, t.gradient.get(g.input()), scored.stepSize(), ignoreIndex);
        case BackwardOp.EmbeddingGrad e -> {
          KernelCall.EmbeddingForward f = (KernelCall.EmbeddingForward) t.forwardCall.get(n.name());
          back.add(new KernelCall.EmbeddingBackward(covers, f.ids(), dy, f.table(), f.vocab(), f.dim()));
        }
        case BackwardOp.RecurrentGrad r -> {
          KernelCall.RecurrentForward f = (KernelCall.RecurrentForward) t.forwardCall.get(n.name());
          boolean read = graph.order().stream().anyMatch(o -> o.dataInputs().contains(n.name()));
          Buffer outputGrad = read ? dy : null; // nothing reads the output: its gradient is never written
          boolean sequence = f.layer().returnSequences();
          Buffer[] stateGrad = stateGradients.get(n.name()); // written by the layer this one starts
          Buffer dhT = stateGrad != null ? stateGrad[0] : sequence ? null : outputGrad;
          Buffer dcT = stateGrad != null ? stateGrad[1] : null;
          Buffer[] initialGrad = new Buffer[2];
          if (n.state() != null) {
            Shape s = Shape.of(f.layer().units());
            initialGrad[0] = buffer("d_hT_" + n.state(), Buffer.Kind.GRADIENT, s);
            initialGrad[1] = f.c0() == null ? null : buffer("d_cT_" + n.state(), Buffer.Kind.GRADIENT, s);
            stateGradients.put(n.state(), initialGrad);
          }
          back.add(new KernelCall.RecurrentBackward(covers, f, sequence ? outputGrad : null, dhT, dcT,
              r.inputGrad() ? t.gradient.get(r.input()) : null, r.accumulate(), initialGrad[0], initialGrad[1]));
        }
        case BackwardOp.ActivationGrad a when a.activation() == Activation.GELU ->
            back.add(new KernelCall.GeluBackward(List.of(n.name() + " (gelu)"), t.preActivation.get(n.name()), dy));
        case BackwardOp.ActivationGrad a -> {
          if (a.activation() != Activation.NONE && a.activation() != Activation.STEP && !reluIntoPool.contains(n.name())) {
            back.add(new KernelCall.ActivationBackward(covers, a.activation(), dy, t.activation.get(n.name()), shaped.shape(n).size()));
          }
        }
        case BackwardOp.BiasGrad b -> back.add(new KernelCall.BiasGrad(covers, t.biases.get(n.name()), dy, shaped.shape(n).stepSize()));
        case BackwardOp.WeightGrad w -> back.add(new KernelCall.WeightGrad(covers, t.weights.get(n.name()),
            dy, t.activation.get(w.input()), shaped.shape(n).stepSize(), shaped.shape(w.input()).stepSize()));
        case BackwardOp.InputGrad g -> back.add(new KernelCall.InputGrad(covers, t.gradient.get(g.input()), dy,
            t.weights.get(n.name()), shaped.shape(n).stepSize(), shaped.shape(g.input()).stepSize(), g.accumulate()));
        case BackwardOp.ConvGrad c -> {
          KernelCall.ConvForward f = (KernelCall.ConvForward) t.forwardCall.get(n.name());
          int cols = f.dims().colsSize();
          String scratchShape = f.cols().shape();
          back.add(new KernelCall.ConvBackward(covers, f.x(), dy, f.weight(), f.bias(), c.inputGrad() ? t.gradient.get(c.input()) : null,
              c.accumulate(), f.dims(), new Buffer("cols_" + n.name() + "_back", Buffer.Kind.SCRATCH, cols, scratchShape),
              new Buffer("dcols_" + n.name(), Buffer.Kind.SCRATCH, cols, scratchShape)));
        }
        case BackwardOp.PoolGrad p -> {
          KernelCall.PoolForward f = (KernelCall.PoolForward) t.forwardCall.get(n.name());
          back.add(new KernelCall.PoolBackward(f.covers(), p.max(), f.relu(), f.x(), dy, t.gradient.get(p.input()), p.accumulate(), f.dims()));
        }
        case BackwardOp.DropoutGrad d -> {
          KernelCall.DropoutForward f = (KernelCall.DropoutForward) t.forwardCall.get(n.name());
          back.add(new KernelCall.DropoutBackward(covers, dy, f.mask(), t.gradient.get(d.input()), d.accumulate(), f.perSample()));
        }
        case BackwardOp.AttentionGrad a -> {
          KernelCall.AttentionForward f = (KernelCall.AttentionForward) t.forwardCall.get(n.name());
          Buffer ds = a.query() == null ? null : t.gradient.get(a.query().input());
          Buffer dh = a.keys() == null ? null : t.gradient.get(a.keys().input());
          // One accumulate flag serves both: a gradient written here first is zeroed, then added to.
          boolean accumulate = (a.query() != null && a.query().accumulate()) || (a.keys() != null && a.keys().accumulate());
          if (accumulate && a.query() != null && !a.query().accumulate()) {
            back.add(new KernelCall.ZeroFill(covers, ds));
          }
          if (accumulate && a.keys() != null && !a.keys().accumulate()) {
            back.add(new KernelCall.ZeroFill(covers, dh));
          }
          back.add(new KernelCall.AttentionBackward(covers, f, dy, ds, dh, accumulate));
        }
        case BackwardOp.ConcatGrad c -> {
          KernelCall.ConcatForward f = (KernelCall.ConcatForward) t.forwardCall.get(n.name());
          List<Buffer> dxs = new ArrayList<>();
          List<Boolean> accumulate = new ArrayList<>();
          int next = 0;
          for (String in : n.inputs()) {
            BackwardOp.Route r = next < c.routes().size() && c.routes().get(next).input().equals(in) ? c.routes().get(next++) : null;
            dxs.add(r == null ? null : t.gradient.get(in));
            accumulate.add(r != null && r.accumulate());
          }
          back.add(new KernelCall.ConcatBackward(covers, f, dy, dxs, accumulate));
        }
        case BackwardOp.AddGrad a -> {
          if (!a.routes().isEmpty()) {
            back.add(new KernelCall.AddBackward(covers, dy, a.routes().stream().map(r -> t.gradient.get(r.input())).toList(),
                a.routes().stream().map(BackwardOp.Route::accumulate).toList()));
          }
        }
        case BackwardOp.LayerNormGrad l -> {
          KernelCall.LayerNormForward f = (KernelCall.LayerNormForward) t.forwardCall.get(n.name());
          back.add(new KernelCall.LayerNormBackward(covers, f, dy, l.route() == null ? null : t.gradient.get(l.route().input()),
              l.route() != null && l.route().accumulate()));
        }
        case BackwardOp.MultiHeadGrad m -> {
          KernelCall.MultiHeadForward f = (KernelCall.MultiHeadForward) t.forwardCall.get(n.name());
          Shape s = shaped.shape(n);
          back.add(new KernelCall.MultiHeadBackward(covers, f, dy, m.route() == null ? null : t.gradient.get(m.route().input()),
              m.route() != null && m.route().accumulate(), buffer("d_q_" + n.name(), Buffer.Kind.GRADIENT, s),
              buffer("d_k_" + n.name(), Buffer.Kind.GRADIENT, s), buffer("d_v_" + n.name(), Buffer.Kind.GRADIENT, s),
              buffer("d_o_" + n.name(), Buffer.Kind.GRADIENT, s)));
        }
        case BackwardOp.PositionGrad p -> {
          KernelCall.PositionForward f = (KernelCall.PositionForward) t.forwardCall.get(n.name());
          back.add(new KernelCall.PositionBackward(covers, dy, p.route() == null ? null : t.gradient.get(p.route().input()),
              p.route() != null && p.route().accumulate(), f.table(), f.width()));
        }
        case BackwardOp.BatchNormGrad b -> {
          KernelCall.BatchNormForward f = (KernelCall.BatchNormForward) t.forwardCall.get(n.name());
          back.add(new KernelCall.BatchNormBackward(covers, f.x(), dy, f.gamma(), f.beta(), f.mean(), f.invStd(),
              b.inputGrad() ? t.gradient.get(b.input()) : null, b.accumulate(), f.channels(), f.spatial()));
        }
      }
    }
    if (loss == null) {
      // The scored node has no parameters upstream: the loss can be evaluated but nothing trains.
      loss = new KernelCall.LossForward(List.of(lossNode.name()), ((Layer.Loss) lossNode.layer()).kind(),
          t.activation.get(lossNode.input()), labels, null, scored.stepSize(), ignoreIndex);
    }
    return new KernelProgram(shaped, t.params, t.state, inputs, labels, output, forward, loss, back);
  }

  /**
   * Convolutions with ReLU whose only reader is a max-pool: their ReLU runs inside the pooling pass
   * (max commutes with the monotone ReLU, so maxpool(relu(x)) = relu(maxpool(x))).
   */
  private static java.util.Set<String> reluIntoMaxPool(Graph graph) {
    java.util.Set<String> fused = new java.util.HashSet<>();
    for (Node n : graph.order()) {
      if (n.layer() instanceof Layer.Conv c && c.activation() == Activation.RELU) {
        List<Node> readers = graph.consumers(n.name());
        if (readers.size() == 1 && readers.get(0).layer() instanceof Layer.Pool p && p.max()) {
          fused.add(n.name());
        }
      }
    }
    return fused;
  }

  /**
   * Adds that a layer norm reads, each mapped to its first layer-norm reader: the two run as one
   * pass ({@code y = LN(x + r)}, the sum kept for its other readers). Only two-input adds fuse.
   */
  private static Map<String, Node> addIntoLayerNorm(Graph graph) {
    Map<String, Node> fused = new HashMap<>();
    for (Node n : graph.order()) {
      if (n.layer() instanceof Layer.Add && n.inputs().size() == 2) {
        graph.consumers(n.name()).stream().filter(c -> c.layer() instanceof Layer.LayerNorm).findFirst()
            .ifPresent(norm -> fused.put(n.name(), norm));
      }
    }
    return fused;
  }

  /** A layer norm of {@code x} (plus {@code residual}, the sum written to {@code sum}) into {@code norm}'s output. */
  private KernelCall.LayerNormForward layerNorm(Tables t, Node norm, Shape shape, Buffer x, Buffer residual, Buffer sum, List<String> covers) {
    int width = shape.dim(0);
    ParamTensor gamma = weight(t, norm, new int[] {width}, Init.ONES, width, width);
    ParamTensor beta = bias(t, norm, width, Init.ZEROS, width);
    Buffer y = buffer(norm.name(), Buffer.Kind.ACTIVATION, shape);
    t.activation.put(norm.name(), y);
    return new KernelCall.LayerNormForward(covers, x, residual, sum, y, gamma, beta, buffer("mean_" + norm.name(), Buffer.Kind.ACTIVATION,
        shape.withDims(1)), buffer("rstd_" + norm.name(), Buffer.Kind.ACTIVATION, shape.withDims(1)), ((Layer.LayerNorm) norm.layer()).epsilon(), width);
  }

  /** A learned tensor {@code node + suffix}, Xavier uniform unless {@code init} says otherwise. */
  private static ParamTensor param(Tables t, Node n, String suffix, int[] shape, int fanIn, int fanOut) {
    return param(t, n, suffix, shape, Init.XAVIER_UNIFORM, fanIn, fanOut);
  }

  private static ParamTensor param(Tables t, Node n, String suffix, int[] shape, Init init, int fanIn, int fanOut) {
    ParamTensor p = new ParamTensor(n.name() + suffix, n.name(), shape, init, fanIn, fanOut);
    t.params.add(p);
    return p;
  }

  /** A buffer for a tensor of {@code shape}, a sequence when the shape is. */
  private static Buffer buffer(String name, Buffer.Kind kind, Shape shape) {
    return new Buffer(name, kind, shape.size(), shape.withBatch(), shape.maxSteps());
  }

  private static ParamTensor weight(Tables t, Node n, int[] shape, Init init, int fanIn, int fanOut) {
    ParamTensor w = new ParamTensor(n.name() + ".weight", n.name(), shape, init, fanIn, fanOut);
    t.params.add(w);
    t.weights.put(n.name(), w);
    return w;
  }

  private static ParamTensor bias(Tables t, Node n, int size, Init init, int fanIn) {
    ParamTensor b = new ParamTensor(n.name() + ".bias", n.name(), new int[] {size}, init, fanIn, size);
    t.params.add(b);
    t.biases.put(n.name(), b);
    return b;
  }

  static KernelCall.ConvDims convDims(Layer.Conv c, Shape in, Shape out) {
    ConvShape g = ConvShape.of(c, in);
    return new KernelCall.ConvDims(in.dim(0), in.dim(1), in.dim(2), c.filters(), c.kh(), c.kw(), c.stride(),
        g.padTop(), g.padLeft(), out.dim(1), out.dim(2));
  }

  static KernelCall.PoolDims poolDims(Layer.Pool p, Shape in, Shape out) {
    return new KernelCall.PoolDims(in.dim(0), in.dim(1), in.dim(2), p.size(), p.effectiveStride(), out.dim(1), out.dim(2));
  }

  /** DEFAULT: zeros for the perceptron's step (the classic start), He before ReLU, else Xavier. */
  static Init resolve(Init init, Activation activation) {
    if (init != Init.DEFAULT) {
      return init;
    }
    return switch (activation) {
      case STEP -> Init.ZEROS;
      case RELU -> Init.HE_NORMAL;
      default -> Init.XAVIER_NORMAL;
    };
  }
}
