package io.kiln.processor.grad;

import io.kiln.dsl.Activation;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.ShapedGraph;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The grad pass: walks the graph from the loss back to the inputs and emits each node's backward
 * rule. Gradients flow only into nodes that lead back to a parameter; a {@code @Flatten} passes
 * its gradient through unchanged (it is a view), so its input's gradient is its own.
 */
public final class BackwardDerivation {

  /** Returns the backward graph, or null for a model without a loss (inference only). */
  public BackwardGraph derive(ShapedGraph shaped) {
    Graph graph = shaped.graph();
    Node loss = graph.loss();
    if (loss == null) {
      return null;
    }
    Set<String> needsGrad = new HashSet<>();
    for (Node n : graph.order()) {
      boolean hasParameters = n.layer().learns();
      boolean passesGradient = !n.isInput() && !n.isLoss() && n.dataInputs().stream().anyMatch(needsGrad::contains);
      if (hasParameters || passesGradient) {
        needsGrad.add(n.name());
      }
    }
    List<BackwardOp> ops = new ArrayList<>();
    Set<String> saved = new LinkedHashSet<>();
    Set<String> written = new HashSet<>(); // gradient slots (by view root) already written
    List<Node> reversed = new ArrayList<>(graph.order());
    java.util.Collections.reverse(reversed);
    for (Node n : reversed) {
      switch (n.layer()) {
        case Layer.Loss l -> {
          if (needsGrad.contains(n.input())) {
            ops.add(new BackwardOp.LossGrad(n.name(), l.kind(), n.input()));
            written.add(viewRoot(graph, n.input()));
          }
        }
        case Layer.Dense d -> {
          if (d.activation() != Activation.NONE) {
            ops.add(new BackwardOp.ActivationGrad(n.name(), d.activation()));
            if (d.activation() != Activation.STEP) {
              saved.add(n.name()); // f'(z) is computed from the output y; STEP passes straight through
            }
          }
          if (d.bias()) {
            ops.add(new BackwardOp.BiasGrad(n.name()));
          }
          ops.add(new BackwardOp.WeightGrad(n.name(), n.input()));
          saved.add(viewRoot(graph, n.input()));
          if (needsGrad.contains(n.input())) {
            boolean accumulate = !written.add(viewRoot(graph, n.input()));
            ops.add(new BackwardOp.InputGrad(n.name(), n.input(), accumulate));
          }
        }
        case Layer.Conv c -> {
          if (c.activation() != Activation.NONE) {
            ops.add(new BackwardOp.ActivationGrad(n.name(), c.activation()));
            if (c.activation() != Activation.STEP) {
              saved.add(n.name());
            }
          }
          saved.add(viewRoot(graph, n.input()));
          boolean inputGrad = needsGrad.contains(n.input());
          boolean accumulate = inputGrad && !written.add(viewRoot(graph, n.input()));
          ops.add(new BackwardOp.ConvGrad(n.name(), n.input(), inputGrad, accumulate));
        }
        case Layer.Pool p -> {
          if (needsGrad.contains(n.input())) {
            if (p.max()) {
              saved.add(viewRoot(graph, n.input()));
            }
            ops.add(new BackwardOp.PoolGrad(n.name(), n.input(), p.max(), !written.add(viewRoot(graph, n.input()))));
          }
        }
        case Layer.Dropout d -> {
          if (needsGrad.contains(n.input())) {
            ops.add(new BackwardOp.DropoutGrad(n.name(), n.input(), !written.add(viewRoot(graph, n.input()))));
          }
        }
        case Layer.BatchNorm b -> {
          saved.add(viewRoot(graph, n.input()));
          boolean inputGrad = needsGrad.contains(n.input());
          boolean accumulate = inputGrad && !written.add(viewRoot(graph, n.input()));
          ops.add(new BackwardOp.BatchNormGrad(n.name(), n.input(), inputGrad, accumulate));
        }
        case Layer.Embedding e -> ops.add(new BackwardOp.EmbeddingGrad(n.name()));
        case Layer.Recurrent r -> {
          saved.add(viewRoot(graph, n.input()));
          boolean inputGrad = needsGrad.contains(n.input());
          boolean accumulate = inputGrad && !written.add(viewRoot(graph, n.input()));
          ops.add(new BackwardOp.RecurrentGrad(n.name(), n.input(), inputGrad, accumulate));
        }
        case Layer.Attention a -> {
          saved.addAll(List.of(viewRoot(graph, n.inputs().get(0)), viewRoot(graph, n.inputs().get(1))));
          BackwardOp.Route query = route(graph, needsGrad, written, n.inputs().get(0));
          BackwardOp.Route keys = route(graph, needsGrad, written, n.inputs().get(1));
          ops.add(new BackwardOp.AttentionGrad(n.name(), query, keys));
        }
        case Layer.Concat c -> ops.add(new BackwardOp.ConcatGrad(n.name(), routes(graph, needsGrad, written, n.inputs())));
        case Layer.Add a -> ops.add(new BackwardOp.AddGrad(n.name(), routes(graph, needsGrad, written, n.inputs())));
        case Layer.LayerNorm l -> {
          saved.add(viewRoot(graph, n.input()));
          ops.add(new BackwardOp.LayerNormGrad(n.name(), route(graph, needsGrad, written, n.input())));
        }
        case Layer.MultiHeadAttention m -> {
          saved.add(viewRoot(graph, n.input()));
          ops.add(new BackwardOp.MultiHeadGrad(n.name(), route(graph, needsGrad, written, n.input())));
        }
        case Layer.PositionEmbedding p -> ops.add(new BackwardOp.PositionGrad(n.name(), route(graph, needsGrad, written, n.input())));
        case Layer.Tokens t -> { }
        case Layer.Flatten f -> { } // a view: its gradient slot is its input's
        case Layer.Input i -> { }
      }
    }
    return new BackwardGraph(shaped, ops, needsGrad, saved);
  }

  /** The routes of the inputs that need a gradient, in input order. */
  private static List<BackwardOp.Route> routes(Graph graph, Set<String> needsGrad, Set<String> written, List<String> inputs) {
    List<BackwardOp.Route> routes = new ArrayList<>();
    for (String in : inputs) {
      BackwardOp.Route r = route(graph, needsGrad, written, in);
      if (r != null) {
        routes.add(r);
      }
    }
    return routes;
  }

  /** The route of {@code input}'s gradient, or null when it needs none; marks its slot written. */
  private static BackwardOp.Route route(Graph graph, Set<String> needsGrad, Set<String> written, String input) {
    if (!needsGrad.contains(input)) {
      return null;
    }
    return new BackwardOp.Route(input, !written.add(viewRoot(graph, input)));
  }

  /** The node whose memory {@code name} shares: itself, or for a flatten the root of its input. */
  public static String viewRoot(Graph graph, String name) {
    Node n = graph.node(name);
    while (n.layer() instanceof Layer.Flatten) {
      n = graph.node(n.input());
    }
    return n.name();
  }
}
