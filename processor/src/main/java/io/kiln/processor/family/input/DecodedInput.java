package io.kiln.processor.family.input;

import io.kiln.dsl.LossKind;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
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
          String attribute = output.layer() instanceof Layer.Dense ? "units" : null;
          report.error(ErrorId.SHAPE_MISMATCH, output.ref(), attribute,
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
          || m.layer() instanceof Layer.Attention && downstream.contains(m.inputs().get(1));
      // An attention whose output is already reported broken downstream (its inputs swapped, so the
      // shapes do not meet) is that one mistake: looking ahead is not a second one.
      boolean brokenDownstream = graph.consumers(m.name()).stream().anyMatch(c -> !shapes.containsKey(c.name()));
      if (lookAhead && !brokenDownstream && reported.add(m.name().replaceFirst("\\.\\d+\\.", "."))) {
        report.error(ErrorId.BAD_ATTRIBUTE, n.ref(), "decoded", Messages.decodedSeesAhead(n.name(), m.name(), m.layer().annotation()));
      }
    }
  }
}
