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

  private static boolean padCoversWindow(io.kiln.processor.parse.Layer.Conv conv) {
    return conv.padding() == io.kiln.dsl.Padding.EXPLICIT && (conv.padW() >= conv.spanW() || conv.axes() == 2 && conv.padH() >= conv.spanH());
  }

  Shape conv(Node node, Layer.Conv conv, Shape in) {
    boolean ok = true;
    String annotation = conv.annotation();
    if (conv.filters() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "filters", Messages.notPositive(node.name(), annotation, "filters", conv.filters()));
      ok = false;
    }
    if (conv.axes() == 1) {
      if (conv.kernel() < 1) {
        report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "kernel", Messages.notPositive(node.name(), annotation, "kernel", conv.kernel()));
        ok = false;
      }
    } else if (conv.kernel() != 0 && (conv.kernelHeight() != 0 || conv.kernelWidth() != 0)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "kernel", ConvMessages.kernelTwice(node.name()));
      ok = false;
    } else if (conv.kernel() == 0 && (conv.kernelHeight() == 0 || conv.kernelWidth() == 0)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), conv.kernelHeight() == 0 && conv.kernelWidth() == 0 ? null : conv.kernelHeight() == 0 ? "kernelWidth" : "kernelHeight",
          ConvMessages.kernelMissing(node.name()));
      ok = false;
    } else if (conv.kh() < 1 || conv.kw() < 1) {
      String attribute = conv.kernel() != 0 ? "kernel" : conv.kernelHeight() < 1 ? "kernelHeight" : "kernelWidth";
      // The value of the attribute named (min(kh, kw) showed kernelWidth's value under kernelHeight).
      int value = conv.kernel() != 0 ? conv.kernel() : conv.kernelHeight() < 1 ? conv.kernelHeight() : conv.kernelWidth();
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), attribute, Messages.notPositive(node.name(), annotation, attribute, value));
      ok = false;
    }
    ok &= perAxis(node, annotation, "stride", conv.stride(), conv.axes(), 1) & perAxis(node, annotation, "dilation", conv.dilation(), conv.axes(), 1);
    if (perAxis(node, annotation, "pad", conv.pad(), conv.axes(), 0)) {
      if ((conv.padH() > 0 || conv.padW() > 0) && conv.padding() != io.kiln.dsl.Padding.EXPLICIT) {
        report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "pad", ConvMessages.padWithoutExplicit(node.name(), annotation, Math.max(conv.padH(), conv.padW()), conv.padding()));
        ok = false;
      } else if (conv.kh() >= 1 && conv.kw() >= 1 && padCoversWindow(conv)) {
        // A window wholly inside the padding sees only zeros; the runtime refuses such a geometry
        // when the generated class loads (found by DeclarationSpaceTest), so refuse it here.
        boolean height = conv.axes() == 2 && conv.padH() >= conv.spanH();
        report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "pad", ConvMessages.padCoversWindow(node.name(), annotation,
            height ? conv.padH() : conv.padW(), height ? conv.spanH() : conv.spanW(), conv.axes() == 2 ? (height ? "height" : "width") : null));
        ok = false;
      }
    } else {
      ok = false;
    }
    if (conv.activation() == Activation.GELU) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "activation", Messages.geluOnlyDense(node.name(), annotation));
      ok = false;
    }
    ok &= !tooLarge(node, conv.kernel() != 0 ? "kernel" : "kernelHeight", conv.kh()) & !tooLarge(node, conv.kernel() != 0 ? "kernel" : "kernelWidth", conv.kw());
    if (!readsPlane(node, annotation, conv.axes(), in) || !ok) {
      return null;
    }
    ConvShape geometry = ConvShape.of(conv, in);
    if (conv.axes() == 1 && geometry.outWidth() < 1) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), "kernel", ConvMessages.kernelLargerThanSeries(node.name(), conv.kw(), conv.dilationW(), node.input(),
          in.withBatch(), conv.padding(), in.dim(1) + geometry.padTotalWidth()));
      return null;
    }
    if (geometry.outHeight() < 1 || geometry.outWidth() < 1) {
      // Underline the kernel attribute that does not fit (kernelWidth when only the width fails).
      String attribute = conv.kernel() != 0 ? "kernel" : geometry.outHeight() < 1 ? "kernelHeight" : "kernelWidth";
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), attribute,
          ConvMessages.kernelLargerThanInput(node.name(), conv, node.input(), in.withBatch(),
              in.dim(1) + geometry.padTotalHeight(), in.dim(2) + geometry.padTotalWidth())
              + (ConvShape.looksChannelsLast(in.dims()) ? ConvMessages.channelsLastHint(in.dims()) : ""));
      return null;
    }
    if ((double) conv.filters() * in.dim(0) * conv.kh() * conv.kw() > LIMIT) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "filters", Messages.weightTooLarge(node.name(), annotation, "filters", conv.filters(),
          "[" + conv.filters() + ", " + in.dim(0) + (conv.axes() == 1 ? "" : ", " + conv.kh()) + ", " + conv.kw() + "]"));
      return null;
    }
    if ((long) conv.filters() * geometry.outHeight() * geometry.outWidth() > LIMIT) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "filters", Messages.outputTooLarge(node.name(), annotation, "filters", conv.filters(),
          "[B, " + conv.filters() + (conv.axes() == 1 ? "" : ", " + geometry.outHeight()) + ", " + geometry.outWidth() + "]"));
      return null;
    }
    return conv.axes() == 1 ? Shape.of(conv.filters(), geometry.outWidth()) : Shape.of(conv.filters(), geometry.outHeight(), geometry.outWidth());
  }

  /**
   * Checks a per-axis attribute ({@code stride = 2} or {@code stride = {1, 3}}): one value, or one
   * per axis, each at least {@code min} and not too large; reports what is not.
   */
  private boolean perAxis(Node node, String annotation, String attribute, java.util.List<Integer> values, int axes, int min) {
    if (values.isEmpty() || values.size() > axes) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), attribute, ConvMessages.axisCount(node.name(), annotation, attribute, values, min));
      return false;
    }
    for (int v : values) {
      if (v < min) {
        report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), attribute, min == 0
            ? ConvMessages.padNegative(node.name(), annotation, v)
            : Messages.notPositive(node.name(), annotation, attribute, v));
        return false;
      }
      if (tooLarge(node, attribute, v)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code in} is what a layer over {@code axes} spatial axes reads, {@code [C, T]} or {@code [C, H, W]}; reports it if not. */
  private boolean readsPlane(Node node, String annotation, int axes, Shape in) {
    if (in.rank() == axes + 1 && !in.isSequence()) {
      return true;
    }
    report.error(ErrorId.SHAPE_MISMATCH, node.ref(), axes == 1
        ? ConvMessages.needsSeries(node.name(), annotation, node.input(), in.withBatch(), in.dims(), in.isSequence())
        : ConvMessages.needsImage(node.name(), annotation, node.input(), in.dims()));
    return false;
  }

  Shape pool(Node node, Layer.Pool pool, Shape in) {
    if (pool.global()) {
      return globalPool(node, in);
    }
    boolean ok = perAxis(node, pool.annotation(), "size", pool.size(), pool.axes(), 1);
    if (pool.stride().stream().anyMatch(v -> v < 0)) {
      report.error(ErrorId.BAD_ATTRIBUTE, node.ref(), "stride",
          ConvMessages.poolStrideNegative(node.name(), pool.annotation(), pool.stride().stream().filter(v -> v < 0).findFirst().orElseThrow()));
      ok = false;
    } else {
      ok &= perAxis(node, pool.annotation(), "stride", pool.stride(), pool.axes(), 0);
    }
    if (!readsPlane(node, pool.annotation(), pool.axes(), in) || !ok) {
      return null;
    }
    int oh = Math.floorDiv(ConvShape.height(in) - pool.sizeH(), pool.strideH()) + 1;
    int ow = Math.floorDiv(ConvShape.width(in) - pool.sizeW(), pool.strideW()) + 1;
    if (oh < 1 || ow < 1) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), "size", ConvMessages.poolTooLarge(node.name(), pool, node.input(), in.withBatch()));
      return null;
    }
    return pool.axes() == 1 ? Shape.of(in.dim(0), ow) : Shape.of(in.dim(0), oh, ow);
  }

  /** {@code @GlobalAvgPool}: one window over the whole plane, {@code [C, T] → [C, 1]} or {@code [C, H, W] → [C, 1, 1]}. */
  private Shape globalPool(Node node, Shape in) {
    if ((in.rank() != 2 && in.rank() != 3) || in.isSequence()) {
      report.error(ErrorId.SHAPE_MISMATCH, node.ref(), ConvMessages.needsPlane(node.name(), node.input(), in.dims()));
      return null;
    }
    return in.rank() == 2 ? Shape.of(in.dim(0), 1) : Shape.of(in.dim(0), 1, 1);
  }
}
