package io.kiln.processor.shape;

import io.kiln.dsl.Activation;
import io.kiln.dsl.LossKind;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.parse.ValueType;
import java.util.HashMap;
import java.util.Map;

/**
 * The shape pass: validates every attribute and infers each node's per-sample shape from its
 * inputs, reporting mismatches with the shapes involved and a fix. A node whose input is broken is
 * skipped silently, so one mistake is reported once, not again downstream.
 */
public final class ShapeInference {
  private final Report report;

  /** Floats allowed in one sample of a tensor or in one weight, as for an @Input: about 2^25. */
  static final int LIMIT = Integer.MAX_VALUE / 64;

  public ShapeInference(Report report) {
    this.report = report;
  }

  /** Returns the shaped graph, or null when an error was reported. */
  public ShapedGraph infer(Graph graph) {
    Map<String, Shape> shapes = new HashMap<>();
    for (Node node : graph.order()) {
      if (!node.inputs().stream().allMatch(shapes::containsKey)) {
        if (node.layer() instanceof Layer.Loss l) {
          loss(graph, node, l.kind(), null); // its labels are independent of the broken input: still check them
        }
        continue; // an input is broken and already reported
      }
      Shape shape = switch (node.layer()) {
        case Layer.Input in -> input(node, in);
        case Layer.Dense dense -> dense(graph, node, dense, shapes.get(node.input()));
        case Layer.Conv conv -> conv(node, conv, shapes.get(node.input()));
        case Layer.Pool pool -> pool(node, pool, shapes.get(node.input()));
        case Layer.Dropout dropout -> dropout(node, dropout, shapes.get(node.input()));
        case Layer.BatchNorm norm -> batchNorm(node, norm, shapes.get(node.input()));
        case Layer.Flatten f -> flatten(graph, node, shapes.get(node.input()));
        case Layer.Tokens t -> tokens(node, t);
        case Layer.Embedding e -> embedding(graph, node, e, shapes.get(node.input()));
        case Layer.Recurrent r -> recurrent(graph, node, r, shapes.get(node.input()));
        case Layer.Attention a -> attention(node, a, shapes.get(node.inputs().get(0)), shapes.get(node.inputs().get(1)));
        case Layer.Concat c -> concat(node, shapes);
        case Layer.Add a -> add(node, shapes);
        case Layer.LayerNorm norm -> layerNorm(node, norm, shapes.get(node.input()));
        case Layer.MultiHeadAttention m -> multiHead(node, m, shapes.get(node.input()));
        case Layer.PositionEmbedding p -> positions(graph, node, p, shapes.get(node.input()));
        case Layer.Loss loss -> loss(graph, node, loss.kind(), shapes.get(node.input()));
      };
      if (shape != null) {
        shapes.put(node.name(), shape);
      }
    }
    decoded(graph, shapes);
    repeats(graph, shapes);
    return report.hasErrors() ? null : new ShapedGraph(graph, shapes);
  }

  /** A decoded input needs per-step class scores to feed back, and there can be only one. */
  private void decoded(Graph graph, Map<String, Shape> shapes) {
    Node first = null;
    for (Node n : graph.order()) {
      if (!(n.layer() instanceof Layer.Tokens t && t.decoded())) {
        continue;
      }
      if (first != null) {
        report.error(ErrorId.BAD_ATTRIBUTE, n.ref(), "decoded", Messages.twoDecoded(n.name(), first.name()));
        continue;
      }
      first = n;
      Node output = graph.output();
      // A loss already reported (its input or its labels) makes the output check meaningless.
      boolean lossBroken = graph.loss() != null && !shapes.containsKey(graph.loss().name());
      Shape out = output == null || lossBroken ? null : shapes.get(output.name());
      boolean softmax = graph.loss() != null && ((Layer.Loss) graph.loss().layer()).kind() == LossKind.SOFTMAX_CROSS_ENTROPY;
      if (out != null && (!softmax || !out.isSequence() || out.rank() != 1)) {
        report.error(ErrorId.BAD_ATTRIBUTE, n.ref(), "decoded", Messages.decodedNeedsOutput(n.name(), output.name(), out.withBatch()));
      } else if (out != null) {
        // Decoding feeds each step's argmax back as the next id: every class must be an id the
        // embeddings reading this input have a row for.
        for (Node reader : graph.consumers(n.name())) {
          if (reader.layer() instanceof Layer.Embedding e && e.vocab() >= 1 && out.dim(0) > e.vocab()) {
            String attribute = output.layer() instanceof Layer.Dense ? "units" : null;
            report.error(ErrorId.SHAPE_MISMATCH, output.ref(), attribute,
                Messages.decodedClassesExceedVocab(output.name(), out.dim(0), n.name(), reader.name(), e.vocab()));
          }
        }
      }
      // Greedy decoding feeds predictions back one step at a time: every layer must be causal in this input.
      java.util.Set<String> downstream = new java.util.HashSet<>(java.util.List.of(n.name()));
      // Copies of a repeated block (b.0.attn, b.1.attn) are one declaration: one error for all.
      java.util.Set<String> reported = new java.util.HashSet<>();
      for (Node m : graph.order()) {
        boolean reads = m.inputs().stream().anyMatch(downstream::contains);
        if (!reads) {
          continue;
        }
        downstream.add(m.name());
        boolean lookAhead = m.layer() instanceof Layer.MultiHeadAttention h && !h.causal()
            || m.layer() instanceof Layer.Attention && downstream.contains(m.inputs().get(1));
        if (lookAhead && reported.add(m.name().replaceFirst("\\.\\d+\\.", "."))) {
          report.error(ErrorId.BAD_ATTRIBUTE, n.ref(), "decoded", Messages.decodedSeesAhead(n.name(), m.name(), m.layer().annotation()));
        }
      }
    }
  }

  /**
   * Flatten views one sample as a vector. A sequence's steps cannot be folded into one vector
   * while T is dynamic, and keeping them apart would make a following layer run per step (a
   * sequence classifier silently becoming a tagger), so a sequence is refused with the fix that
   * says what the user most likely meant.
   */
  private Shape flatten(Graph graph, Node node, Shape in) {
    if (in.isSequence()) {
      Node source = graph.node(node.input());
      String fix = source.layer() instanceof Layer.Recurrent r
          ? Messages.lastStateFix(source.name(), r.annotation(), r.units())
          : Messages.perStepFix(node.name());
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.flattenSequence(node.name(), node.input(), in.withBatch(), fix));
      return null;
    }
    return in.withDims(in.stepSize());
  }

  /**
   * Each copy of a repeated block reads the previous copy's output, so the block must give back
   * the shape it was given; otherwise the copies would silently get differently shaped weights.
   */
  private void repeats(Graph graph, Map<String, Shape> shapes) {
    for (var repeat : graph.spec().repeats()) {
      Shape in = shapes.get(repeat.firstInput());
      Shape out = shapes.get(repeat.firstOutput());
      if (repeat.times() > 1 && in != null && out != null && !in.equals(out)) {
        report.error(ErrorId.SHAPE_MISMATCH, repeat.ref(), "block", Messages.repeatChangesShape(repeat.name(), repeat.block(),
            repeat.times(), repeat.firstInput(), in.withBatch(), repeat.firstOutput(), out.withBatch(), repeat.outputNode()));
      }
    }
  }

  /**
   * Sizes, strides and paddings beyond 2^25 are mistakes (no tensor may hold more floats), and
   * checking them here keeps the arithmetic of the later rules inside int.
   */
  private boolean tooLarge(Node node, String attribute, int value) {
    if (value > LIMIT) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), attribute, Messages.attributeTooLarge(node.name(), node.layer().annotation(), attribute, value));
      return true;
    }
    return false;
  }

  /** Reports a weight over 2^25 floats, its shape given as {@code dims} (computed in long). */
  private boolean weightTooLarge(Node node, String attribute, int value, long... dims) {
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

  private Shape input(Node node, Layer.Input in) {
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

  private Shape dense(Graph graph, Node node, Layer.Dense dense, Shape in) {
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

  private Shape conv(Node node, Layer.Conv conv, Shape in) {
    boolean ok = true;
    if (conv.filters() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "filters", Messages.notPositive(node.name(), "@Conv", "filters", conv.filters()));
      ok = false;
    }
    if (conv.kernel() != 0 && (conv.kernelHeight() != 0 || conv.kernelWidth() != 0)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "kernel", Messages.kernelTwice(node.name()));
      ok = false;
    } else if (conv.kernel() == 0 && (conv.kernelHeight() == 0 || conv.kernelWidth() == 0)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), conv.kernelHeight() == 0 && conv.kernelWidth() == 0 ? null : conv.kernelHeight() == 0 ? "kernelWidth" : "kernelHeight",
          Messages.kernelMissing(node.name()));
      ok = false;
    } else if (conv.kh() < 1 || conv.kw() < 1) {
      String attribute = conv.kernel() != 0 ? "kernel" : conv.kernelHeight() < 1 ? "kernelHeight" : "kernelWidth";
      // The value of the attribute named (min(kh, kw) showed kernelWidth's value under kernelHeight).
      int value = conv.kernel() != 0 ? conv.kernel() : conv.kernelHeight() < 1 ? conv.kernelHeight() : conv.kernelWidth();
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), attribute, Messages.notPositive(node.name(), "@Conv", attribute, value));
      ok = false;
    }
    if (conv.stride() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "stride", Messages.notPositive(node.name(), "@Conv", "stride", conv.stride()));
      ok = false;
    }
    if (conv.pad() < 0) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "pad", Messages.padNegative(node.name(), conv.pad()));
      ok = false;
    } else if (conv.pad() > 0 && conv.padding() != io.kiln.dsl.Padding.EXPLICIT) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "pad", Messages.padWithoutExplicit(node.name(), conv.pad(), conv.padding()));
      ok = false;
    }
    if (conv.activation() == Activation.GELU) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "activation", Messages.geluOnlyDense(node.name(), "@Conv"));
      ok = false;
    }
    ok &= !tooLarge(node, "stride", conv.stride()) & !tooLarge(node, "pad", conv.pad())
        & !tooLarge(node, conv.kernel() != 0 ? "kernel" : "kernelHeight", conv.kh()) & !tooLarge(node, conv.kernel() != 0 ? "kernel" : "kernelWidth", conv.kw());
    if (in.rank() != 3 || in.isSequence()) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.needsImage(node.name(), "@Conv", node.input(), in.dims()));
      return null;
    }
    if (!ok) {
      return null;
    }
    ConvShape geometry = ConvShape.of(conv, in);
    if (geometry.outHeight() < 1 || geometry.outWidth() < 1) {
      // Underline the kernel attribute that does not fit (kernelWidth when only the width fails).
      String attribute = conv.kernel() != 0 ? "kernel" : geometry.outHeight() < 1 ? "kernelHeight" : "kernelWidth";
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), attribute,
          Messages.kernelLargerThanInput(node.name(), conv.kh(), conv.kw(), node.input(), in.withBatch(), conv.padding(),
              in.dim(1) + geometry.padTotalHeight(), in.dim(2) + geometry.padTotalWidth())
              + (io.kiln.processor.lint.Lint.looksChannelsLast(in.dims()) ? Messages.channelsLastHint(in.dims()) : ""));
      return null;
    }
    if ((double) conv.filters() * in.dim(0) * conv.kh() * conv.kw() > LIMIT) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "filters", Messages.weightTooLarge(node.name(), "@Conv", "filters", conv.filters(),
          "[" + conv.filters() + ", " + in.dim(0) + ", " + conv.kh() + ", " + conv.kw() + "]"));
      return null;
    }
    if ((long) conv.filters() * geometry.outHeight() * geometry.outWidth() > LIMIT) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "filters", Messages.outputTooLarge(node.name(), "@Conv", "filters", conv.filters(),
          "[B, " + conv.filters() + ", " + geometry.outHeight() + ", " + geometry.outWidth() + "]"));
      return null;
    }
    return Shape.of(conv.filters(), geometry.outHeight(), geometry.outWidth());
  }

  private Shape pool(Node node, Layer.Pool pool, Shape in) {
    boolean ok = true;
    if (pool.size() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "size", Messages.notPositive(node.name(), pool.annotation(), "size", pool.size()));
      ok = false;
    }
    if (pool.stride() < 0) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "stride", Messages.poolStrideNegative(node.name(), pool.annotation(), pool.stride()));
      ok = false;
    }
    ok &= !tooLarge(node, "size", pool.size()) & !tooLarge(node, "stride", pool.stride());
    if (in.rank() != 3 || in.isSequence()) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.needsImage(node.name(), pool.annotation(), node.input(), in.dims()));
      return null;
    }
    if (!ok) {
      return null;
    }
    int oh = Math.floorDiv(in.dim(1) - pool.size(), pool.effectiveStride()) + 1;
    int ow = Math.floorDiv(in.dim(2) - pool.size(), pool.effectiveStride()) + 1;
    if (oh < 1 || ow < 1) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), "size", Messages.poolTooLarge(node.name(), pool.annotation(), pool.size(), node.input(), in.withBatch()));
      return null;
    }
    return Shape.of(in.dim(0), oh, ow);
  }

  private Shape dropout(Node node, Layer.Dropout dropout, Shape in) {
    if (!(dropout.rate() >= 0 && dropout.rate() < 1)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "rate", Messages.dropoutRate(node.name(), dropout.rate()));
      return null;
    }
    return in;
  }

  private Shape batchNorm(Node node, Layer.BatchNorm norm, Shape in) {
    boolean ok = true;
    if (!(norm.momentum() > 0 && norm.momentum() <= 1)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "momentum", Messages.batchNormMomentum(node.name(), norm.momentum()));
      ok = false;
    }
    if (!(norm.epsilon() > 0)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "epsilon", Messages.batchNormEpsilon(node.name(), norm.epsilon()));
      ok = false;
    }
    if ((in.rank() != 1 && in.rank() != 3) || in.isSequence()) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.batchNormRank(node.name(), node.input(), in.withBatch()));
      ok = false;
    }
    return ok ? in : null;
  }

  private Shape tokens(Node node, Layer.Tokens t) {
    if (t.maxLength() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "maxLength", Messages.notPositive(node.name(), "@Tokens", "maxLength", t.maxLength()));
      return null;
    }
    if (tooLarge(node, "maxLength", t.maxLength())) {
      return null;
    }
    return Shape.sequence(t.maxLength());
  }

  private Shape embedding(Graph graph, Node node, Layer.Embedding e, Shape in) {
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

  private Shape recurrent(Graph graph, Node node, Layer.Recurrent r, Shape in) {
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
        || (long) r.units() * in.maxSteps() > LIMIT && reportOutputTooLarge(node, "units", r.units(), "[B, " + in.maxSteps() + ", " + r.units() + "]")) {
      return null;
    }
    return r.returnSequences() ? in.withDims(r.units()) : Shape.of(r.units());
  }

  private boolean reportOutputTooLarge(Node node, String attribute, int value, String shape) {
    report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), attribute, Messages.outputTooLarge(node.name(), node.layer().annotation(), attribute, value, shape));
    return true;
  }

  /** Reports unless {@code in} is a sequence of vectors {@code [B, T, n]}; returns whether it is. */
  private boolean sequenceOfVectors(Node node, String input, Shape in) {
    if (in.isSequence() && in.rank() == 1) {
      return true;
    }
    report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.needsSequenceVector(node.name(), node.layer().annotation(), input, in.withBatch()));
    return false;
  }

  private Shape attention(Node node, Layer.Attention a, Shape query, Shape keys) {
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
    // One context vector per query step: the query's length (a decoder's target), the keys' width.
    return ok ? query.withDims(keys.dim(0)) : null;
  }

  private Shape concat(Node node, Map<String, Shape> shapes) {
    Shape first = shapes.get(node.input());
    int width = first.rank() == 1 ? first.dim(0) : 0;
    // Each later input is checked against the first, so a bad first input is reported next to the
    // second one rather than against itself.
    for (String in : node.inputs().subList(1, node.inputs().size())) {
      Shape s = shapes.get(in);
      if (s.rank() != 1 || first.rank() != 1 || s.isSequence() != first.isSequence() || s.maxSteps() != first.maxSteps()) {
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

  private Shape add(Node node, Map<String, Shape> shapes) {
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
        report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.inputsDiffer(node.name(), "@Add", node.input(), shown[0], in,
            shown[1], "of the same shape", fix));
        return null;
      }
    }
    return first;
  }

  private Shape layerNorm(Node node, Layer.LayerNorm norm, Shape in) {
    boolean ok = true;
    if (!(norm.epsilon() > 0)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "epsilon", Messages.layerNormEpsilon(node.name(), norm.epsilon()));
      ok = false;
    }
    if (in.rank() != 1) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), Messages.layerNormRank(node.name(), node.input(), in.withBatch()));
      ok = false;
    }
    return ok ? in : null;
  }

  private Shape multiHead(Node node, Layer.MultiHeadAttention m, Shape in) {
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

  private Shape positions(Graph graph, Node node, Layer.PositionEmbedding p, Shape in) {
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

  private Shape loss(Graph graph, Node node, LossKind kind, Shape in) {
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
