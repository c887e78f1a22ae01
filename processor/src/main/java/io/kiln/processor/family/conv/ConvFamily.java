package io.kiln.processor.family.conv;

import com.palantir.javapoet.CodeBlock;
import io.kiln.processor.family.ActivationStep;
import io.kiln.processor.family.LayerDefinition;
import io.kiln.processor.family.OnnxExport;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.grad.DerivationContext;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeContext;

/** The convolution family: {@code @Conv}, {@code @MaxPool}/{@code @AvgPool} and {@code @Flatten}, the view that ends a conv stack. */
public final class ConvFamily {
  private ConvFamily() {}

  public static ConvLowering lowering(LoweringContext context) {
    return context.family(ConvLowering.class, ConvLowering::new);
  }

  /** {@code @Conv}. */
  public record Conv(Layer.Conv layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new ConvPoolShapes(c.report()).conv(node, layer, c.input(node));
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      ActivationStep.derive(c, n, layer.activation());
      DerivationContext.InputGradient input = c.rereadsInput(n.input());
      c.add(new BackwardOp.ConvGrad(n.name(), n.input(), input.needed(), input.accumulate()));
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return ConvOnnx.conv(e, n, layer);
    }
  }

  /** {@code @MaxPool} and {@code @AvgPool}. */
  public record Pool(Layer.Pool layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new ConvPoolShapes(c.report()).pool(node, layer, c.input(node));
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      if (c.needsGrad(n.input())) {
        if (layer.max()) {
          c.saveInput(n.input());
        }
        c.add(new BackwardOp.PoolGrad(n.name(), n.input(), layer.max(), !c.firstWrite(n.input())));
      }
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return ConvOnnx.pool(n, layer);
    }
  }

  /** {@code @Flatten}: a view, sharing its input's memory forward and backward. */
  public record Flatten() implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new FlattenShapes(c.report()).flatten(c.graph(), node, c.input(node));
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      // a view: its gradient slot is its input's
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.view(n);
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("flatten($S, $S)", n.name(), n.input());
    }
  }
}
