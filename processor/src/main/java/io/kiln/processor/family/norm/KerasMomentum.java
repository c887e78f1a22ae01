package io.kiln.processor.family.norm;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;

/**
 * Batch-norm momentum written in Keras's convention (the weight of the running value, 0.99) where
 * Kiln, like PyTorch, takes the weight of the new batch (0.1): the running statistics would then
 * track single batches, and evaluation would use them.
 */
final class KerasMomentum {
  /** Above this, momentum is far likelier Keras's convention than a deliberate choice. */
  static final double LIKELY_KERAS = 0.5;

  private KerasMomentum() {}

  static void check(Report report, Node node, Layer.BatchNorm norm) {
    if (norm.momentum() > LIKELY_KERAS && norm.momentum() < 1) {
      report.warning(ErrorId.BATCH_NORM_MOMENTUM, node.ref(), "momentum", Messages.kerasMomentum(node.name(), norm.momentum()));
    }
  }
}
