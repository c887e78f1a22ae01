package io.kiln.processor.family.norm;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeRules;

/**
 * The shape rules and attribute checks of one layer family. Batch normalization and dropout: the
 * output has the input's shape.
 */
final class BatchNormDropoutShapes extends ShapeRules {
  BatchNormDropoutShapes(Report report) {
    super(report);
  }

  Shape dropout(Node node, Layer.Dropout dropout, Shape in) {
    if (!(dropout.rate() >= 0 && dropout.rate() < 1)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "rate", Messages.dropoutRate(node.name(), dropout.rate()));
      return null;
    }
    if (in.isSequence() && in.rank() == 0) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.dropoutOverIds(node.name(), node.input(), in.withBatch()));
      return null;
    }
    return in;
  }

  /** {@code trainedBatch}: the model's maxBatch when it trains (has a loss), else 0. */
  Shape batchNorm(Node node, Layer.BatchNorm norm, Shape in, int trainedBatch) {
    boolean ok = true;
    if (!(norm.momentum() > 0 && norm.momentum() <= 1)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "momentum", Messages.batchNormMomentum(node.name(), norm.momentum()));
      ok = false;
    }
    if (!(norm.epsilon() > 0)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "epsilon", Messages.batchNormEpsilon(node.name(), norm.epsilon()));
      ok = false;
    } else if (!positiveFloat(node, "epsilon", norm.epsilon())) {
      ok = false;
    }
    if ((in.rank() != 1 && in.rank() != 3) || in.isSequence()) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.batchNormRank(node.name(), node.input(), in.withBatch()));
      ok = false;
    } else if (trainedBatch > 0 && (long) trainedBatch * (in.rank() == 3 ? (long) in.dim(1) * in.dim(2) : 1) < 2) {
      // Batch statistics of one value are undefined: every training step would throw (as PyTorch
      // does), so a model that can never train is refused here (found by DeclarationSpaceTest).
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.batchNormSingleValue(node.name(), node.input(), in.withBatch(), trainedBatch));
      ok = false;
    }
    return ok ? in : null;
  }
}
