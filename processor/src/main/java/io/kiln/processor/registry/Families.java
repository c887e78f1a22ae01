package io.kiln.processor.registry;

import io.kiln.processor.family.LayerDefinition;
import io.kiln.processor.family.attention.AttentionFamily;
import io.kiln.processor.family.conv.ConvFamily;
import io.kiln.processor.family.dense.DenseFamily;
import io.kiln.processor.family.input.InputFamily;
import io.kiln.processor.family.join.JoinFamily;
import io.kiln.processor.family.loss.LossFamily;
import io.kiln.processor.family.norm.NormFamily;
import io.kiln.processor.family.sequence.SequenceFamily;
import io.kiln.processor.parse.Layer;

/**
 * The registry of layer kinds: the one place that maps each parsed {@link Layer} to its family's
 * definition. The switch is exhaustive over the sealed {@code Layer}, so a new layer kind does not
 * compile until it names its definition here.
 */
public final class Families {
  private Families() {}

  public static LayerDefinition of(Layer layer) {
    return switch (layer) {
      case Layer.Input in -> new InputFamily.Input(in);
      case Layer.Tokens t -> new InputFamily.Tokens(t);
      case Layer.Dense d -> new DenseFamily.Dense(d);
      case Layer.Conv c -> new ConvFamily.Conv(c);
      case Layer.Pool p -> new ConvFamily.Pool(p);
      case Layer.Flatten f -> new ConvFamily.Flatten();
      case Layer.Dropout d -> new NormFamily.Dropout(d);
      case Layer.BatchNorm b -> new NormFamily.BatchNorm(b);
      case Layer.Embedding e -> new SequenceFamily.Embedding(e);
      case Layer.Recurrent r -> new SequenceFamily.Recurrent(r);
      case Layer.Attention a -> new AttentionFamily.Attention(a);
      case Layer.LayerNorm l -> new AttentionFamily.LayerNorm(l);
      case Layer.MultiHeadAttention m -> new AttentionFamily.MultiHeadAttention(m);
      case Layer.PositionEmbedding p -> new AttentionFamily.PositionEmbedding(p);
      case Layer.Concat c -> new JoinFamily.Concat(c);
      case Layer.Add a -> new JoinFamily.Add(a);
      case Layer.Loss l -> new LossFamily.Loss(l);
    };
  }
}
