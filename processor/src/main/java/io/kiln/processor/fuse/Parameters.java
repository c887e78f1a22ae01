package io.kiln.processor.fuse;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.processor.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The learned tensors and running statistics of a model, in declaration order: their PyTorch
 * names ({@code fc1.weight}, {@code l.weight_ih_l0}), initializers and the fans those use. One
 * place decides them, so a saved model's tensor names and a fresh model's weights do not depend on
 * which lowering created a tensor.
 */
public final class Parameters {
  public final List<ParamTensor> params = new ArrayList<>();
  public final List<ParamTensor> state = new ArrayList<>();
  private final Map<String, ParamTensor> weights = new HashMap<>();
  private final Map<String, ParamTensor> biases = new HashMap<>();

  /** A learned tensor {@code node + suffix}, Xavier uniform. */
  public ParamTensor param(Node n, String suffix, int[] shape, int fanIn, int fanOut) {
    return param(n, suffix, shape, Init.XAVIER_UNIFORM, fanIn, fanOut);
  }

  public ParamTensor param(Node n, String suffix, int[] shape, Init init, int fanIn, int fanOut) {
    ParamTensor p = new ParamTensor(n.name() + suffix, n.name(), shape, init, fanIn, fanOut);
    params.add(p);
    return p;
  }

  /** {@code node.weight}, which the backward lowering finds again by node. */
  public ParamTensor weight(Node n, int[] shape, Init init, int fanIn, int fanOut) {
    ParamTensor w = new ParamTensor(n.name() + ".weight", n.name(), shape, init, fanIn, fanOut);
    params.add(w);
    weights.put(n.name(), w);
    return w;
  }

  /** {@code node.bias}, which the backward lowering finds again by node. */
  public ParamTensor bias(Node n, int size, Init init, int fanIn) {
    ParamTensor b = new ParamTensor(n.name() + ".bias", n.name(), new int[] {size}, init, fanIn, size);
    params.add(b);
    biases.put(n.name(), b);
    return b;
  }

  /** The weight of {@code owner} registered under its name, created by {@code create} if it is the first. */
  public ParamTensor sharedWeight(String owner, java.util.function.Supplier<ParamTensor> create) {
    ParamTensor table = weights.get(owner);
    if (table == null) {
      table = create.get();
      params.add(table);
      weights.put(owner, table);
    }
    return table;
  }

  /** Saved with the model, not learned (batch-norm running statistics). */
  public ParamTensor state(Node n, String suffix, int channels, Init init) {
    ParamTensor s = new ParamTensor(n.name() + suffix, n.name(), new int[] {channels}, init, 1, 1);
    state.add(s);
    return s;
  }

  public ParamTensor weightOf(String node) {
    return weights.get(node);
  }

  public ParamTensor biasOf(String node) {
    return biases.get(node);
  }

  /** DEFAULT: zeros for the perceptron's step (the classic start), He before ReLU, else Xavier. */
  public static Init resolve(Init init, Activation activation) {
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
