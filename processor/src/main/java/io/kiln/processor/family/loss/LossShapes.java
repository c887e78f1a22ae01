package io.kiln.processor.family.loss;

import io.kiln.dsl.Activation;
import io.kiln.dsl.LossKind;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.parse.ValueType;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeRules;

/**
 * The shape rules and attribute checks of one layer family. {@code @Loss}: the scored node and its
 * labels.
 */
final class LossShapes extends ShapeRules {
  LossShapes(Report report) {
    super(report);
  }

  Shape loss(Graph graph, Node node, LossKind kind, Shape in) {
    boolean ok = true;
    ValueType labels = graph.labelsType();
    Layer.Loss declared = (Layer.Loss) node.layer();
    if (declared.ignores() && kind != LossKind.SOFTMAX_CROSS_ENTROPY) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "ignoreIndex", Messages.ignoreIndexOnlySoftmax(node.name(), kind));
      ok = false;
    }
    switch (kind) {
      case SOFTMAX_CROSS_ENTROPY -> {
        if (in == null) {
          ok = false; // the scored node is broken: only the labels can be checked
        } else if (in.rank() != 1) {
          report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.lossNeedsVector(node.name(), kind, node.input(), in.withBatch()));
          ok = false;
        } else if (in.dim(0) < 2) {
          // Its fix (a sigmoid loss) takes the float targets too: float labels are not a second error.
          report.error(ErrorId.SHAPE_MISMATCH, node.ref(), "value", Messages.softmaxOneClass(node.name(), node.input(), in.withBatch()));
          return null;
        }
        if (labels != ValueType.INT_TENSOR) {
          report.error(ErrorId.LABELS, node.ref(), Messages.labelsType(node.name(), node.labels(), kind, ValueType.INT_TENSOR.javaName(), labels.javaName()));
          ok = false;
        }
      }
      case SIGMOID_BINARY_CROSS_ENTROPY, MEAN_SQUARED_ERROR, PERCEPTRON -> {
        if (in != null && graph.node(node.input()).layer() instanceof Layer.Tokens) {
          // Token ids are not scores (the generated class would not even compile): the loss reads the wrong node.
          report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.lossOverTokens(node.name(), kind, node.input(), in.withBatch()));
          ok = false;
        }
        if (labels != ValueType.TENSOR) {
          report.error(ErrorId.LABELS, node.ref(), Messages.labelsType(node.name(), node.labels(), kind, ValueType.TENSOR.javaName(), labels.javaName()));
          ok = false;
        }
        if (kind == LossKind.PERCEPTRON && in != null) {
          Node scored = graph.node(node.input());
          if (!(scored.layer() instanceof Layer.Dense d && d.activation() == Activation.STEP)) {
            report.error(ErrorId.STEP_ACTIVATION, node.ref(), "value", Messages.perceptronWithoutStep(node.name(), node.input()));
            ok = false;
          }
        }
      }
    }
    return ok && in != null ? Shape.of() : null;
  }
}
