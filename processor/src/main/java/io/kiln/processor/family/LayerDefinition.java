package io.kiln.processor.family;

import com.palantir.javapoet.CodeBlock;
import io.kiln.processor.diag.Report;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.grad.DerivationContext;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.shape.Misreading;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeContext;
import io.kiln.processor.shape.ShapedGraph;
import java.util.List;

/**
 * Everything the passes ask of one kind of layer, bound to its parsed attributes: the shape rule
 * (with its attribute checks), the backward rule, the lowering to kernel calls and the ONNX
 * export of the declared node. What the
 * generated code declares and calls for those kernel calls is the family's writer, reached through
 * {@link io.kiln.processor.registry.CallWriters}. The methods have no defaults, so a new kind compiles only once it answers
 * every pass.
 */
public interface LayerDefinition {
  /**
   * Validates the attributes against the inputs' shapes and returns the node's per-sample shape,
   * or null once an error is reported. Called only when every input has a shape.
   */
  Shape shape(ShapeContext context, Node node);

  /**
   * Called instead of {@link #shape} when an input is broken (already reported): checks that do
   * not depend on that input still run, so they are not lost behind the first error.
   */
  default void shapeWithBrokenInput(ShapeContext context, Node node) {}

  /** Checks made once every node is shaped: rules about the model as a whole that this kind imposes. */
  default void checkModel(ShapeContext context, Node node) {}

  /**
   * How people mistype this declaration, read the way they probably meant it (a channels-last
   * image, an embedding's vocab and dim swapped). The shape pass re-reads a model that has errors
   * each way and, when one reading alone explains them, reports that declaration instead.
   */
  default List<Misreading> misreadings(Graph graph, Node node) {
    return List.of();
  }

  /**
   * The attribute that sets the width of the node's output vector ({@code @Dense}'s units), where
   * an error about that width belongs; null when no single attribute does.
   */
  default String widthAttribute() {
    return null;
  }

  /**
   * Warnings about a declaration that compiles but is very likely not what its author meant (a
   * Keras-style momentum, a sigmoid before a loss that applies its own); run once the model has no
   * errors. Each has its own id, which {@code @SuppressWarnings} takes.
   */
  default void lint(ShapedGraph shaped, Report report, Node node) {}

  /** Adds the node's backward steps (the nodes are visited from the loss back to the inputs). */
  void derive(DerivationContext context, Node node);

  /** Lowers the node's forward to kernel calls, or declares its buffer (an input, a view). */
  void lower(LoweringContext context, Node node);

  /**
   * The {@code OnnxModelBuilder} call the node exports to (named after the node, reading its
   * inputs and its saved tensors), or null when {@code predict} does not compute it (the loss).
   */
  CodeBlock onnx(OnnxExport export, Node node);
}
