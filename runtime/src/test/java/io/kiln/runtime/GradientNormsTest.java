package io.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Gradient norms per parameter, per layer and global agree with sums over the raw slab. */
class GradientNormsTest {

  @Test
  void parameterLayerAndGlobalNormsMatchTheRawSlab() {
    Random random = new Random(3);
    float[] values = new float[3 * 5 + 3 + 7 * 4];
    float[] grads = new float[values.length];
    for (int i = 0; i < grads.length; i++) {
      values[i] = random.nextFloat() - 0.5f;
      grads[i] = (float) random.nextGaussian() * (i < 18 ? 1e-3f : 10f);
    }
    List<Parameter> params = List.of(
        new Parameter("h.weight", new int[] {3, 5}, values, grads, 0),
        new Parameter("h.bias", new int[] {3}, values, grads, 15),
        new Parameter("b.0.self_attn.in_proj_weight", new int[] {7, 4}, values, grads, 18));

    double h = 0;
    for (int i = 0; i < 18; i++) {
      h += (double) grads[i] * grads[i];
    }
    double attn = 0;
    for (int i = 18; i < grads.length; i++) {
      attn += (double) grads[i] * grads[i];
    }
    double weight = 0;
    for (int i = 0; i < 15; i++) {
      weight += (double) grads[i] * grads[i];
    }
    assertThat(params.get(0).gradientNorm()).isWithin(1e-12).of(Math.sqrt(weight));
    double values2 = 0;
    for (int i = 15; i < 18; i++) {
      values2 += (double) values[i] * values[i];
    }
    assertThat(params.get(1).valueNorm()).isWithin(1e-12).of(Math.sqrt(values2));

    Map<String, Double> layers = GradientNorms.byLayer(params);
    assertThat(layers.keySet()).containsExactly("h", "b.0.self_attn").inOrder();
    assertThat(layers.get("h")).isWithin(1e-9).of(Math.sqrt(h));
    assertThat(layers.get("b.0.self_attn")).isWithin(1e-6).of(Math.sqrt(attn));
  }

  @Test
  void aModelWithoutGradientsSaysSo() {
    Parameter p = new Parameter("w", new int[] {2}, new float[2], null, 0);
    IllegalStateException e = assertThrows(IllegalStateException.class, p::gradientNorm);
    assertThat(e).hasMessageThat().contains("w has no gradient");
  }

  @Test
  void layerNamesDropTheLastPart() {
    assertThat(GradientNorms.layerOf("hidden.weight")).isEqualTo("hidden");
    assertThat(GradientNorms.layerOf("l.weight_ih_l0")).isEqualTo("l");
    assertThat(GradientNorms.layerOf("p")).isEqualTo("p");
  }
}
