package io.kiln.processor.family.dense;

import io.kiln.dsl.Activation;
import io.kiln.dsl.LossKind;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeRules;

/**
 * The shape rules and attribute checks of one layer family. Dense layers: a vector per sample, or
 * per step of a sequence.
 */
final class DenseShapes extends ShapeRules {
  DenseShapes(Report report) {
    super(report);
  }

  Shape dense(Graph graph, Node node, Layer.Dense dense, Shape in) {
    boolean ok = true;
    if (dense.units() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "units", Messages.notPositive(node.name(), "@Dense", "units", dense.units()));
      ok = false;
    }
    if (in.rank() != 1) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.denseNeedsVector(node.name(), node.input(), in.withBatch(), in.rank(),
          graph.node(node.input()).layer() instanceof Layer.Tokens, in.isSequence()));
      ok = false;
    }
    if (dense.activation() == Activation.STEP) {
      for (Node consumer : graph.consumers(node.name())) {
        if (!(consumer.layer() instanceof Layer.Loss loss && loss.kind() == LossKind.PERCEPTRON)) {
          report.error(ErrorId.STEP_ACTIVATION, node.ref(), "activation", Messages.stepWithoutPerceptron(node.name(), consumer.name()));
          ok = false;
          break;
        }
      }
    }
    if (ok && (long) dense.units() * in.dim(0) > LIMIT) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "units", Messages.weightTooLarge(node.name(), "@Dense", "units", dense.units(),
          "[" + dense.units() + ", " + in.dim(0) + "]"));
      ok = false;
    }
    return ok ? in.withDims(dense.units()) : null;
  }
}
