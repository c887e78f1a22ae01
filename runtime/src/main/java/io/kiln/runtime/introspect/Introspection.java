package io.kiln.runtime.introspect;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the last introspected step recorded, node by node in forward order (see {@link NodeProbe}
 * for the definitions). Obtained from {@link Introspectable#introspect(boolean)}; the generated
 * model writes into its probes while introspection is on and reads nothing from them.
 *
 * <p>Parameter gradient norms need no recording: read them with {@link io.kiln.runtime.GradientNorms}.
 */
public final class Introspection {
  private final String model;
  private final List<NodeProbe> nodes;

  public Introspection(String model, List<NodeProbe> nodes) {
    this.model = model;
    this.nodes = List.copyOf(nodes);
  }

  /** Every probed node, in forward order. */
  public List<NodeProbe> nodes() {
    return nodes;
  }

  /** The probe at {@code index} in forward order (the generated code's handle: no lookup per step). */
  public NodeProbe node(int index) {
    return nodes.get(index);
  }

  /**
   * The probe of the node called {@code name}.
   *
   * @throws IllegalArgumentException naming the nodes that are probed
   */
  public NodeProbe node(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException(model + " records no node '" + name
        + "'; the probed nodes are " + String.join(", ", nodes.stream().map(NodeProbe::name).toList())));
  }

  /** The probe of {@code name}, if that node is probed. */
  public Optional<NodeProbe> find(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
  }

  /**
   * The gate activations of the LSTM or GRU layer {@code name} in the last forward pass.
   *
   * @throws IllegalArgumentException if {@code name} is not an LSTM or GRU layer of the model
   */
  public GateActivations gates(String name) {
    return node(name).gates().orElseThrow(() -> new IllegalArgumentException(model + ": '" + name
        + "' has no gates; LSTM and GRU layers do (" + String.join(", ",
            nodes.stream().filter(n -> n.gates().isPresent()).map(NodeProbe::name).toList()) + ")"));
  }

  /** One line per node: activation statistics and the output gradient's norm. */
  public String table() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-12s %10s %10s %8s %8s %12s%n",
        "node", "mean", "std", "zeros", "satur.", "‖∂L/∂out‖"));
    for (NodeProbe n : nodes) {
      sb.append(String.format(Locale.ROOT, "%-12s %10.4f %10.4f %8.3f %8.3f %12.4e%n", n.name(), n.mean(), n.std(),
          n.zeroFraction(), n.saturatedFraction(), n.outputGradientNorm()));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "Introspection[" + model + ", " + nodes.size() + " nodes]";
  }
}
