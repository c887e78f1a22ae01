package io.kiln.processor.shape;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Node;

/**
 * What the shape rules of every layer family share: the report their errors go to, the size limit
 * and the checks that name a tensor or weight too large to plan.
 */
public abstract class ShapeRules {
  /** Floats allowed in one sample of a tensor or in one weight, as for an @Input: about 2^25. */
  protected static final int LIMIT = Integer.MAX_VALUE / 64;

  protected final Report report;

  protected ShapeRules(Report report) {
    this.report = report;
  }

  /**
   * Sizes, strides and paddings beyond 2^25 are mistakes (no tensor may hold more floats), and
   * checking them here keeps the arithmetic of the later rules inside int.
   */
  protected boolean tooLarge(Node node, String attribute, int value) {
    if (value > LIMIT) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), attribute, Messages.attributeTooLarge(node.name(), node.layer().annotation(), attribute, value));
      return true;
    }
    return false;
  }

  /** Reports a weight over 2^25 floats, its shape given as {@code dims} (computed in long). */
  protected boolean weightTooLarge(Node node, String attribute, int value, long... dims) {
    long size = 1;
    for (long d : dims) {
      size = Math.multiplyHigh(size, d) != 0 ? Long.MAX_VALUE : size * d;
      size = Math.min(size, Long.MAX_VALUE / 2);
    }
    if (size > LIMIT) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), attribute, Messages.weightTooLarge(node.name(), node.layer().annotation(), attribute, value,
          java.util.Arrays.stream(dims).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(", ", "[", "]"))));
      return true;
    }
    return false;
  }

  protected boolean reportOutputTooLarge(Node node, String attribute, int value, String shape) {
    report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), attribute, Messages.outputTooLarge(node.name(), node.layer().annotation(), attribute, value, shape));
    return true;
  }

  /**
   * A positive {@code double} attribute the generated code computes with as a {@code float}: it must
   * stay positive and finite there ({@code 1e300} becomes infinity and {@code Double.MIN_VALUE}
   * zero, and infinity is written as an identifier javac cannot resolve).
   */
  protected boolean positiveFloat(Node node, String attribute, double value) {
    float f = (float) value;
    if (value > 0 && !(f > 0 && Float.isFinite(f))) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), attribute, Messages.notAFloat(node.name(), node.layer().annotation(), attribute, value));
      return false;
    }
    return true;
  }

  /** Reports unless {@code in} is a sequence of vectors {@code [B, T, n]}; returns whether it is. */
  protected boolean sequenceOfVectors(Node node, String input, Shape in) {
    if (in.isSequence() && in.rank() == 1) {
      return true;
    }
    report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.needsSequenceVector(node.name(), node.layer().annotation(), input, in.withBatch()));
    return false;
  }
}
