package io.kiln.processor.family.loss;

import com.palantir.javapoet.CodeBlock;
import io.kiln.processor.diag.Report;
import io.kiln.processor.family.LayerDefinition;
import io.kiln.processor.family.OnnxExport;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.KernelCall;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.grad.DerivationContext;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeContext;
import io.kiln.processor.shape.ShapedGraph;
import java.util.List;

/** The loss family: {@code @Loss}, whose gradient starts the backward pass. */
public final class LossFamily {
  private LossFamily() {}

  /** {@code @Loss}: no forward call of its own; the loss and its gradient are one call, after the forward. */
  public record Loss(Layer.Loss layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new LossShapes(c.report()).loss(c.graph(), node, layer.kind(), c.input(node));
    }

    @Override
    public void shapeWithBrokenInput(ShapeContext c, Node node) {
      new LossShapes(c.report()).loss(c.graph(), node, layer.kind(), null); // its labels are independent of the broken input: still check them
    }

    @Override
    public void lint(ShapedGraph shaped, Report report, Node node) {
      Node loss = shaped.graph().loss();
      if (loss != null && loss.name().equals(node.name())) {
        DoubleActivation.check(shaped, report, node, layer);
        NothingToTrain.check(shaped.graph(), report, node);
      }
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      if (c.needsGrad(n.input())) {
        c.add(new BackwardOp.LossGrad(n.name(), layer.kind(), n.input()));
        c.firstWrite(n.input());
      }
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      Shape labelsShape = c.shaped.labelsShape();
      Buffer labels = new Buffer(n.labels(), Buffer.Kind.LABELS, Math.max(1, labelsShape.size()), labelsShape.withBatch(), labelsShape.maxSteps());
      c.loss(new KernelCall.LossForward(List.of(n.name()), layer.kind(), c.buffers.activation.get(n.input()), labels, null,
          c.shaped.shape(n.input()).stepSize(), layer.ignoreIndex()));
    }

    /** Training only: {@code predict} never computes the loss. */
    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return null;
    }
  }
}
