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
   * says what the user most likely meant. Keras's [B, T·F] needs a T fixed at build time: that is a
   * float input declared without a time axis, which the fix for a flattened series names.
   */
  Shape flatten(Graph graph, Node node, Shape in) {
    if (in.isSequence()) {
      Node source = graph.node(node.input());
      String fix = source.layer() instanceof Layer.Recurrent r ? Messages.lastStateFix(source.name(), r.annotation(), r.units())
          : source.layer() instanceof Layer.Input series ? Messages.fixedLengthFix(source.name(), fixedLength(series), in.size())
          : Messages.perStepFix(node.name());
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.flattenSequence(node.name(), node.input(), in.withBatch(), fix));
      return null;
    }
    return in.withDims(in.stepSize());
  }

  /** The series' shape with its longest length as a fixed leading dim: {@code {6, 4}} for 6 steps of 4. */
  private static int[] fixedLength(Layer.Input series) {
    int[] step = series.shape();
    int[] fixed = new int[step.length + 1];
    fixed[0] = series.maxLength();
    System.arraycopy(step, 0, fixed, 1, step.length);
    return fixed;
  }
}
