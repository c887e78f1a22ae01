package io.kiln.processor.fuse;

import io.kiln.dsl.Activation;
import io.kiln.dsl.LossKind;
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
  record LossForward(List<String> covers, LossKind kind, Buffer input, Buffer labels, Buffer dInput, int perSample)
      implements KernelCall {
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
      List<Buffer> r = new ArrayList<>(List.of(dz));
      if (accumulate) {
        r.add(dx);
      }
      return r;
    }

    @Override
    public List<Buffer> writes() {
      return List.of(dx);
    }
  }
}
