package io.kiln.processor.fuse;

import io.kiln.dsl.Activation;
import io.kiln.processor.parse.Layer;
import java.util.List;

/**
 * A call of the generated {@code runForward}, one record per kind. Sealed apart from {@link
 * BackwardCall} so the writers' switches over either list are checked for exhaustiveness.
 */
public sealed interface ForwardCall extends KernelCall {
  /** Whether training draws a random mask in this call (dropout): the generated class then keeps a seeded generator. */
  default boolean drawsMasks() {
    return false;
  }

  /** Whether the call keeps its attention weights readable after the forward pass, for {@code attentionWeights}. */
  default boolean keepsAttentionWeights() {
    return false;
  }

  /**
   * {@code y = f(x · Wᵀ + b)}: one GEMM (NT) whose epilogue adds the bias and applies the
   * activation, so neither is a separate pass over memory.
   */
  record DenseForward(List<String> covers, Buffer x, Buffer y, ParamTensor weight, ParamTensor bias, Activation activation, int in, int out)
      implements ForwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(x);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y);
    }
  }

  /**
   * {@code y = f(W · im2col(x) + b)} per sample: one GEMM over packed patches whose epilogue adds
   * the bias and applies the activation.
   */
  record ConvForward(List<String> covers, Buffer x, Buffer y, ParamTensor weight, ParamTensor bias, Activation activation,
      ConvDims dims, Buffer cols) implements ForwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(x);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y, cols);
    }
  }

  /**
   * Max or average pooling; with {@code relu}, {@code maxpool(relu(x))} of a pre-activation x in
   * one pass (the ReLU of the layer before is folded in and never stored).
   */
  record PoolForward(List<String> covers, boolean max, boolean relu, Buffer x, Buffer y, PoolDims dims) implements ForwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(x);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y);
    }
  }

  /** Training: {@code y = x ⊙ mask} with a fresh mask; inference: {@code y = x}. */
  record DropoutForward(List<String> covers, double rate, Buffer x, Buffer y, Buffer mask, int perSample) implements ForwardCall {
    @Override
    public boolean drawsMasks() {
      return true;
    }

    @Override
    public List<Buffer> reads() {
      return List.of(x);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y, mask);
    }
  }

  /**
   * Training: normalize with the batch's statistics (kept in {@code mean}/{@code invStd} for
   * backward) and update the running ones; inference: normalize with the running statistics.
   */
  record BatchNormForward(List<String> covers, Buffer x, Buffer y, ParamTensor gamma, ParamTensor beta, ParamTensor runningMean,
      ParamTensor runningVar, Buffer mean, Buffer invStd, double momentum, double epsilon, int channels, int spatial)
      implements ForwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(x);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y, mean, invStd);
    }
  }

  /** {@code y[b, t] = weight[ids[b, t]]}: a gather, checking every id against the vocabulary. */
  record EmbeddingForward(List<String> covers, Buffer ids, Buffer y, ParamTensor table, int vocab, int dim) implements ForwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(ids);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y);
    }
  }

  /**
   * A recurrent layer over the whole sequence: the input projection of all steps as one GEMM, then
   * per step one recurrent GEMM for all gates and one fused cell update. Writes every step's
   * hidden state ({@code sequence}) or only the last ({@code !sequence}) into {@code y}; keeps what
   * backward needs in the layer's workspace (outside the arena, sized by the runtime). {@code
   * embedding}: the lookup that wrote x, when x is one (one direction only), so that the runtime may
   * project the table's rows instead of x's; null otherwise.
   */
  record RecurrentForward(List<String> covers, Layer.Recurrent layer, Buffer x, Buffer y, ParamTensor weightIh, ParamTensor weightHh,
      ParamTensor biasIh, ParamTensor biasHh, int input, Buffer h0, Buffer c0, Buffer hT, Buffer cT, Reverse reverse,
      EmbeddingForward embedding) implements ForwardCall {
    /** A bidirectional layer's reverse direction: PyTorch's {@code *_l0_reverse} tensors (biases null without). */
    public record Reverse(ParamTensor weightIh, ParamTensor weightHh, ParamTensor biasIh, ParamTensor biasHh) {}

    @Override
    public List<Buffer> reads() {
      return Operands.present(x, h0, c0);
    }

    @Override
    public List<Buffer> writes() {
      return Operands.present(y, hT == y ? null : hT, cT);
    }
  }

  /**
   * Encoder–decoder attention: scores of every decoder state {@code s} against every encoder
   * state {@code h}, softmax, and the context {@code Σ α h}; α and the projections stay in the
   * layer's workspace (outside the arena) for backward and for {@code attentionWeights}.
   */
  record AttentionForward(List<String> covers, Layer.Attention layer, Buffer s, Buffer h, Buffer context, ParamTensor w1, ParamTensor w2,
      ParamTensor v, int width, int attn) implements ForwardCall {
    @Override
    public boolean keepsAttentionWeights() {
      return true;
    }

    @Override
    public List<Buffer> reads() {
      return List.of(s, h);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(context);
    }
  }

  /** {@code y = [x₁, x₂, …]} along the feature axis; {@code widths} per step. */
  record ConcatForward(List<String> covers, List<Buffer> inputs, List<Integer> widths, Buffer y) implements ForwardCall {
    @Override
    public List<Buffer> reads() {
      return inputs;
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y);
    }
  }

  /** {@code y = x₁ + x₂ + …}. */
  record AddForward(List<String> covers, List<Buffer> inputs, Buffer y) implements ForwardCall {
    @Override
    public List<Buffer> reads() {
      return inputs;
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y);
    }
  }

  /**
   * {@code y = LN(x)}, or with {@code residual} {@code sum = x + residual} and {@code y = LN(sum)} in
   * the same pass (an {@code @Add} read by this {@code @LayerNorm}); keeps mean and 1/σ per row.
   */
  record LayerNormForward(List<String> covers, Buffer x, Buffer residual, Buffer sum, Buffer y, ParamTensor gamma, ParamTensor beta,
      Buffer mean, Buffer rstd, double epsilon, int width) implements ForwardCall {
    /** The normalized input: the sum when the residual add is fused in. */
    public Buffer normalized() {
      return sum != null ? sum : x;
    }

    @Override
    public List<Buffer> reads() {
      return Operands.present(x, residual);
    }

    @Override
    public List<Buffer> writes() {
      return Operands.present(y, sum, mean, rstd);
    }
  }

  /**
   * Self-attention: three projection GEMMs (Q, K, V, with bias), the flash kernel (no T×T matrix),
   * and the output projection GEMM. Keeps q, k, v, o and the per-row log-sum-exp for backward.
   */
  record MultiHeadForward(List<String> covers, Layer.MultiHeadAttention layer, Buffer x, Buffer q, Buffer k, Buffer v, Buffer o, Buffer lse,
      Buffer y, ParamTensor inWeight, ParamTensor inBias, ParamTensor outWeight, ParamTensor outBias, int width) implements ForwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(x);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y, q, k, v, o, lse);
    }
  }

  /** {@code y[b, t] = x[b, t] + P[t]}. */
  record PositionForward(List<String> covers, Buffer x, Buffer y, ParamTensor table, int width) implements ForwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(x);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y);
    }
  }

  /** {@code y = gelu(z)}: the dense layer wrote its pre-activation z, which backward needs. */
  record GeluForward(List<String> covers, Buffer z, Buffer y) implements ForwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(z);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y);
    }
  }
}
