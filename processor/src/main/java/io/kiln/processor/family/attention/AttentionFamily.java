package io.kiln.processor.family.attention;

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

/**
 * The attention family: scored {@code @Attention} over encoder states, and the Transformer block's
 * {@code @MultiHeadAttention}, {@code @LayerNorm} and {@code @PositionEmbedding}.
 */
public final class AttentionFamily {
  private AttentionFamily() {}

  public static AttentionLowering lowering(LoweringContext context) {
    return context.family(AttentionLowering.class, AttentionLowering::new);
  }

  /** {@code @Attention}: decoder states (input 0) attend over encoder states (input 1). */
  public record Attention(Layer.Attention layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new AttentionShapes(c.report()).attention(node, layer, c.input(node, 0), c.input(node, 1));
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      c.saveInput(n.inputs().get(0));
      c.saveInput(n.inputs().get(1));
      BackwardOp.Route query = c.route(n.inputs().get(0));
      BackwardOp.Route keys = c.route(n.inputs().get(1));
      c.add(new BackwardOp.AttentionGrad(n.name(), query, keys));
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      String query = n.inputs().get(0);
      String keys = n.inputs().get(1);
      return switch (layer.score()) {
        case DOT -> CodeBlock.of("dotAttention($S, $S, $S)", n.name(), query, keys);
        case GENERAL -> CodeBlock.of("generalAttention($S, $S, $S, $L)", n.name(), query, keys, e.quoted(n.name() + ".weight"));
        case ADDITIVE -> CodeBlock.of("additiveAttention($S, $S, $S, $L, $L, $L)", n.name(), query, keys, e.quoted(n.name() + ".query.weight"),
            e.quoted(n.name() + ".key.weight"), e.quoted(n.name() + ".v"));
      };
    }
  }

  /** {@code @LayerNorm}. */
  public record LayerNorm(Layer.LayerNorm layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new AttentionShapes(c.report()).layerNorm(node, layer, c.input(node));
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      c.saveInput(n.input());
      c.add(new BackwardOp.LayerNormGrad(n.name(), c.route(n.input())));
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("layerNorm($S, $S, $L, $L, $L)", n.name(), n.input(), e.quoted(n.name() + ".weight"), e.quoted(n.name() + ".bias"),
          layer.epsilon());
    }
  }

  /** {@code @MultiHeadAttention}: self-attention over one input. */
  public record MultiHeadAttention(Layer.MultiHeadAttention layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new AttentionShapes(c.report()).multiHead(node, layer, c.input(node));
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      c.saveInput(n.input());
      c.add(new BackwardOp.MultiHeadGrad(n.name(), c.route(n.input())));
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("multiHeadAttention($S, $S, $L, $L, $L, $L, $L, $L)", n.name(), n.input(), layer.heads(), layer.causal(),
          e.quoted(n.name() + ".in_proj_weight"), e.quoted(n.name() + ".in_proj_bias"), e.quoted(n.name() + ".out_proj.weight"),
          e.quoted(n.name() + ".out_proj.bias"));
    }
  }

  /** {@code @PositionEmbedding}. */
  public record PositionEmbedding(Layer.PositionEmbedding layer) implements LayerDefinition {
    @Override
    public Shape shape(ShapeContext c, Node node) {
      return new AttentionShapes(c.report()).positions(c.graph(), node, layer, c.input(node));
    }

    @Override
    public void derive(DerivationContext c, Node n) {
      c.add(new BackwardOp.PositionGrad(n.name(), c.route(n.input())));
    }

    @Override
    public void lower(LoweringContext c, Node n) {
      c.add(n, lowering(c).forward(n, layer, c.shape(n), c.output(n)));
    }

    @Override
    public CodeBlock onnx(OnnxExport e, Node n) {
      return CodeBlock.of("positionEmbedding($S, $S, $L)", n.name(), n.input(), e.quoted(n.name() + ".weight"));
    }
  }
}
