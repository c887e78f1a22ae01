package io.kiln.bench;

import java.util.List;

/**
 * The analytic floating-point work of one reference model, written out per layer as the dense
 * products it is made of (convolutions, dense layers, LSTM gates, attention), one multiply-add
 * counted as 2 FLOPs. Element-wise passes (activations, pooling, softmax, layer norm, the LSTM cell
 * update, losses, the SGD update) are left out: they are linear in the activations, a few percent
 * of the total, and no peak-FLOP figure describes them.
 *
 * <p>The backward pass of a product costs twice its forward (the gradient of each operand is one
 * product of the same size), except where one operand is the input data, whose gradient nobody
 * needs (the first convolution of lenet and cnn64): that product's backward costs one forward.
 */
public record ModelFlops(List<Product> products) {
  public ModelFlops {
    products = List.copyOf(products);
  }

  /** One product of the forward pass: its multiply-adds over the whole batch. */
  public record Product(String layer, long multiplyAdds, boolean inputGradient) {
    /** Forward plus backward FLOPs of this product. */
    long trainFlops() {
      return 2 * multiplyAdds * (inputGradient ? 3 : 2);
    }
  }

  static ModelFlops of(Product... products) {
    return new ModelFlops(List.of(products));
  }

  /** FLOPs of one forward pass. */
  long forward() {
    return products.stream().mapToLong(p -> 2 * p.multiplyAdds()).sum();
  }

  /** FLOPs of one training step: forward, backward (the SGD update is element-wise). */
  long trainStep() {
    return products.stream().mapToLong(Product::trainFlops).sum();
  }

  /** A convolution: every output pixel of every filter is a dot product over inChannels × kernel². */
  static Product conv(String layer, int batch, int inChannels, int kernel, int outChannels, int outHeight, int outWidth,
      boolean inputGradient) {
    long outputs = (long) batch * outHeight * outWidth * outChannels;
    return new Product(layer, outputs * inChannels * kernel * kernel, inputGradient);
  }

  /** A dense layer applied to {@code rows} vectors (batch, or batch × time steps). */
  static Product dense(String layer, long rows, int in, int out) {
    return new Product(layer, rows * in * out, true);
  }

  /**
   * An LSTM over {@code rows} = batch × time steps: per step the four gates are {@code [x; h] · W},
   * W of (in + units) × 4·units (the first step's h is zero, and counted: dense kernels multiply it).
   */
  static Product lstm(String layer, long rows, int in, int units) {
    return new Product(layer, rows * (in + units) * 4L * units, true);
  }

  /**
   * Dot-product attention of {@code queries} over {@code keys} per sequence, width {@code width}
   * (all heads together): the scores Q·Kᵀ and the mix α·V, each queries × keys × width.
   */
  static Product attention(String layer, int batch, int queries, int keys, int width) {
    return new Product(layer, 2L * batch * queries * keys * width, true);
  }

  /**
   * Causal self-attention over {@code length} positions: query i sees keys 0..i, so the scores and
   * the mix need T(T+1)/2 dot products each, the least a causal kernel must compute (a dense one
   * that masks the other half does more, which is not counted).
   */
  static Product causalAttention(String layer, int batch, int length, int width) {
    return new Product(layer, 2L * batch * (length * (length + 1L) / 2) * width, true);
  }
}
