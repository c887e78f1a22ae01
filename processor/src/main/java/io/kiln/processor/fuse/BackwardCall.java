package io.kiln.processor.fuse;

import io.kiln.dsl.Activation;
import io.kiln.processor.parse.Layer;
import java.util.List;

/**
 * A call of the generated {@code gradients}, one record per kind: one step of the backward pass.
 * Sealed apart from {@link ForwardCall} so the writers' switches over either list are checked for
 * exhaustiveness.
 */
public sealed interface BackwardCall extends KernelCall {
  /** {@code dZ = dY ⊙ f'(Y)} in place. */
  record ActivationBackward(List<String> covers, Activation activation, Buffer grad, Buffer y, int perSample)
      implements BackwardCall, RewritesGradient {
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
      return Operands.present(dz, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(dx);
    }
  }

  /** Weight, bias and (when {@code dx} is not null) input gradients of a convolution in one call. */
  record ConvBackward(List<String> covers, Buffer x, Buffer dz, ParamTensor weight, ParamTensor bias, Buffer dx, boolean accumulate,
      ConvDims dims, Buffer cols, Buffer dcols) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return Operands.present(x, dz, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return Operands.present(cols, dcols, dx);
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
      return Operands.present(dy, max ? x : null, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(dx);
    }
  }

  /** {@code dx (+)= dy ⊙ mask}. */
  record DropoutBackward(List<String> covers, Buffer dy, Buffer mask, Buffer dx, boolean accumulate, int perSample) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return Operands.present(dy, mask, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return List.of(dx);
    }
  }

  /** Batch-norm backward: γ and β gradients, and the input gradient when {@code dx} is not null. */
  record BatchNormBackward(List<String> covers, Buffer x, Buffer dy, ParamTensor gamma, ParamTensor beta, Buffer mean, Buffer invStd,
      Buffer dx, boolean accumulate, int channels, int spatial) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return Operands.present(x, dy, mean, invStd, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return dx == null ? List.of() : List.of(dx);
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

  /** Backpropagation through time: weight and bias gradients, and {@code dx} when not null. */
  /**
   * {@code dy}: the gradient of every step's output (null when nothing reads them); {@code dhT},
   * {@code dcT}: of the final state (from a reader of the last state, or from the layer this one
   * hands its state to); {@code dh0}, {@code dc0}: written for the layer that handed this one its
   * initial state.
   */
  record RecurrentBackward(List<String> covers, ForwardCall.RecurrentForward forward, Buffer dy, Buffer dhT, Buffer dcT, Buffer dx, boolean accumulate,
      Buffer dh0, Buffer dc0) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return Operands.present(forward.x(), dy, dhT, dcT, forward.h0(), forward.c0(), accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return Operands.present(dx, dh0, dc0);
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

  /** Attention backward: weight gradients, and {@code ds}, {@code dh} when not null. */
  record AttentionBackward(List<String> covers, ForwardCall.AttentionForward forward, Buffer dContext, Buffer ds, Buffer dh, boolean accumulate)
      implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return Operands.present(forward.s(), forward.h(), dContext, accumulate ? ds : null, accumulate ? dh : null);
    }

    @Override
    public List<Buffer> writes() {
      return Operands.present(ds, dh);
    }
  }

  /**
   * {@code d x_i (+)= dy[..., slice i]}; {@code dxs} holds null for inputs that need no gradient,
   * {@code accumulate} says per input whether to add.
   */
  record ConcatBackward(List<String> covers, ForwardCall.ConcatForward forward, Buffer dy, List<Buffer> dxs, List<Boolean> accumulate) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return Operands.readsAccumulated(dy, dxs, accumulate);
    }

    @Override
    public List<Buffer> writes() {
      return dxs.stream().filter(java.util.Objects::nonNull).toList();
    }
  }

  /** {@code d x_i (+)= dy} for each input that needs a gradient. */
  record AddBackward(List<String> covers, Buffer dy, List<Buffer> dxs, List<Boolean> accumulate) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return Operands.readsAccumulated(dy, dxs, accumulate);
    }

    @Override
    public List<Buffer> writes() {
      return dxs;
    }
  }

  /** Layer-norm backward: γ, β gradients and {@code du} (the normalized input's) when not null. */
  record LayerNormBackward(List<String> covers, ForwardCall.LayerNormForward forward, Buffer dy, Buffer du, boolean accumulate) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return Operands.present(forward.normalized(), forward.mean(), forward.rstd(), dy, accumulate ? du : null);
    }

    @Override
    public List<Buffer> writes() {
      return Operands.present(du);
    }
  }

  /** Multi-head attention backward through the output projection, the flash kernel and Q, K, V. */
  record MultiHeadBackward(List<String> covers, ForwardCall.MultiHeadForward forward, Buffer dy, Buffer dx, boolean accumulate, Buffer dq, Buffer dk,
      Buffer dv, Buffer dO) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      ForwardCall.MultiHeadForward f = forward;
      return Operands.present(f.x(), f.q(), f.k(), f.v(), f.o(), f.lse(), dy, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return Operands.present(dq, dk, dv, dO, dx);
    }
  }

  /** {@code d P[t] += Σ_b dy[b, t]}, and {@code dx (+)= dy} when not null. */
  record PositionBackward(List<String> covers, Buffer dy, Buffer dx, boolean accumulate, ParamTensor table, int width) implements BackwardCall {
    @Override
    public List<Buffer> reads() {
      return Operands.present(dy, accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return Operands.present(dx);
    }
  }

  /** {@code grad ⊙= gelu'(z)} in place. */
  record GeluBackward(List<String> covers, Buffer z, Buffer grad) implements BackwardCall, RewritesGradient {
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
