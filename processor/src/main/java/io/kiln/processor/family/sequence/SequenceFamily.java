package io.kiln.processor.family.sequence;

import com.palantir.javapoet.CodeBlock;
import io.kiln.processor.diag.SourceMessages;
import io.kiln.processor.family.LayerDefinition;
import io.kiln.processor.family.OnnxExport;
import io.kiln.processor.fuse.LoweringContext;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.grad.DerivationContext;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.Misreading;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapeContext;
import java.util.List;

/** The sequence family: {@code @Embedding} of token ids and the recurrent layers {@code @Rnn}, {@code @Lstm}, {@code @Gru}. */
public final class SequenceFamily {
  private SequenceFamily() {}

  public static SequenceLowering lowering(LoweringContext context) {
    return context.family(SequenceLowering.class, SequenceLowering::new);
  }

  /** {@code @Embedding}. */
  public record Embedding(Layer.Embedding layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new SequenceShapes(c.report()).embedding(c.graph(), node, layer, c.input(node));
    }

    /** Vocab and dim swapped; each alone is checked too, so a size another declaration shares is not blamed here. */
    @Override
    public List<Misreading> misreadings(Graph graph, Node node) {
      int vocab = layer.vocab();
      int dim = layer.dim();
      if (vocab == dim || vocab < 1 || dim < 1) {
        return List.of();
      }
      return List.of(new Misreading(node, new Layer.Embedding(dim, vocab, layer.shares()),
          List.of(new Layer.Embedding(dim, dim, layer.shares()), new Layer.Embedding(vocab, vocab, layer.shares())), "vocab",
          SourceMessages.embeddingSwapped(node.name(), vocab, dim)));
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      c.add(new BackwardOp.EmbeddingGrad(n.name()));
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("embedding($S, $S, $L)", n.name(), n.input(), e.quoted((layer.shares().isEmpty() ? n.name() : layer.shares()) + ".weight"));
    }
  }

  /** {@code @Rnn}, {@code @Lstm} and {@code @Gru}. */
  public record Recurrent(Layer.Recurrent layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new SequenceShapes(c.report()).recurrent(c.graph(), node, layer, c.input(node));
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      DerivationContext.InputGradient input = c.rereadsInput(n.input());
      c.add(new BackwardOp.RecurrentGrad(n.name(), n.input(), input.needed(), input.accumulate()));
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return SequenceOnnx.recurrent(e, n, layer);
    }
  }
}
