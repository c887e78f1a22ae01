package io.kiln.processor.family.loss;

import io.kiln.dsl.Activation;
import io.kiln.dsl.LossKind;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.ShapedGraph;

/**
 * A sigmoid layer scored by a loss that applies a sigmoid or softmax itself: the classic
 * double-sigmoid of a model ported from code whose loss took probabilities. It still trains, badly.
 */
final class DoubleActivation {
  private DoubleActivation() {}

  /** {@code lossNode}: the model's loss; the activation is the scored layer's, a dense layer's or a convolution's. */
  static void check(ShapedGraph shaped, Report report, Node lossNode, Layer.Loss loss) {
    boolean appliesItsOwn = loss.kind() == LossKind.SIGMOID_BINARY_CROSS_ENTROPY || loss.kind() == LossKind.SOFTMAX_CROSS_ENTROPY;
    Node scored = shaped.graph().node(lossNode.input());
    Activation activation = switch (scored.layer()) {
      case Layer.Dense d -> d.activation();
      case Layer.Conv c -> c.activation();
      default -> Activation.NONE;
    };
    if (appliesItsOwn && activation == Activation.SIGMOID) {
      report.warning(ErrorId.DOUBLE_ACTIVATION, scored.ref(), "activation", Messages.doubleSigmoid(scored.name(), lossNode.name(), loss.kind()));
    }
  }
}
