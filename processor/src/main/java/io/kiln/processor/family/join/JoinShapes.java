package io.kiln.processor.family.join;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Node;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeRules;
import java.util.Map;

/**
 * The shape rules and attribute checks of one layer family. Joins: {@code @Concat} and {@code
 * @Add} over several inputs.
 */
final class JoinShapes extends ShapeRules {
  JoinShapes(Report report) {
    super(report);
  }

  Shape concat(Node node, Map<String, Shape> shapes) {
    Shape first = shapes.get(node.input());
    int width = first.rank() == 1 ? first.dim(0) : 0;
    // Each later input is checked against the first, so a bad first input is reported next to the
    // second one rather than against itself.
    for (String in : node.inputs().subList(1, node.inputs().size())) {
      Shape s = shapes.get(in);
      if (s.rank() != 1 || first.rank() != 1 || s.isSequence() != first.isSequence() || s.maxSteps() != first.maxSteps()) {
        String[] shown = Shape.distinguish(first, s);
        String fix = s.rank() != 1 || first.rank() != 1 ? Messages.flattenFirstFix(first.rank() != 1 ? node.input() : in)
            : s.isSequence() != first.isSequence() ? "join sequences with sequences (a last state with returnSequences = false is one vector per sample)"
            : "give the sequences' @Tokens inputs the same maxLength";
        report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.inputsDiffer(node.name(), "@Concat", node.input(), shown[0], in,
            shown[1], "that are vectors per sample or per step, all sequences of the same length or none", fix));
        return null;
      }
      width += s.dim(0);
    }
    return first.withDims(width);
  }

  Shape add(Node node, Map<String, Shape> shapes) {
    Shape first = shapes.get(node.input());
    for (String in : node.inputs()) {
      if (!shapes.get(in).equals(first)) {
        String[] shown = Shape.distinguish(first, shapes.get(in));
        Shape other = shapes.get(in);
        String fix = first.withBatch().equals(other.withBatch()) ? "give the sequences' @Tokens inputs the same maxLength"
            : first.rank() == 1 && other.rank() == 1 && first.isSequence() == other.isSequence()
                ? "a residual branch must keep the width: end " + in + "'s branch with a @Dense(units = " + first.dim(0) + ")"
                : first.rank() != 1 || other.rank() != 1 ? Messages.flattenFirstFix(first.rank() != 1 ? node.input() : in)
                : "add sequences to sequences and vectors to vectors (returnSequences = false gives one vector per sample)";
        report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.inputsDiffer(node.name(), "@Add", node.input(), shown[0], in,
            shown[1], "of the same shape", fix));
        return null;
      }
    }
    return first;
  }
}
