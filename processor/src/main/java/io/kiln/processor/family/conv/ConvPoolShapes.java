package io.kiln.processor.family.conv;

import io.kiln.dsl.Activation;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.ConvShape;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeRules;

/**
 * The shape rules and attribute checks of one layer family. Convolutions and pooling over {@code
 * [channels, height, width]}.
 */
final class ConvPoolShapes extends ShapeRules {
  ConvPoolShapes(Report report) {
    super(report);
  }

  Shape conv(Node node, Layer.Conv conv, Shape in) {
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
              + (ConvShape.looksChannelsLast(in.dims()) ? Messages.channelsLastHint(in.dims()) : ""));
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

  Shape pool(Node node, Layer.Pool pool, Shape in) {
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
}
