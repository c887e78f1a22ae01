package io.kiln.processor.grad;

import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a layer family's backward rule sees and adds to: which nodes need a gradient, the backward
 * steps so far (from the loss back), the tensors the backward reads (kept after the forward), and
 * the gradient slots already written, so a second writer of a slot accumulates.
 */
public final class DerivationContext {
  private final Graph graph;
  private final Set<String> needsGrad;
  private final Set<String> written;
  private final List<BackwardOp> ops = new ArrayList<>();
  final Set<String> saved;

  public DerivationContext(Graph graph, Set<String> needsGrad, Set<String> written, Set<String> saved) {
    this.graph = graph;
    this.needsGrad = needsGrad;
    this.written = written;
    this.saved = saved;
  }

  /** The backward steps added so far, in the order the pass visited the nodes. */
  public List<BackwardOp> ops() {
    return ops;
  }

  public Graph graph() {
    return graph;
  }

  public boolean needsGrad(String node) {
    return needsGrad.contains(node);
  }

  public void add(BackwardOp op) {
    ops.add(op);
  }

  /** Keeps a node's own output for the backward (an activation's derivative reads y). */
  public void saveOutput(String node) {
    saved.add(node);
  }

  /** Keeps an input the backward re-reads (the memory it shares, for a view). */
  public void saveInput(String input) {
    saved.add(graph.viewRoot(input));
  }

  /** Marks {@code input}'s gradient slot written; false when another step wrote it first (so this one adds). */
  public boolean firstWrite(String input) {
    return written.add(graph.viewRoot(input));
  }

  /** A layer's input gradient: whether it is needed, and whether it adds to a slot another step wrote first. */
  public record InputGradient(boolean needed, boolean accumulate) {}

  /** For a layer whose backward re-reads its input: keeps the input, and says whether and how its gradient is written. */
  public InputGradient rereadsInput(String input) {
    saveInput(input);
    boolean needed = needsGrad(input);
    return new InputGradient(needed, needed && !firstWrite(input));
  }

  /** The routes of the inputs that need a gradient, in input order. */
  public List<BackwardOp.Route> routes(List<String> inputs) {
    List<BackwardOp.Route> routes = new ArrayList<>();
    for (String in : inputs) {
      BackwardOp.Route r = route(in);
      if (r != null) {
        routes.add(r);
      }
    }
    return routes;
  }

  /** The route of {@code input}'s gradient, or null when it needs none; marks its slot written. */
  public BackwardOp.Route route(String input) {
    if (!needsGrad.contains(input)) {
      return null;
    }
    return new BackwardOp.Route(input, !firstWrite(input));
  }
}
