package io.kiln.processor.family.sequence;

import io.kiln.dsl.Activation;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeRules;

/** The shape rules and attribute checks of one layer family. Embeddings and recurrent layers. */
final class SequenceShapes extends ShapeRules {
  SequenceShapes(Report report) {
    super(report);
  }

  Shape embedding(Graph graph, Node node, Layer.Embedding e, Shape in) {
    boolean ok = true;
    if (e.vocab() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "vocab", Messages.notPositive(node.name(), "@Embedding", "vocab", e.vocab()));
      ok = false;
    }
    if (e.dim() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "dim", Messages.notPositive(node.name(), "@Embedding", "dim", e.dim()));
      ok = false;
    }
    if (ok && weightTooLarge(node, "vocab", e.vocab(), e.vocab(), e.dim())) {
      ok = false;
    }
    if (ok && (long) e.dim() * in.maxSteps() > LIMIT) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "dim", Messages.outputTooLarge(node.name(), "@Embedding", "dim", e.dim(),
          "[B, " + in.maxSteps() + ", " + e.dim() + "]"));
      ok = false;
    }
    if (!(graph.node(node.input()).layer() instanceof Layer.Tokens)) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.embeddingNeedsTokens(node.name(), node.input(), in.withBatch()));
      ok = false;
    }
    if (!e.shares().isEmpty()) {
      Node owner = graph.order().stream().filter(o -> o.name().equals(e.shares())).findFirst().orElse(null);
      if (owner == null || !(owner.layer() instanceof Layer.Embedding o) || !o.shares().isEmpty() || owner == node) {
        report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "shares", Messages.sharesNoEmbedding(node.name(), e.shares(),
            owner == null ? "names no node the model computes" : owner == node ? "names this node itself"
                : owner.layer() instanceof Layer.Embedding ? "shares another table itself" : "is " + owner.layer().annotation()));
        ok = false;
      } else if (o.vocab() != e.vocab() || o.dim() != e.dim()) {
        report.error(ErrorId.SHAPE_MISMATCH, node.ref(), "shares", Messages.sharedTableDiffers(node.name(), e.vocab(), e.dim(), owner.name(), o.vocab(), o.dim()));
        ok = false;
      }
    }
    return ok ? in.withDims(e.dim()) : null;
  }

  Shape recurrent(Graph graph, Node node, Layer.Recurrent r, Shape in) {
    boolean ok = true;
    if (node.state() != null) {
      Node source = graph.node(node.state());
      if (!(source.layer() instanceof Layer.Recurrent s && s.cell() == r.cell() && s.units() == r.units())) {
        String what = source.layer() instanceof Layer.Recurrent s
            ? s.annotation() + "(units = " + s.units() + ")" : "a " + source.layer().annotation() + " layer, not a recurrent one";
        report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.initialStateMismatch(node.name(), r.annotation(), r.units(), source.name(), what));
        ok = false;
      } else {
        // Only a layer declared earlier counts, so the second layer that reuses a state is the one reported.
        for (Node other : graph.order()) {
          if (other == node) {
            break;
          }
          if (source.name().equals(other.state())) {
            report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.stateTwice(node.name(), source.name(), other.name()));
            ok = false;
            break;
          }
        }
        if (!s.returnSequences()) {
          for (Node reader : graph.order()) {
            if (reader.dataInputs().contains(source.name())) {
              report.error(ErrorId.SHAPE_MISMATCH, source.ref(), Messages.stateAlsoRead(source.name(), node.name(), reader.name()));
              ok = false;
              break;
            }
          }
        }
      }
    }
    if (r.bidirectional() && !bidirectionalWithoutState(graph, node, r)) {
      ok = false;
    }
    if (r.units() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "units", Messages.notPositive(node.name(), r.annotation(), "units", r.units()));
      ok = false;
    }
    if (r.activation() != io.kiln.dsl.Activation.TANH && r.activation() != io.kiln.dsl.Activation.RELU) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "activation", Messages.rnnActivation(node.name(), r.activation()));
      ok = false;
    }
    if (!in.isSequence() || in.rank() != 1) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.needsSequence(node.name(), r.annotation(), node.input(), in.withBatch()));
      ok = false;
    }
    if (!ok || weightTooLarge(node, "units", r.units(), (long) r.cell().gates() * r.units(), Math.max(in.dim(0), r.units()))
        || (long) r.outputWidth() * in.maxSteps() > LIMIT
        && reportOutputTooLarge(node, "units", r.units(), "[B, " + in.maxSteps() + ", " + r.outputWidth() + "]")) {
      return null;
    }
    return r.returnSequences() ? in.withDims(r.outputWidth()) : Shape.of(r.outputWidth());
  }

  /**
   * A bidirectional layer's state is two directions' (and its last-state output is [B, 2·units]):
   * it neither starts from another layer's final state nor hands its own to one.
   */
  private boolean bidirectionalWithoutState(Graph graph, Node node, Layer.Recurrent r) {
    if (node.state() != null) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "bidirectional",
          Messages.bidirectionalInitialState(node.name(), r.annotation(), node.state()));
      return false;
    }
    for (Node next : graph.order()) {
      if (node.name().equals(next.state())) {
        report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "bidirectional",
            Messages.bidirectionalHandsOverState(node.name(), r.annotation(), next.name()));
        return false;
      }
    }
    return true;
  }
}
