package io.kiln.processor.family.dense;

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

/** The dense family: {@code @Dense}, one GEMM with a bias-and-activation epilogue (GELU in a pass of its own). */
public final class DenseFamily {
  private DenseFamily() {}

  public static DenseLowering lowering(LoweringContext context) {
    return context.family(DenseLowering.class, DenseLowering::new);
  }

  /** {@code @Dense}. */
  public record Dense(Layer.Dense layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new DenseShapes(c.report()).dense(c.graph(), node, layer, c.input(node));
    }

    @Override
    public String widthAttribute() {
      return "units";
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      ActivationStep.derive(c, n, layer.activation());
      if (layer.bias()) {
        c.add(new BackwardOp.BiasGrad(n.name()));
      }
      c.add(new BackwardOp.WeightGrad(n.name(), n.input()));
      c.saveInput(n.input());
      if (c.needsGrad(n.input())) {
        boolean accumulate = !c.firstWrite(n.input());
        c.add(new BackwardOp.InputGrad(n.name(), n.input(), accumulate));
      }
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n), c.program()));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("dense($S, $S, $L, $L, $T.$L)", n.name(), n.input(), e.quoted(n.name() + ".weight"),
          e.quotedIf(layer.bias(), n.name() + ".bias"), OnnxExport.ACTIVATION, layer.activation());
    }
  }
}
