package io.kiln.processor.shape;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.family.Families;
import io.kiln.processor.family.LayerDefinition;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import java.util.HashMap;
import java.util.Map;

/**
 * The shape pass: asks each node's layer family to validate its attributes and infer its
 * per-sample shape from its inputs, reporting mismatches with the shapes involved and a fix. A node whose input is broken is
 * skipped silently, so one mistake is reported once, not again downstream.
 */
public final class ShapeInference {
  private final Report report;

  public ShapeInference(Report report) {
    this.report = report;
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
    repeats(graph, shapes);
    return report.hasErrors() ? null : new ShapedGraph(graph, shapes);
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
        report.error(ErrorId.SHAPE_MISMATCH, repeat.ref(), "block", Messages.repeatChangesShape(repeat.name(), repeat.block(),
            repeat.times(), repeat.firstInput(), in.withBatch(), repeat.firstOutput(), out.withBatch(), repeat.outputNode()));
      }
    }
  }
}
