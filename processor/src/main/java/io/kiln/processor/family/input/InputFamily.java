package io.kiln.processor.family.input;

import com.palantir.javapoet.CodeBlock;
import io.kiln.processor.family.LayerDefinition;
import io.kiln.processor.family.OnnxExport;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.grad.DerivationContext;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeContext;

/** The input family: {@code @Input} float tensors and {@code @Tokens} id sequences, the caller's arrays. */
public final class InputFamily {
  private InputFamily() {}

  /** {@code @Input}. */
  public record Input(Layer.Input layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new InputShapes(c.report()).input(node, layer);
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      // the caller's data: no gradient
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.input(n, Buffer.Kind.INPUT);
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("$L($S, $L)", layer.maxLength() > 0 ? "floatSeriesInput" : "floatInput", n.name(), OnnxExport.dims(e.shape(n.name()).dims()));
    }
  }

  /** {@code @Tokens}, optionally {@code decoded} (greedy decoding feeds each prediction back). */
  public record Tokens(Layer.Tokens layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new InputShapes(c.report()).tokens(node, layer);
    }

    @Override
    public void checkModel(ShapeContext c, Node node) {
      if (layer.decoded()) {
        new DecodedInput(c).check(node);
      }
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      // ids get no gradient
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.input(n, Buffer.Kind.TOKENS);
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("tokensInput($S)", n.name());
    }
  }
}
