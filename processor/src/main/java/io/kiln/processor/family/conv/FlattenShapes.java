package io.kiln.processor.family.conv;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeRules;

/**
 * The shape rules and attribute checks of one layer family. {@code @Flatten}: a view of a sample
 * as one vector.
 */
final class FlattenShapes extends ShapeRules {
  FlattenShapes(Report report) {
    super(report);
  }

  /**
   * Flatten views one sample as a vector. A sequence's steps cannot be folded into one vector
   * while T is dynamic, and keeping them apart would make a following layer run per step (a
   * sequence classifier silently becoming a tagger), so a sequence is refused with the fix that
   * says what the user most likely meant.
   */
  Shape flatten(Graph graph, Node node, Shape in) {
    if (in.isSequence()) {
      Node source = graph.node(node.input());
      String fix = source.layer() instanceof Layer.Recurrent r
          ? Messages.lastStateFix(source.name(), r.annotation(), r.units())
          : Messages.perStepFix(node.name());
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.flattenSequence(node.name(), node.input(), in.withBatch(), fix));
      return null;
    }
    return in.withDims(in.stepSize());
  }
}
