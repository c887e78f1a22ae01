package io.kiln.processor.pass;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.registry.Families;
import io.kiln.processor.shape.Shape;
import java.util.Map;

/** The check a {@code @Repeat} needs after the walk: its block as a whole. */
final class RepeatedBlocks {
  private RepeatedBlocks() {}

  /**
   * Each copy of a repeated block reads the previous copy's output, so the block must give back
   * the shape it was given; otherwise the copies would silently get differently shaped weights.
   */
  static void check(Report report, Graph graph, Map<String, Shape> shapes) {
    for (var repeat : graph.spec().repeats()) {
      Shape in = shapes.get(repeat.firstInput());
      Shape out = shapes.get(repeat.firstOutput());
      if (repeat.times() > 1 && in != null && out != null && !in.equals(out)) {
        // Reported once, on the block's output member (the declaration to change), naming the @Repeat.
        Node output = graph.node(repeat.firstOutput());
        String attribute = in.rank() == 1 ? Families.of(output.layer()).widthAttribute() : null;
        report.error(ErrorId.SHAPE_MISMATCH, output.ref(), attribute, Messages.repeatChangesShape(repeat.name(), repeat.block(),
            repeat.times(), repeat.firstInput(), in.withBatch(), repeat.firstOutput(), repeat.outputNode(), out.withBatch(),
            in.rank() == 1 ? in.dim(0) : -1));
      }
    }
  }
}
