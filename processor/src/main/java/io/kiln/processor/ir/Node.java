package io.kiln.processor.ir;

import io.kiln.processor.diag.SourceRef;
import io.kiln.processor.parse.Layer;
import java.util.List;

/**
 * A node of the model graph: a layer applied to the nodes it reads ({@code inputs}, by name).
 * A loss also has the name of its labels argument; a recurrent layer may have an initial
 * {@code state}: another recurrent layer, listed last among the inputs so ordering sees it.
 */
public record Node(String name, Layer layer, List<String> inputs, String labels, SourceRef ref, String state) {
  public Node {
    inputs = List.copyOf(inputs);
  }

  public Node(String name, Layer layer, List<String> inputs, String labels, SourceRef ref) {
    this(name, layer, inputs, labels, ref, null);
  }

  /** The nodes whose outputs this one reads as data: {@link #inputs()} less the initial state. */
  public List<String> dataInputs() {
    return state == null ? inputs : inputs.subList(0, inputs.size() - 1);
  }

  /** The single node this one reads; for layers of arity one. */
  public String input() {
    return inputs.get(0);
  }

  /** {@code @Input} or {@code @Tokens}: data the caller passes. */
  public boolean isInput() {
    return layer.isInput();
  }

  public boolean isLoss() {
    return layer.isLoss();
  }
}
