package io.kiln.processor.family.join;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.diag.SourceMessages;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
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

  Shape concat(Graph graph, Node node, Map<String, Shape> shapes) {
    Shape first = shapes.get(node.input());
    int width = first.rank() == 1 ? first.dim(0) : 0;
    // Each later input is checked against the first, so a bad first input is reported next to the
    // second one rather than against itself.
    for (String in : node.inputs().subList(1, node.inputs().size())) {
      Shape s = shapes.get(in);
      if (s.rank() != 1 || first.rank() != 1 || s.isSequence() != first.isSequence() || s.maxSteps() != first.maxSteps()) {
        if (swappedAttention(graph, node, node.input(), in, shapes) || swappedAttention(graph, node, in, node.input(), shapes)) {
          return null;
        }
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

  /**
   * An {@code @Attention} gives one vector per step of its first input, the query; when that length
   * differs from {@code other}'s but its keys' length matches, its two inputs are swapped, and the
   * attention is the line to change. Reports it there; returns whether it did.
   */
  private boolean swappedAttention(Graph graph, Node concat, String joined, String other, Map<String, Shape> shapes) {
    Node attention = graph.node(joined);
    if (!(attention.layer() instanceof Layer.Attention)) {
      return false;
    }
    Shape query = shapes.get(attention.inputs().get(0));
    Shape keys = shapes.get(attention.inputs().get(1));
    Shape against = shapes.get(other);
    if (!query.isSequence() || !against.isSequence() || query.maxSteps() == against.maxSteps() || keys.maxSteps() != against.maxSteps()) {
      return false;
    }
    String[] shown = Shape.distinguish(query, against);
    report.error(ErrorId.SHAPE_MISMATCH, attention.ref(), SourceMessages.attentionInputsSwapped(attention.name(), attention.inputs().get(0),
        shown[0], attention.inputs().get(1), concat.name(), other, shown[1]));
    return true;
  }

  Shape add(Graph graph, Node node, Map<String, Shape> shapes) {
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
        // A residual branch ending on a @Dense of the wrong width: that @Dense is the line to change.
        boolean branchWidth = fix.startsWith("a residual") && graph.node(in).layer() instanceof Layer.Dense;
        report.error(ErrorId.SHAPE_MISMATCH, branchWidth ? graph.node(in).ref() : node.ref(), branchWidth ? "units" : null,
            Messages.inputsDiffer(node.name(), "@Add", node.input(), shown[0], in, shown[1], "of the same shape", fix));
        return null;
      }
    }
    return first;
  }
}
