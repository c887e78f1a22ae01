package io.kiln.processor.family.input;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeRules;

/**
 * The shape rules and attribute checks of one layer family. Inputs: a float {@code @Input} and
 * {@code @Tokens}.
 */
final class InputShapes extends ShapeRules {
  InputShapes(Report report) {
    super(report);
  }

  Shape input(Node node, Layer.Input in) {
    int[] dims = in.shape();
    if (dims.length == 0) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "shape", Messages.emptyInputShape(node.name()));
      return null;
    }
    for (int d : dims) {
      if (d < 1) {
        report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "shape", Messages.inputDimNotPositive(node.name(), dims));
        return null;
      }
    }
    // Check while multiplying: a long product of enough large dims wraps (65536^4 is 0) and would
    // pass a check made after the loop, then crash Shape.size() in a later pass.
    long size = 1;
    for (int d : dims) {
      size *= d;
      if (size > Integer.MAX_VALUE / 64) {
        break;
      }
    }
    if (size > Integer.MAX_VALUE / 64) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "shape", Messages.inputTooLarge(node.name(), dims));
      return null;
    }
    return Shape.of(dims);
  }

  Shape tokens(Node node, Layer.Tokens t) {
    if (t.maxLength() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "maxLength", Messages.notPositive(node.name(), "@Tokens", "maxLength", t.maxLength()));
      return null;
    }
    if (tooLarge(node, "maxLength", t.maxLength())) {
      return null;
    }
    return Shape.sequence(t.maxLength());
  }
}
