package io.kiln.processor.fuse;

import io.kiln.dsl.LossKind;
import java.util.List;

/**
 * One runtime kernel call of the generated code, covering one or more declared nodes: a {@link
 * ForwardCall}, a {@link BackwardCall} or the fused loss. The lists of buffers read and written
 * drive liveness in the memory plan.
 */
public sealed interface KernelCall permits ForwardCall, BackwardCall, KernelCall.LossForward {
  /** The declared nodes this call computes (or differentiates). */
  List<String> covers();

  List<Buffer> reads();

  List<Buffer> writes();

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

  /** A convolution's geometry over one sample: {@code [c, h, w] → [filters, outHeight, outWidth]}. */
  record ConvDims(int channels, int height, int width, int filters, int kernelHeight, int kernelWidth, ConvSteps steps,
      int padTop, int padLeft, int outHeight, int outWidth) {
    public int patchSize() {
      return channels * kernelHeight * kernelWidth;
    }

    public int colsSize() {
      return patchSize() * outHeight * outWidth;
    }
  }

  /** A convolution's stride and dilation per axis. */
  record ConvSteps(int strideHeight, int strideWidth, int dilationHeight, int dilationWidth) {
    /** One stride for both axes and no dilation: the form the generated geometry writes as one {@code stride}. */
    public boolean isUniform() {
      return strideHeight == strideWidth && dilationHeight == 1 && dilationWidth == 1;
    }
  }

  /** A pooling window's geometry over one sample: {@code [c, h, w] → [c, outHeight, outWidth]}. */
  record PoolDims(int channels, int height, int width, int windowHeight, int windowWidth, int strideHeight, int strideWidth,
      int outHeight, int outWidth) {
    /** Square windows with one stride: the form the generated geometry writes as {@code size, stride}. */
    public boolean isSquare() {
      return windowHeight == windowWidth && strideHeight == strideWidth;
    }
  }
}
