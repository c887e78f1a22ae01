package io.kiln.processor.family.join;

import com.palantir.javapoet.CodeBlock;
import io.kiln.processor.family.LayerDefinition;
import io.kiln.processor.family.OnnxExport;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.grad.DerivationContext;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeContext;

/** The join family: {@code @Concat} and {@code @Add}, the nodes that read several inputs. */
public final class JoinFamily {
  private JoinFamily() {}

  public static JoinLowering lowering(LoweringContext context) {
    return context.family(JoinLowering.class, JoinLowering::new);
  }

  /** {@code @Concat}: along the feature axis. */
  public record Concat(Layer.Concat layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new JoinShapes(c.report()).concat(c.graph(), node, c.shapes());
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      c.add(new BackwardOp.ConcatGrad(n.name(), c.routes(n.inputs())));
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("concat($S, $L)", n.name(), OnnxExport.inputs(n));
    }
  }

  /** {@code @Add}: the residual connection. */
  public record Add(Layer.Add layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new JoinShapes(c.report()).add(c.graph(), node, c.shapes());
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      c.add(new BackwardOp.AddGrad(n.name(), c.routes(n.inputs())));
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("add($S, $L)", n.name(), OnnxExport.inputs(n));
    }
  }
}
