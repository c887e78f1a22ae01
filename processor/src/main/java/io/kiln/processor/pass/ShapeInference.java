package io.kiln.processor.pass;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Report;
import io.kiln.processor.family.LayerDefinition;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.registry.Families;
import io.kiln.processor.shape.Misreading;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeContext;
import io.kiln.processor.shape.ShapedGraph;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape pass: asks each node's layer family to validate its attributes and infer its
 * per-sample shape from its inputs, reporting mismatches with the shapes involved and a fix. A node whose input is broken is
 * skipped silently, so one mistake is reported once, not again downstream.
 */
public final class ShapeInference {
  /** Where the model's diagnostics go; the rules report to {@link #report} first, see {@link #misread}. */
  private final Report target;
  private final Report report = new Report();
  /** False for the re-runs of {@link #misread}, which must not re-read again. */
  private final boolean rereads;

  public ShapeInference(Report target) {
    this(target, true);
  }

  private ShapeInference(Report target, boolean rereads) {
    this.target = target;
    this.rereads = rereads;
  }

  /** Returns the shaped graph, or null when an error was reported. */
  public ShapedGraph infer(Graph graph) {
    Map<String, Shape> shapes = new HashMap<>();
    ShapeContext context = new ShapeContext(report, graph, shapes);
    for (Node node : graph.order()) {
      LayerDefinition definition = Families.of(node.layer());
      if (!node.inputs().stream().allMatch(shapes::containsKey)) {
        definition.shapeWithBrokenInput(context, node);
        continue; // an input is broken and already reported
      }
      Shape shape = definition.shape(context, node);
      if (shape != null) {
        shapes.put(node.name(), shape);
      }
    }
    for (Node node : graph.order()) {
      Families.of(node.layer()).checkModel(context, node);
    }
    RepeatedBlocks.check(report, graph, shapes);
    if (!misread(graph)) {
      report.diagnostics().forEach(target::add);
    }
    return target.hasErrors() ? null : new ShapedGraph(graph, shapes);
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

  /** Each declaration's likely misreadings, in graph order. */
  private static List<Misreading> misreadings(Graph graph) {
    return graph.order().stream().flatMap(n -> Families.of(n.layer()).misreadings(graph, n).stream()).toList();
  }

  /** The diagnostics of the graph with {@code node} declared as {@code layer} instead. */
  private static Report reread(Graph graph, Node node, io.kiln.processor.parse.Layer layer) {
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
}
