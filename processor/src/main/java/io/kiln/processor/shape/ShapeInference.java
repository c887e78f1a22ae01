package io.kiln.processor.shape;

import io.kiln.dsl.LossKind;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape pass: validates every attribute and infers each node's per-sample shape from its
 * inputs, reporting mismatches with the shapes involved and a fix. A node whose input is broken is
 * skipped silently, so one mistake is reported once, not again downstream.
 */
public final class ShapeInference {
  /** Where the model's diagnostics go; the rules report to {@link #report} first, see {@link #misread}. */
  private final Report target;
  private final Report report = new Report();
  /** False for the re-runs of {@link #misread}, which must not re-read again. */
  private final boolean rereads;
  private final InputShapes inputShapes;
  private final DenseShapes denseShapes;
  private final FlattenShapes flattenShapes;
  private final ConvPoolShapes convPoolShapes;
  private final BatchNormDropoutShapes batchNormDropoutShapes;
  private final SequenceShapes sequenceShapes;
  private final AttentionShapes attentionShapes;
  private final JoinShapes joinShapes;
  private final LossShapes lossShapes;

  public ShapeInference(Report target) {
    this(target, true);
  }

  private ShapeInference(Report target, boolean rereads) {
    this.target = target;
    this.rereads = rereads;
    this.inputShapes = new InputShapes(report);
    this.denseShapes = new DenseShapes(report);
    this.flattenShapes = new FlattenShapes(report);
    this.convPoolShapes = new ConvPoolShapes(report);
    this.batchNormDropoutShapes = new BatchNormDropoutShapes(report);
    this.sequenceShapes = new SequenceShapes(report);
    this.attentionShapes = new AttentionShapes(report);
    this.joinShapes = new JoinShapes(report);
    this.lossShapes = new LossShapes(report);
  }

  /** Returns the shaped graph, or null when an error was reported. */
  public ShapedGraph infer(Graph graph) {
    Map<String, Shape> shapes = new HashMap<>();
    for (Node node : graph.order()) {
      if (!node.inputs().stream().allMatch(shapes::containsKey)) {
        if (node.layer() instanceof Layer.Loss l) {
          lossShapes.loss(graph, node, l.kind(), null); // its labels are independent of the broken input: still check them
        }
        continue; // an input is broken and already reported
      }
      Shape shape = switch (node.layer()) {
        case Layer.Input in -> inputShapes.input(node, in);
        case Layer.Dense dense -> denseShapes.dense(graph, node, dense, shapes.get(node.input()));
        case Layer.Conv conv -> convPoolShapes.conv(node, conv, shapes.get(node.input()));
        case Layer.Pool pool -> convPoolShapes.pool(node, pool, shapes.get(node.input()));
        case Layer.Dropout dropout -> batchNormDropoutShapes.dropout(node, dropout, shapes.get(node.input()));
        case Layer.BatchNorm norm -> batchNormDropoutShapes.batchNorm(node, norm, shapes.get(node.input()));
        case Layer.Flatten f -> flattenShapes.flatten(graph, node, shapes.get(node.input()));
        case Layer.Tokens t -> inputShapes.tokens(node, t);
        case Layer.Embedding e -> sequenceShapes.embedding(graph, node, e, shapes.get(node.input()));
        case Layer.Recurrent r -> sequenceShapes.recurrent(graph, node, r, shapes.get(node.input()));
        case Layer.Attention a -> attentionShapes.attention(node, a, shapes.get(node.inputs().get(0)), shapes.get(node.inputs().get(1)));
        case Layer.Concat c -> joinShapes.concat(graph, node, shapes);
        case Layer.Add a -> joinShapes.add(graph, node, shapes);
        case Layer.LayerNorm norm -> attentionShapes.layerNorm(node, norm, shapes.get(node.input()));
        case Layer.MultiHeadAttention m -> attentionShapes.multiHead(node, m, shapes.get(node.input()));
        case Layer.PositionEmbedding p -> attentionShapes.positions(graph, node, p, shapes.get(node.input()));
        case Layer.Loss loss -> lossShapes.loss(graph, node, loss.kind(), shapes.get(node.input()));
      };
      if (shape != null) {
        shapes.put(node.name(), shape);
      }
    }
    decoded(graph, shapes);
    repeats(graph, shapes);
    if (!misread(graph)) {
      report.diagnostics().forEach(target::add);
    }
    return target.hasErrors() ? null : new ShapedGraph(graph, shapes);
  }

  /**
   * A declaration read another way, and the error that names it, for {@link #misread}. A reading
   * that moves two values (a swap) is claimed only when neither {@code halves}, moving one of them,
   * explains the errors: otherwise one size disagrees with another declaration, and which of the two
   * is wrong is not known.
   */
  private record Misreading(Node node, Layer reread, List<Layer> halves, String attribute, String message) {}

  /**
   * Declarations people write in the wrong order: a channels-last image ({@code {28, 28, 1}}), an
   * embedding's vocab and dim swapped. The mistake then surfaces at a later layer that no longer
   * fits, though the line to change is the declaration's.
   */
  private static List<Misreading> misreadings(Graph graph) {
    List<Misreading> found = new java.util.ArrayList<>();
    for (Node node : graph.order()) {
      if (ConvShape.channelsLastImage(graph, node)) {
        int[] d = ((Layer.Input) node.layer()).shape();
        found.add(new Misreading(node, new Layer.Input(new int[] {d[2], d[0], d[1]}), List.of(), "shape", Messages.channelsLastBreaks(node.name(), d)));
      } else if (node.layer() instanceof Layer.Embedding e && e.vocab() != e.dim() && e.vocab() >= 1 && e.dim() >= 1) {
        found.add(new Misreading(node, new Layer.Embedding(e.dim(), e.vocab(), e.shares()),
            List.of(new Layer.Embedding(e.dim(), e.dim(), e.shares()), new Layer.Embedding(e.vocab(), e.vocab(), e.shares())), "vocab",
            Messages.embeddingSwapped(node.name(), e.vocab(), e.dim())));
      }
    }
    return found;
  }

  /**
   * When reading exactly one declaration the other way clears errors and adds none, that declaration
   * is the mistake: it gets one error, and the layers it broke are not reported. When several would
   * (two embeddings sharing a table), or the one already reported would, the errors stay where they
   * are: which side is wrong is not known. Returns whether it moved them.
   */
  private boolean misread(Graph graph) {
    if (!rereads || !report.hasErrors()) {
      return false;
    }
    java.util.Set<String> found = new java.util.HashSet<>();
    java.util.Set<io.kiln.processor.diag.SourceRef> blamed = new java.util.HashSet<>();
    report.diagnostics().forEach(d -> {
      found.add(d.text());
      blamed.add(d.ref());
    });
    Misreading culprit = null;
    Report culpritRest = null;
    for (Misreading m : misreadings(graph)) {
      Report again = reread(graph, m.node(), m.reread());
      if (explains(again, found) && m.halves().stream().noneMatch(half -> explains(reread(graph, m.node(), half), found))) {
        if (culprit != null || blamed.contains(m.node().ref())) {
          return false;
        }
        culprit = m;
        culpritRest = again;
      }
    }
    if (culprit == null) {
      return false;
    }
    target.error(ErrorId.SHAPE_MISMATCH, culprit.node().ref(), culprit.attribute(), culprit.message());
    culpritRest.diagnostics().forEach(target::add);
    return true;
  }

  /** The diagnostics of the graph with {@code node} declared as {@code layer} instead. */
  private static Report reread(Graph graph, Node node, Layer layer) {
    Node reread = new Node(node.name(), layer, node.inputs(), node.labels(), node.ref(), node.state());
    List<Node> order = graph.order().stream().map(n -> n == node ? reread : n).toList();
    Report again = new Report();
    new ShapeInference(again, false).infer(new Graph(graph.spec(), order, graph.output(), graph.loss(), graph.labelsType()));
    return again;
  }

  /** Whether a re-read has fewer errors than {@link #report} and none it did not have. */
  private boolean explains(Report again, java.util.Set<String> found) {
    return errors(again) < errors(report) && again.diagnostics().stream().allMatch(d -> found.contains(d.text()));
  }

  private static long errors(Report r) {
    return r.diagnostics().stream().filter(x -> x.severity() == io.kiln.processor.diag.Diagnostic.Severity.ERROR).count();
  }

  /** A decoded input needs per-step class scores to feed back, and there can be only one. */
  private void decoded(Graph graph, Map<String, Shape> shapes) {
    Node first = null;
    for (Node n : graph.order()) {
      if (!(n.layer() instanceof Layer.Tokens t && t.decoded())) {
        continue;
      }
      if (first != null) {
        report.error(ErrorId.BAD_ATTRIBUTE, n.ref(), "decoded", Messages.twoDecoded(n.name(), first.name()));
        continue;
      }
      first = n;
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
      // Greedy decoding feeds predictions back one step at a time: every layer must be causal in this input.
      java.util.Set<String> downstream = new java.util.HashSet<>(java.util.List.of(n.name()));
      // Copies of a repeated block (b.0.attn, b.1.attn) are one declaration: one error for all.
      java.util.Set<String> reported = new java.util.HashSet<>();
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
          // The line to change is the attention's (causal = true, or other keys), not the input's.
          Node entry = m.layer() instanceof Layer.Attention ? lookAheadEntry(graph, m) : m;
          report.error(ErrorId.BAD_ATTRIBUTE, entry.ref(), entry == m ? Messages.decodedSeesAhead(n.name(), m.name(), m.layer().annotation())
              : Messages.decodedKeysSeeAhead(n.name(), entry.name(), m.name()));
        }
      }
    }
  }

  /**
   * The node that brings a decoded input into an {@code @Attention}'s keys: on the keys' side only, it
   * reads a node of the query's side (an encoder reading the target's embedding). Reading the wrong
   * node there is the mistake; without such a node the attention itself is (its inputs swapped).
   */
  private static Node lookAheadEntry(Graph graph, Node attention) {
    java.util.Set<String> query = ancestors(graph, attention.inputs().get(0));
    java.util.Set<String> keys = ancestors(graph, attention.inputs().get(1));
    for (Node n : graph.order()) {
      if (keys.contains(n.name()) && !query.contains(n.name()) && n.dataInputs().stream().anyMatch(query::contains)) {
        return n;
      }
    }
    return attention;
  }

  /** {@code name} and the nodes it reads as data, transitively (an initial state is not data). */
  private static java.util.Set<String> ancestors(Graph graph, String name) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(name));
    while (!todo.isEmpty()) {
      String next = todo.pop();
      if (seen.add(next)) {
        todo.addAll(graph.node(next).dataInputs());
      }
    }
    return seen;
  }

  /**
   * Each copy of a repeated block reads the previous copy's output, so the block must give back
   * the shape it was given; otherwise the copies would silently get differently shaped weights.
   */
  private void repeats(Graph graph, Map<String, Shape> shapes) {
    for (var repeat : graph.spec().repeats()) {
      Shape in = shapes.get(repeat.firstInput());
      Shape out = shapes.get(repeat.firstOutput());
      if (repeat.times() > 1 && in != null && out != null && !in.equals(out)) {
        // Reported once, on the block's output member (the declaration to change), naming the @Repeat.
        Node output = graph.node(repeat.firstOutput());
        String attribute = output.layer() instanceof Layer.Dense && in.rank() == 1 ? "units" : null;
        report.error(ErrorId.SHAPE_MISMATCH, output.ref(), attribute, Messages.repeatChangesShape(repeat.name(), repeat.block(),
            repeat.times(), repeat.firstInput(), in.withBatch(), repeat.firstOutput(), repeat.outputNode(), out.withBatch(),
            in.rank() == 1 ? in.dim(0) : -1));
      }
    }
  }
}
