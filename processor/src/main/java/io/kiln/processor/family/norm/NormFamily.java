package io.kiln.processor.family.norm;

import com.palantir.javapoet.CodeBlock;
import io.kiln.processor.diag.Report;
import io.kiln.processor.family.LayerDefinition;
import io.kiln.processor.family.OnnxExport;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.grad.DerivationContext;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeContext;
import io.kiln.processor.shape.ShapedGraph;

/** The regularizing family: {@code @BatchNorm} and {@code @Dropout}, which behave differently in training and inference. */
public final class NormFamily {
  private NormFamily() {}

  public static BatchNormDropoutLowering lowering(LoweringContext context) {
    return context.family(BatchNormDropoutLowering.class, BatchNormDropoutLowering::new);
  }

  /** {@code @Dropout}. */
  public record Dropout(Layer.Dropout layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new BatchNormDropoutShapes(c.report()).dropout(node, layer, c.input(node));
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      if (c.needsGrad(n.input())) {
        c.add(new BackwardOp.DropoutGrad(n.name(), n.input(), !c.firstWrite(n.input())));
      }
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("dropout($S, $S)", n.name(), n.input());
    }
  }

  /** {@code @BatchNorm}. */
  public record BatchNorm(Layer.BatchNorm layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new BatchNormDropoutShapes(c.report()).batchNorm(node, layer, c.input(node), c.graph().loss() != null ? c.graph().spec().maxBatch() : 0);
    }

    @Override
    public void lint(ShapedGraph shaped, Report report, Node node) {
      KerasMomentum.check(report, node, layer);
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      DerivationContext.InputGradient input = c.rereadsInput(n.input());
      c.add(new BackwardOp.BatchNormGrad(n.name(), n.input(), input.needed(), input.accumulate()));
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("batchNorm($S, $S, $L, $L, $L, $L, $L)", n.name(), n.input(), e.quoted(n.name() + ".weight"),
          e.quoted(n.name() + ".bias"), e.quoted(n.name() + ".running_mean"), e.quoted(n.name() + ".running_var"), layer.epsilon());
    }
  }
}
