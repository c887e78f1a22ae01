package io.kiln.processor.fuse;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.processor.grad.BackwardDerivation;
import io.kiln.processor.grad.BackwardGraph;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
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
 *   <li>dense + bias + activation become one GEMM with an epilogue;
 *   <li>the loss and its gradient become one pass ({@code LossGrad} folds into the loss call);
 *   <li>identity backward steps vanish: NONE and STEP activations pass the gradient through, and a
 *       {@code @Flatten} is a view that shares its input's memory forward and backward.
 * </ul>
 */
public final class Fusion {

  /** {@code backward} is null for a model without a loss. */
  public KernelProgram fuse(ShapedGraph shaped, BackwardGraph backward) {
    Graph graph = shaped.graph();
    Map<String, Buffer> activation = new HashMap<>();
    Map<String, Buffer> gradient = new HashMap<>();
    List<Buffer> inputs = new ArrayList<>();
    List<ParamTensor> params = new ArrayList<>();
    Map<String, ParamTensor> weights = new HashMap<>();
    Map<String, ParamTensor> biases = new HashMap<>();
    List<KernelCall> forward = new ArrayList<>();

    for (Node n : graph.order()) {
      Shape shape = shaped.shape(n);
      switch (n.layer()) {
        case Layer.Input in -> {
          Buffer b = new Buffer(n.name(), Buffer.Kind.INPUT, shape.size(), shape.withBatch());
          inputs.add(b);
          activation.put(n.name(), b);
        }
        case Layer.Flatten f -> activation.put(n.name(), activation.get(n.input()));
        case Layer.Dense d -> {
          int in = shaped.shape(n.input()).size();
          Init init = resolve(d.init(), d.activation());
          ParamTensor w = new ParamTensor(n.name() + ".weight", n.name(), new int[] {d.units(), in}, init, in, d.units());
          params.add(w);
          weights.put(n.name(), w);
          ParamTensor b = null;
          if (d.bias()) {
            b = new ParamTensor(n.name() + ".bias", n.name(), new int[] {d.units()}, Init.ZEROS, in, d.units());
            params.add(b);
            biases.put(n.name(), b);
          }
          Buffer y = new Buffer(n.name(), Buffer.Kind.ACTIVATION, shape.size(), shape.withBatch());
          activation.put(n.name(), y);
          forward.add(new KernelCall.DenseForward(List.of(n.name()), activation.get(n.input()), y, w, b, d.activation(), in, d.units()));
        }
        case Layer.Loss l -> { }
      }
    }

    Node lossNode = graph.loss();
    Buffer output = activation.get(graph.output().name());
    if (lossNode == null) {
      return new KernelProgram(shaped, params, inputs, null, output, forward, null, List.of());
    }
    Shape labelsShape = shaped.labelsShape();
    Buffer labels = new Buffer(lossNode.labels(), Buffer.Kind.LABELS, Math.max(1, labelsShape.size()), labelsShape.withBatch());
    Shape scored = shaped.shape(lossNode.input());

    // Gradient slots: one per view root, so a flatten's gradient is its input's.
    for (String name : backward.gradientNodes()) {
      String root = BackwardDerivation.viewRoot(graph, name);
      Shape s = shaped.shape(root);
      gradient.computeIfAbsent(root, r -> new Buffer("d_" + r, Buffer.Kind.GRADIENT, s.size(), s.withBatch()));
      gradient.put(name, gradient.get(root));
    }

    KernelCall.LossForward loss = null;
    List<KernelCall> back = new ArrayList<>();
    for (BackwardOp op : backward.ops()) {
      Node n = graph.node(op.node());
      switch (op) {
        case BackwardOp.LossGrad g -> loss = new KernelCall.LossForward(
            List.of(n.name()), g.kind(), activation.get(g.input()), labels, gradient.get(g.input()), scored.size());
        case BackwardOp.ActivationGrad a -> {
          if (a.activation() != Activation.NONE && a.activation() != Activation.STEP) {
            back.add(new KernelCall.ActivationBackward(List.of(n.name()), a.activation(), gradient.get(n.name()), activation.get(n.name()), shaped.shape(n).size()));
          }
        }
        case BackwardOp.BiasGrad b -> back.add(new KernelCall.BiasGrad(List.of(n.name()), biases.get(n.name()), gradient.get(n.name()), shaped.shape(n).size()));
        case BackwardOp.WeightGrad w -> back.add(new KernelCall.WeightGrad(List.of(n.name()), weights.get(n.name()),
            gradient.get(n.name()), activation.get(w.input()), shaped.shape(n).size(), shaped.shape(w.input()).size()));
        case BackwardOp.InputGrad g -> back.add(new KernelCall.InputGrad(List.of(n.name()), gradient.get(g.input()), gradient.get(n.name()),
            weights.get(n.name()), shaped.shape(n).size(), shaped.shape(g.input()).size(), g.accumulate()));
      }
    }
    if (loss == null) {
      // The scored node has no parameters upstream: the loss can be evaluated but nothing trains.
      loss = new KernelCall.LossForward(List.of(lossNode.name()), ((Layer.Loss) lossNode.layer()).kind(), activation.get(lossNode.input()), labels, null, scored.size());
    }
    return new KernelProgram(shaped, params, inputs, labels, output, forward, loss, back);
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
