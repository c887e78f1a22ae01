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
public sealed interface KernelCall {
  /** The declared nodes this call computes (or differentiates). */
  List<String> covers();

  List<Buffer> reads();

  List<Buffer> writes();

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
      implements KernelCall {
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
  record ActivationBackward(List<String> covers, Activation activation, Buffer grad, Buffer y, int perSample) implements KernelCall {
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
  record BiasGrad(List<String> covers, ParamTensor bias, Buffer dz, int out) implements KernelCall {
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
  record WeightGrad(List<String> covers, ParamTensor weight, Buffer dz, Buffer x, int out, int in) implements KernelCall {
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
      implements KernelCall {
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
      ConvDims dims, Buffer cols) implements KernelCall {
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
      ConvDims dims, Buffer cols, Buffer dcols) implements KernelCall {
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
  record PoolForward(List<String> covers, boolean max, boolean relu, Buffer x, Buffer y, PoolDims dims) implements KernelCall {
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
      implements KernelCall {
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
  record DropoutForward(List<String> covers, double rate, Buffer x, Buffer y, Buffer mask, int perSample) implements KernelCall {
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
  record DropoutBackward(List<String> covers, Buffer dy, Buffer mask, Buffer dx, boolean accumulate, int perSample) implements KernelCall {
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
      implements KernelCall {
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
      Buffer dx, boolean accumulate, int channels, int spatial) implements KernelCall {
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
  record EmbeddingForward(List<String> covers, Buffer ids, Buffer y, ParamTensor table, int vocab, int dim) implements KernelCall {
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
  record EmbeddingBackward(List<String> covers, Buffer ids, Buffer dy, ParamTensor table, int vocab, int dim) implements KernelCall {
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
      ParamTensor biasIh, ParamTensor biasHh, int input, Buffer h0, Buffer c0, Buffer hT, Buffer cT) implements KernelCall {
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
      Buffer dh0, Buffer dc0) implements KernelCall {
    @Override
    public List<Buffer> reads() {
      return present(forward.x(), dy, dhT, dcT, forward.h0(), forward.c0(), accumulate ? dx : null);
    }

    @Override
    public List<Buffer> writes() {
      return present(dx, dh0, dc0);
    }
  }
}
