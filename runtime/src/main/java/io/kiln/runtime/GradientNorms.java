package io.kiln.runtime;

import io.kiln.runtime.train.GradientClipping;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient norms of a model's parameters grouped by layer, read from the gradient slab after
 * {@code computeGradients} or {@code trainStep}: the numbers behind the vanishing- and
 * exploding-gradient story (a first layer's norm far below the last one's, or growing without bound).
 * Nothing is recorded during the step, so a model that never asks pays nothing.
 *
 * <p>A layer is a parameter name without its last part: {@code hidden.weight} and {@code hidden.bias}
 * are layer {@code hidden}; {@code b.0.self_attn.in_proj_weight} is layer {@code b.0.self_attn}.
 */
public final class GradientNorms {
  private GradientNorms() {}

  /** Each layer's gradient norm {@code √Σ g²} over all its parameters, in the model's parameter order. */
  public static Map<String, Double> byLayer(TrainableModel model) {
    return byLayer(model.parameters());
  }

  /** As {@link #byLayer(TrainableModel)}, for a list of parameter views. */
  public static Map<String, Double> byLayer(List<Parameter> parameters) {
    Map<String, Double> squares = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      double norm = p.gradientNorm();
      squares.merge(layerOf(p.name()), norm * norm, Double::sum);
    }
    squares.replaceAll((layer, sum) -> Math.sqrt(sum));
    return squares;
  }

  /**
   * The global gradient norm over every parameter: the norm {@code clipGlobalNorm(τ)} compares with
   * τ, computed the same way over the same slab.
   */
  public static double global(TrainableModel model) {
    float[] gradients = model.gradientSlab();
    return GradientClipping.globalNorm(gradients, 0, gradients.length);
  }

  /** {@code hidden.weight} → {@code hidden}; a name without a dot is its own layer. */
  static String layerOf(String parameter) {
    int dot = parameter.lastIndexOf('.');
    return dot < 0 ? parameter : parameter.substring(0, dot);
  }
}
