package io.kiln.processor.family.input;

import io.kiln.dsl.LossKind;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.diag.SourceMessages;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeContext;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A decoded input needs per-step class scores to feed back, and there can be only one; greedy
 * decoding feeds predictions back one step at a time, so every layer reading it must be causal.
 */
final class DecodedInput {
  private final Report report;
  private final Graph graph;
  private final Map<String, Shape> shapes;

  DecodedInput(ShapeContext context) {
    this.report = context.report();
    this.graph = context.graph();
    this.shapes = context.shapes();
  }

  void check(Node n) {
    Node first = graph.order().stream().filter(m -> m.layer() instanceof Layer.Tokens t && t.decoded()).findFirst().orElseThrow();
    if (first != n) {
      report.error(ErrorId.BAD_ATTRIBUTE, n.ref(), "decoded", Messages.twoDecoded(n.name(), first.name()));
      return;
    }
    Node output = graph.output();
    // A loss already reported (its input or its labels) makes the output check meaningless.
    boolean lossBroken = graph.loss() != null && !shapes.containsKey(graph.loss().name());
    Shape out = output == null || lossBroken ? null : shapes.get(output.name());
    boolean softmax = graph.loss() != null && ((Layer.Loss) graph.loss().layer()).kind() == LossKind.SOFTMAX_CROSS_ENTROPY;
    if (out != null && (!softmax || !out.isSequence() || out.rank() != 1)) {
      report.error(ErrorId.BAD_ATTRIBUTE, n.ref(), "decoded", Messages.decodedNeedsOutput(n.name(), output.name(), out.withBatch()));
    } else if (out != null) {
      // Decoding feeds each step's argmax back as the next id: every class must be an id the
      // embeddings reading this input have a row for.
      for (Node reader : graph.consumers(n.name())) {
        if (reader.layer() instanceof Layer.Embedding e && e.vocab() >= 1 && out.dim(0) > e.vocab()) {
          // Scores from a layer that is not a classifier (a recurrent state) mean the loss reads the wrong node.
          boolean dense = output.layer() instanceof Layer.Dense;
          report.error(ErrorId.SHAPE_MISMATCH, dense ? output.ref() : graph.loss().ref(), dense ? "units" : null,
              Messages.decodedClassesExceedVocab(output.name(), out.dim(0), n.name(), reader.name(), e.vocab()));
        }
      }
    }
    seesAhead(n);
  }

  /** Greedy decoding feeds predictions back one step at a time: every layer must be causal in this input. */
  private void seesAhead(Node n) {
    Set<String> downstream = new HashSet<>(List.of(n.name()));
    // Copies of a repeated block (b.0.attn, b.1.attn) are one declaration: one error for all.
    Set<String> reported = new HashSet<>();
    for (Node m : graph.order()) {
      boolean reads = m.inputs().stream().anyMatch(downstream::contains);
      if (!reads) {
        continue;
      }
      downstream.add(m.name());
      boolean lookAhead = m.layer() instanceof Layer.MultiHeadAttention h && !h.causal()
          || m.layer() instanceof Layer.Attention && downstream.contains(m.inputs().get(1))
          || m.layer() instanceof Layer.Recurrent r && r.bidirectional();
      // An attention whose output is already reported broken downstream (its inputs swapped, so the
      // shapes do not meet) is that one mistake: looking ahead is not a second one.
      boolean brokenDownstream = graph.consumers(m.name()).stream().anyMatch(c -> !shapes.containsKey(c.name()));
      if (lookAhead && !brokenDownstream && reported.add(m.name().replaceFirst("\\.\\d+\\.", "."))) {
        // The line to change is the attention's (causal = true, or other keys), not the input's.
        Node entry = m.layer() instanceof Layer.Attention ? lookAheadEntry(m) : m;
        String message = m.layer() instanceof Layer.Recurrent ? Messages.decodedReadsBackwards(n.name(), m.name(), m.layer().annotation())
            : entry == m ? Messages.decodedSeesAhead(n.name(), m.name(), m.layer().annotation())
            : SourceMessages.decodedKeysSeeAhead(n.name(), entry.name(), m.name());
        report.error(ErrorId.BAD_ATTRIBUTE, entry.ref(), message);
      }
    }
  }

  /**
   * The node that brings a decoded input into an {@code @Attention}'s keys: on the keys' side only, it
   * reads a node of the query's side (an encoder reading the target's embedding). Reading the wrong
   * node there is the mistake; without such a node the attention itself is (its inputs swapped).
   */
  private Node lookAheadEntry(Node attention) {
    Set<String> query = ancestors(attention.inputs().get(0));
    Set<String> keys = ancestors(attention.inputs().get(1));
    for (Node n : graph.order()) {
      if (keys.contains(n.name()) && !query.contains(n.name()) && n.dataInputs().stream().anyMatch(query::contains)) {
        return n;
      }
    }
    return attention;
  }

  /** {@code name} and the nodes it reads as data, transitively (an initial state is not data). */
  private Set<String> ancestors(String name) {
    Set<String> seen = new HashSet<>();
    java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(name));
    while (!todo.isEmpty()) {
      String next = todo.pop();
      if (seen.add(next)) {
        todo.addAll(graph.node(next).dataInputs());
      }
    }
    return seen;
  }
}
