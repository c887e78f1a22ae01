package io.kiln.processor.family.conv;

import static io.kiln.processor.family.OnnxExport.ints;

import com.palantir.javapoet.CodeBlock;
import io.kiln.processor.family.OnnxExport;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.ConvShape;

/**
 * The ONNX export of convolutions and pools: strides, dilations and padding per spatial axis, as
 * ONNX wants them. A 1-D layer has only the width axis, its series' time.
 */
final class ConvOnnx {
  private ConvOnnx() {}

  /** The padding's ends take what its begins do not (SAME pads the end more when the total is odd). */
  static CodeBlock conv(OnnxExport e, Node n, Layer.Conv c) {
    ConvShape s = ConvShape.of(c, e.shape(n.input()));
    boolean oneAxis = c.axes() == 1;
    CodeBlock strides = perAxis(oneAxis, c.strideH(), c.strideW());
    CodeBlock dilations = perAxis(oneAxis, c.dilationH(), c.dilationW());
    CodeBlock pads = oneAxis
        ? ints(s.padLeft(), s.padTotalWidth() - s.padLeft())
        : ints(s.padTop(), s.padLeft(), s.padTotalHeight() - s.padTop(), s.padTotalWidth() - s.padLeft());
    return CodeBlock.of("conv($S, $S, $L, $L, $L, $L, $L, $T.$L)", n.name(), n.input(), e.quoted(n.name() + ".weight"),
        e.quotedIf(c.bias(), n.name() + ".bias"), strides, dilations, pads, OnnxExport.ACTIVATION, c.activation());
  }

  static CodeBlock pool(Node n, Layer.Pool p) {
    if (p.global()) {
      return CodeBlock.of("globalAvgPool($S, $S)", n.name(), n.input());
    }
    boolean oneAxis = p.axes() == 1;
    return CodeBlock.of("$L($S, $S, $L, $L)", p.max() ? "maxPool" : "avgPool", n.name(), n.input(), perAxis(oneAxis, p.sizeH(), p.sizeW()),
        perAxis(oneAxis, p.strideH(), p.strideW()));
  }

  /** One value per spatial axis: the width's alone for a 1-D layer. */
  private static CodeBlock perAxis(boolean oneAxis, int height, int width) {
    return oneAxis ? ints(width) : ints(height, width);
  }
}
