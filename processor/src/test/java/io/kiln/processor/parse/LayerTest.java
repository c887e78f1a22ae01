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
  void describeNamesTheAttributesThatDifferFromTheDefaultsAndTheInputs() {
    assertThat(new Layer.Dense(120, Activation.RELU, true, Init.DEFAULT).describe(List.of("flat"))).isEqualTo("@Dense(120, RELU) of flat");
    assertThat(new Layer.Dense(3, Activation.NONE, false, Init.DEFAULT).describe(List.of("h"))).isEqualTo("@Dense(3, no bias) of h");
    assertThat(new Layer.Attention(Score.DOT, 0).describe(List.of("dec", "enc"))).isEqualTo("@Attention(DOT) of dec over enc");
    assertThat(new Layer.Tokens(64, true).describe(List.of())).isEqualTo("@Tokens(maxLength 64, decoded)");
    assertThat(new Layer.MultiHeadAttention(4, true).describe(List.of("x"))).isEqualTo("@MultiHeadAttention(4 heads, causal) of x");
  }
}
