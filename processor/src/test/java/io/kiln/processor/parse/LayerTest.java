package io.kiln.processor.parse;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.dsl.Score;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a layer record says about itself: whether it learns, and its entry in the shape legend. */
class LayerTest {

  @Test
  void layersWithParametersLearnAndOthersDoNot() {
    assertThat(new Layer.Dense(4, Activation.RELU, true, Init.DEFAULT).learns()).isTrue();
    assertThat(new Layer.LayerNorm(1e-5).learns()).isTrue();
    assertThat(new Layer.Add().learns()).isFalse();
    assertThat(new Layer.Dropout(0.5).learns()).isFalse();
    // dot-product attention has no weights of its own; the general score has one matrix
    assertThat(new Layer.Attention(Score.DOT, 0).learns()).isFalse();
    assertThat(new Layer.Attention(Score.GENERAL, 0).learns()).isTrue();
  }

  @Test
  void wiringPropertiesSayWhatEachKindReadsAndHolds() {
    Layer tokens = new Layer.Tokens(8, false);
    assertThat(tokens.arity()).isEqualTo(0);
    assertThat(tokens.isInput()).isTrue();
    assertThat(tokens.holdsIds()).isTrue();
    assertThat(new Layer.Input(new int[] {4}).holdsIds()).isFalse();
    assertThat(new Layer.Attention(Score.DOT, 0).arity()).isEqualTo(2);
    assertThat(new Layer.Concat().arity()).isEqualTo(Layer.TWO_OR_MORE);
    assertThat(new Layer.Dense(4, Activation.RELU, true, Init.DEFAULT).arity()).isEqualTo(1);
    assertThat(new Layer.Flatten().isView()).isTrue();
    assertThat(new Layer.Dropout(0.5).isView()).isFalse();
    assertThat(new Layer.Loss(io.kiln.dsl.LossKind.MEAN_SQUARED_ERROR, -100).isLoss()).isTrue();
    assertThat(new Layer.Dense(4, Activation.RELU, true, Init.DEFAULT).isLoss()).isFalse();
  }

  @Test
  void describeNamesTheAttributesThatDifferFromTheDefaultsAndTheInputs() {
    assertThat(new Layer.Dense(120, Activation.RELU, true, Init.DEFAULT).describe(List.of("flat"))).isEqualTo("@Dense(120, RELU) of flat");
    assertThat(new Layer.Dense(3, Activation.NONE, false, Init.DEFAULT).describe(List.of("h"))).isEqualTo("@Dense(3, no bias) of h");
    assertThat(new Layer.Attention(Score.DOT, 0).describe(List.of("dec", "enc"))).isEqualTo("@Attention(DOT) of dec over enc");
    assertThat(new Layer.Tokens(64, true).describe(List.of())).isEqualTo("@Tokens(maxLength 64, decoded)");
    assertThat(new Layer.MultiHeadAttention(4, true).describe(List.of("x"))).isEqualTo("@MultiHeadAttention(4 heads, causal) of x");
  }
}
