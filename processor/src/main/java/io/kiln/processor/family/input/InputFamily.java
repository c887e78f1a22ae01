package io.kiln.processor.family.input;

import com.palantir.javapoet.CodeBlock;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.diag.SourceMessages;
import io.kiln.processor.family.LayerDefinition;
import io.kiln.processor.family.OnnxExport;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.grad.DerivationContext;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.ConvShape;
import io.kiln.processor.shape.Misreading;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeContext;
import io.kiln.processor.shape.ShapedGraph;
import java.util.List;

/** The input family: {@code @Input} float tensors and {@code @Tokens} id sequences, the caller's arrays. */
public final class InputFamily {
  private InputFamily() {}

  /** {@code @Input}. */
  public record Input(Layer.Input layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new InputShapes(c.report()).input(node, layer);
    }

    /** A channels-last image ({@code {28, 28, 1}}), or frames declared without their time axis ({@code {6, 4}} read by a recurrent layer). */
    @Override
    public List<Misreading> misreadings(Graph graph, Node node) {
      int[] d = layer.shape();
      if (ConvShape.channelsLastImage(graph, node)) {
        return List.of(new Misreading(node, new Layer.Input(new int[] {d[2], d[0], d[1]}), List.of(), "shape", Messages.channelsLastBreaks(node.name(), d)));
      }
      if (layer.maxLength() > 0 || d.length != 2) {
        return List.of();
      }
      return graph.order().stream().filter(r -> r.layer() instanceof Layer.Recurrent && r.dataInputs().contains(node.name())).findFirst()
          .map(reader -> List.of(new Misreading(node, new Layer.Input(new int[] {d[1]}, d[0]), List.of(), "shape",
              SourceMessages.noTimeAxis(node.name(), d, reader.name(), reader.layer().annotation()))))
          .orElse(List.of());
    }

    @Override
    public void lint(ShapedGraph shaped, Report report, Node node) {
      ChannelsLast.check(shaped, report, node, layer);
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
