package io.kiln.processor.fuse;

import io.kiln.dsl.Activation;
import io.kiln.dsl.LossKind;
import io.kiln.processor.parse.Layer;
import java.util.ArrayList;
import java.util.List;

/**
 * One runtime kernel call of the generated code, covering one or more declared nodes. The lists of
 * buffers read and written drive liveness in the memory plan.
 */
public sealed interface KernelCall permits ForwardCall, BackwardCall, KernelCall.LossForward {
  /** The declared nodes this call computes (or differentiates). */
  List<String> covers();

  List<Buffer> reads();

  List<Buffer> writes();

  /** {@code dy} and every gradient that is added to (and so read) rather than written. */
  private static List<Buffer> readsAccumulated(Buffer dy, List<Buffer> dxs, List<Boolean> accumulate) {
    List<Buffer> r = new ArrayList<>(List.of(dy));
    for (int i = 0; i < dxs.size(); i++) {
      if (dxs.get(i) != null && accumulate.get(i)) {
        r.add(dxs.get(i));
      }
    }
    return r;
  }

  /** The buffers that are there: optional operands (null) are left out. */
  private static List<Buffer> present(Buffer... buffers) {
    List<Buffer> list = new ArrayList<>(buffers.length);
    for (Buffer b : buffers) {
      if (b != null) {
        list.add(b);
      }
    }
    return list;
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
   * The loss over {@code input} and the labels, fused with its gradient (e.g. softmax + cross
   * entropy + {@code softmax − onehot} in one pass). {@code dInput} is null when only the loss is
   * wanted.
   */
  record LossForward(List<String> covers, LossKind kind, Buffer input, Buffer labels, Buffer dInput, int perSample, int ignoreIndex)
      implements KernelCall {
    /** Whether some label value marks positions to skip. */
    public boolean ignores() {
      return ignoreIndex != io.kiln.dsl.Loss.NO_IGNORE;
    }

    @Override
    public List<Buffer> reads() {
      return List.of(input, labels);
    }

    @Override
    public List<Buffer> writes() {
      return dInput == null ? List.of() : List.of(dInput);
    }
  }

  /** {@code dZ = dY ⊙ f'(Y)} in place. */
  record ActivationBackward(List<String> covers, Activation activation, Buffer grad, Buffer y, int perSample) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(grad, y);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(grad);
    }
  }

  /** {@code db += Σ_batch dZ}. */
  record BiasGrad(List<String> covers, ParamTensor bias, Buffer dz, int out) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(dz);
    }

    @Override
    public List<Buffer> writes() {
      return List.of();
    }
  }

  /** {@code dW += dZᵀ · X}: one GEMM (TN) accumulating into the gradient slab. */
  record WeightGrad(List<String> covers, ParamTensor weight, Buffer dz, Buffer x, int out, int in) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(dz, x);
    }

    @Override
    public List<Buffer> writes() {
      return List.of();
    }
  }

  /** {@code dX (+)= dZ · W}: one GEMM (NN). */
  record InputGrad(List<String> covers, Buffer dx, Buffer dz, ParamTensor weight, int out, int in, boolean accumulate)
      implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return present(dz, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(dx);
    }
  }

  /** A convolution's geometry over one sample: {@code [c, h, w] → [filters, outHeight, outWidth]}. */
  record ConvDims(int channels, int height, int width, int filters, int kernelHeight, int kernelWidth, int stride,
      int padTop, int padLeft, int outHeight, int outWidth) {
    public int patchSize() {
      return channels * kernelHeight * kernelWidth;
    }

    public int colsSize() {
      return patchSize() * outHeight * outWidth;
    }
  }

  /** A pooling window's geometry over one sample: {@code [c, h, w] → [c, outHeight, outWidth]}. */
  record PoolDims(int channels, int height, int width, int size, int stride, int outHeight, int outWidth) {}

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

  /** Weight, bias and (when {@code dx} is not null) input gradients of a convolution in one call. */
  record ConvBackward(List<String> covers, Buffer x, Buffer dz, ParamTensor weight, ParamTensor bias, Buffer dx, boolean accumulate,
      ConvDims dims, Buffer cols, Buffer dcols) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return present(x, dz, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return present(cols, dcols, dx);
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

  /**
   * Pooling backward; max pooling re-reads {@code x} to find each window's maximum. With
   * {@code relu}, also applies the folded ReLU's derivative, so {@code dx} is the gradient of the
   * pre-activation.
   */
  record PoolBackward(List<String> covers, boolean max, boolean relu, Buffer x, Buffer dy, Buffer dx, boolean accumulate, PoolDims dims)
      implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return present(dy, max ? x : null, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(dx);
    }
  }

  /** Training: {@code y = x ⊙ mask} with a fresh mask; inference: {@code y = x}. */
  record DropoutForward(List<String> covers, double rate, Buffer x, Buffer y, Buffer mask, int perSample) implements ForwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(x);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(y, mask);
    }
  }

  /** {@code dx (+)= dy ⊙ mask}. */
  record DropoutBackward(List<String> covers, Buffer dy, Buffer mask, Buffer dx, boolean accumulate, int perSample) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return present(dy, mask, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(dx);
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

  /** Batch-norm backward: γ and β gradients, and the input gradient when {@code dx} is not null. */
  record BatchNormBackward(List<String> covers, Buffer x, Buffer dy, ParamTensor gamma, ParamTensor beta, Buffer mean, Buffer invStd,
      Buffer dx, boolean accumulate, int channels, int spatial) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return present(x, dy, mean, invStd, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return dx == null ? List.of() : List.of(dx);
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

  /** {@code d weight[ids[b, t]] += dy[b, t]}. */
  record EmbeddingBackward(List<String> covers, Buffer ids, Buffer dy, ParamTensor table, int vocab, int dim) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(ids, dy);
    }

    @Override
    public List<Buffer> writes() {
      return List.of();
    }
  }

  /**
   * A recurrent layer over the whole sequence: the input projection of all steps as one GEMM, then
   * per step one recurrent GEMM for all gates and one fused cell update. Writes every step's
   * hidden state ({@code sequence}) or only the last ({@code !sequence}) into {@code y}; keeps what
   * backward needs in the layer's workspace (outside the arena, sized by the runtime).
   */
  record RecurrentForward(List<String> covers, Layer.Recurrent layer, Buffer x, Buffer y, ParamTensor weightIh, ParamTensor weightHh,
      ParamTensor biasIh, ParamTensor biasHh, int input, Buffer h0, Buffer c0, Buffer hT, Buffer cT) implements ForwardCall {
    /** Without an initial state or a handed-over final state. */
    public RecurrentForward(List<String> covers, Layer.Recurrent layer, Buffer x, Buffer y, ParamTensor weightIh, ParamTensor weightHh,
        ParamTensor biasIh, ParamTensor biasHh, int input) {
      this(covers, layer, x, y, weightIh, weightHh, biasIh, biasHh, input, null, null, null, null);
    }

    @Override
    public List<Buffer> reads() {
      return present(x, h0, c0);
    }

    @Override
    public List<Buffer> writes() {
      return present(y, hT == y ? null : hT, cT);
    }
  }

  /** Backpropagation through time: weight and bias gradients, and {@code dx} when not null. */
  /**
   * {@code dy}: the gradient of every step's output (null when nothing reads them); {@code dhT},
   * {@code dcT}: of the final state (from a reader of the last state, or from the layer this one
   * hands its state to); {@code dh0}, {@code dc0}: written for the layer that handed this one its
   * initial state.
   */
  record RecurrentBackward(List<String> covers, RecurrentForward forward, Buffer dy, Buffer dhT, Buffer dcT, Buffer dx, boolean accumulate,
      Buffer dh0, Buffer dc0) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return present(forward.x(), dy, dhT, dcT, forward.h0(), forward.c0(), accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return present(dx, dh0, dc0);
    }
  }

  /** {@code b = 0}: before a call that can only add to a gradient another input of it has not written yet. */
  record ZeroFill(List<String> covers, Buffer b) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of();
    }

    @Override
    public List<Buffer> writes() {
      return List.of(b);
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
    public List<Buffer> reads() {
      return List.of(s, h);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(context);
    }
  }

  /** Attention backward: weight gradients, and {@code ds}, {@code dh} when not null. */
  record AttentionBackward(List<String> covers, AttentionForward forward, Buffer dContext, Buffer ds, Buffer dh, boolean accumulate)
      implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return present(forward.s(), forward.h(), dContext, accumulate ? ds : null, accumulate ? dh : null);
    }

    @Override
    public List<Buffer> writes() {
      return present(ds, dh);
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

  /**
   * {@code d x_i (+)= dy[..., slice i]}; {@code dxs} holds null for inputs that need no gradient,
   * {@code accumulate} says per input whether to add.
   */
  record ConcatBackward(List<String> covers, ConcatForward forward, Buffer dy, List<Buffer> dxs, List<Boolean> accumulate) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return readsAccumulated(dy, dxs, accumulate);
    }

    @Override
    public List<Buffer> writes() {
      return dxs.stream().filter(java.util.Objects::nonNull).toList();
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

  /** {@code d x_i (+)= dy} for each input that needs a gradient. */
  record AddBackward(List<String> covers, Buffer dy, List<Buffer> dxs, List<Boolean> accumulate) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return readsAccumulated(dy, dxs, accumulate);
    }

    @Override
    public List<Buffer> writes() {
      return dxs;
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
      return present(x, residual);
    }

    @Override
    public List<Buffer> writes() {
      return present(y, sum, mean, rstd);
    }
  }

  /** Layer-norm backward: γ, β gradients and {@code du} (the normalized input's) when not null. */
  record LayerNormBackward(List<String> covers, LayerNormForward forward, Buffer dy, Buffer du, boolean accumulate) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return present(forward.normalized(), forward.mean(), forward.rstd(), dy, accumulate ? du : null);
    }

    @Override
    public List<Buffer> writes() {
      return present(du);
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

  /** Multi-head attention backward through the output projection, the flash kernel and Q, K, V. */
  record MultiHeadBackward(List<String> covers, MultiHeadForward forward, Buffer dy, Buffer dx, boolean accumulate, Buffer dq, Buffer dk,
      Buffer dv, Buffer dO) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      MultiHeadForward f = forward;
      return present(f.x(), f.q(), f.k(), f.v(), f.o(), f.lse(), dy, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return present(dq, dk, dv, dO, dx);
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

  /** {@code d P[t] += Σ_b dy[b, t]}, and {@code dx (+)= dy} when not null. */
  record PositionBackward(List<String> covers, Buffer dy, Buffer dx, boolean accumulate, ParamTensor table, int width) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return present(dy, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return present(dx);
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

  /** {@code grad ⊙= gelu'(z)} in place. */
  record GeluBackward(List<String> covers, Buffer z, Buffer grad) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return List.of(z, grad);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(grad);
    }
  }
}
