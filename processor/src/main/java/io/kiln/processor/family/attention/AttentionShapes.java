package io.kiln.processor.family.attention;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeRules;

/**
 * The shape rules and attribute checks of one layer family. Attention, layer norm, multi-head
 * attention and position embeddings.
 */
final class AttentionShapes extends ShapeRules {
  AttentionShapes(Report report) {
    super(report);
  }

  Shape attention(Node node, Layer.Attention a, Shape query, Shape keys) {
    boolean ok = sequenceOfVectors(node, node.inputs().get(0), query);
    ok &= sequenceOfVectors(node, node.inputs().get(1), keys);
    if (a.units() < 0 || (a.units() > 0 && a.score() != io.kiln.dsl.Score.ADDITIVE)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "units", Messages.attentionUnits(node.name(), a.units(), a.score()));
      ok = false;
    } else if (ok && weightTooLarge(node, "units", a.units(), a.units(), Math.max(query.dim(0), keys.dim(0)))) {
      ok = false;
    }
    if (ok && query.dim(0) != keys.dim(0)) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.attentionWidths(node.name(), node.inputs().get(0), query.withBatch(),
          node.inputs().get(1), keys.withBatch()));
      ok = false;
    }
    // The weights α [T, T] per sample are kept for backward, T the longest of the two sequences
    // (as the generated workspace sizes them): checked in long, since 10^6 steps overflowed the
    // workspace size when the generated class loaded (found by DeclarationSpaceTest).
    long steps = Math.max(query.maxSteps(), keys.maxSteps());
    if (ok && steps * steps > LIMIT) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), Messages.attentionTooLong(node.name(), node.inputs().get(0), node.inputs().get(1), steps));
      ok = false;
    }
    // One context vector per query step: the query's length (a decoder's target), the keys' width.
    return ok ? query.withDims(keys.dim(0)) : null;
  }

  Shape layerNorm(Node node, Layer.LayerNorm norm, Shape in) {
    boolean ok = true;
    if (!(norm.epsilon() > 0)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "epsilon", Messages.layerNormEpsilon(node.name(), norm.epsilon()));
      ok = false;
    } else if (!positiveFloat(node, "epsilon", norm.epsilon())) {
      ok = false;
    }
    if (in.rank() != 1) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.layerNormRank(node.name(), node.input(), in.withBatch()));
      ok = false;
    }
    return ok ? in : null;
  }

  Shape multiHead(Node node, Layer.MultiHeadAttention m, Shape in) {
    boolean ok = sequenceOfVectors(node, node.input(), in);
    if (m.heads() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "heads", Messages.notPositive(node.name(), "@MultiHeadAttention", "heads", m.heads()));
      ok = false;
    } else if (ok && in.dim(0) % m.heads() != 0) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), "heads", Messages.headsNotDividing(node.name(), m.heads(), node.input(), in.withBatch(), in.dim(0)));
      ok = false;
    }
    return ok ? in : null;
  }

  Shape positions(Graph graph, Node node, Layer.PositionEmbedding p, Shape in) {
    boolean ok = sequenceOfVectors(node, node.input(), in);
    if (p.maxLength() < 0) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "maxLength", Messages.positionsNegative(node.name(), p.maxLength()));
      ok = false;
    } else if (ok && weightTooLarge(node, "maxLength", p.maxLength(), Math.max(p.maxLength(), in.maxSteps()), in.dim(0))) {
      ok = false;
    } else if (ok && p.maxLength() > 0 && p.maxLength() < in.maxSteps()) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), "maxLength", Messages.contextTooLong(node.name(), p.maxLength(), node.input(), in.maxSteps()));
      ok = false;
    }
    return ok ? in : null;
  }
}
