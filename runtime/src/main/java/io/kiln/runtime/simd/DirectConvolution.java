package io.kiln.runtime.simd;

import io.kiln.runtime.gemm.Epilogue;

/**
 * Kernels of one sample's convolution with stride 1 and no dilation.
 *
 * <p>{@link #forward}, the direct convolution: each output is summed in place from the input and
 * the weights, without the im2col copy and the packed panels of the GEMM path. For a few filters
 * over a small image (LeNet's) those copies cost as much as the multiply-adds.
 *
 * <p>Every output is {@code act(s + bias[f])} with {@code s} summed from 0 over (channel, kernel
 * row, kernel column) in that order, one fused multiply-add per term, padding taps included as
 * zeros: the same operations as the GEMM path over im2col patches of at most {@code KC} rows, so
 * implementations agree bitwise with each other. The default method is the scalar twin.
 */
public interface DirectConvolution {
  /** The scalar twin. */
  DirectConvolution SCALAR = new DirectConvolution() {};

  /**
   * Floats past the zero-padded input that {@link #forward}'s scratch must hold: a vector read at
   * the end of the last row may run over by up to one vector of the widest species (16 floats),
   * and a vector implementation keeps a tile of sums there (24 vectors).
   */
  int SCRATCH_SLACK = 512;

  /** Filter counts are rounded up to this in the transposed weights: the widest species' lanes. */
  int FILTER_ROUNDING = 16;

  /**
   * The geometry of one direct convolution (stride 1, no dilation).
   *
   * @param channels C
   * @param height H of the input
   * @param width W of the input
   * @param filters F
   * @param kernelHeight KH
   * @param kernelWidth KW
   * @param padTop zero rows above the image
   * @param padLeft zero columns left of the image
   * @param outHeight OH
   * @param outWidth OW
   */
  record Shape(int channels, int height, int width, int filters, int kernelHeight, int kernelWidth, int padTop,
      int padLeft, int outHeight, int outWidth) {
    /** Rows of one zero-padded input plane: every row a window of OH outputs reads. */
    public int paddedHeight() {
      return outHeight + kernelHeight - 1;
    }

    /** Columns of one zero-padded input row. */
    public int paddedWidth() {
      return outWidth + kernelWidth - 1;
    }

    /**
     * The scratch {@link #forward} needs: the zero-padded input of every channel and {@link
     * #SCRATCH_SLACK}.
     */
    public int scratchSize() {
      return channels * paddedHeight() * paddedWidth() + SCRATCH_SLACK;
    }

    /** F rounded up to {@link #FILTER_ROUNDING}: a whole number of vectors of filters. */
    public int paddedFilters() {
      return (filters + FILTER_ROUNDING - 1) / FILTER_ROUNDING * FILTER_ROUNDING;
    }

    /** C·KH·KW: one filter's weights. */
    public int patchSize() {
      return channels * kernelHeight * kernelWidth;
    }
  }

  /**
   * The backward's col2im: {@code dx[c, ih, iw]} (= 0, or with {@code accumulate} its value) plus
   * {@code dcols[(c·KH + i)·KW + j, oh·OW + ow]} of every window tap {@code (i, j)} that read it
   * ({@code oh = ih + padTop − i}, {@code ow = iw + padLeft − j} inside the output), added in
   * (i, j) order: the same additions, in the same order per element, as zeroing dx and adding the
   * im2col rows one after the other. {@link Shape#filters()} is not used.
   */
  default void col2im(Shape s, float[] dcols, int dcolsOff, float[] dx, int dxOff, boolean accumulate) {
    int c = s.channels(), h = s.height(), w = s.width(), kh = s.kernelHeight(), kw = s.kernelWidth();
    int oh = s.outHeight(), ow = s.outWidth(), plane = oh * ow;
    for (int ch = 0; ch < c; ch++) {
      for (int ih = 0; ih < h; ih++) {
        int row = dxOff + (ch * h + ih) * w;
        for (int iw = 0; iw < w; iw++) {
          float sum = accumulate ? dx[row + iw] : 0f;
          for (int i = 0; i < kh; i++) {
            int o = ih + s.padTop() - i;
            if (o < 0 || o >= oh) {
              continue;
            }
            for (int j = 0; j < kw; j++) {
              int q = iw + s.padLeft() - j;
              if (q >= 0 && q < ow) {
                sum += dcols[dcolsOff + ((ch * kh + i) * kw + j) * plane + o * ow + q];
              }
            }
          }
          dx[row + iw] = sum;
        }
      }
    }
  }

  /**
   * Floats of the weights rearranged by {@link #prepareWeights} for {@link #forward}; 0 where
   * forward reads the weights as they are. At most {@link Shape#patchSize()} × {@link
   * Shape#paddedFilters()}.
   */
  default int preparedWeightsSize(Shape s) {
    return 0;
  }

  /**
   * Writes the rearranged copy of {@code w} that {@link #forward} reads ({@link
   * #preparedWeightsSize} floats from {@code preparedOff}). A layer prepares once per change of its
   * weights, not once per sample: LeNet's second convolution spent a sixth of a one-sample call
   * transposing them.
   */
  default void prepareWeights(Shape s, float[] w, int wOff, float[] prepared, int preparedOff) {}

  /**
   * {@code y[f, oh, ow] = act(Σ_{c,i,j} w[f, c, i, j]·x[c, oh + i - padTop, ow + j - padLeft] + bias[f])}
   * for one sample, out-of-image taps reading 0, through {@code ep} (a per-row bias or none, an
   * activation, never accumulating). {@code prepared} holds {@link #prepareWeights} of these
   * weights (unused where {@link #preparedWeightsSize} is 0). {@code scratch} ({@link
   * Shape#scratchSize()} floats from {@code scratchOff}) may be overwritten.
   */
  default void forward(Shape s, float[] x, int xOff, float[] w, int wOff, float[] prepared, int preparedOff,
      Epilogue ep, float[] y, int yOff, float[] scratch, int scratchOff) {
    int c = s.channels(), h = s.height(), wd = s.width(), kh = s.kernelHeight(), kw = s.kernelWidth();
    int oh = s.outHeight(), ow = s.outWidth(), patch = s.patchSize(), n = oh * ow;
    float[] bias = ep.biasData();
    boolean rowBias = ep.bias() == Epilogue.Bias.PER_ROW;
    for (int f = 0; f < s.filters(); f++) {
      float b = rowBias ? bias[ep.biasOffset() + f] : 0f;
      for (int r = 0; r < oh; r++) {
        for (int col = 0; col < ow; col++) {
          float sum = 0f;
          int wi = wOff + f * patch;
          for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < kh; i++) {
              int ih = r + i - s.padTop();
              for (int j = 0; j < kw; j++, wi++) {
                int iw = col + j - s.padLeft();
                float v = ih >= 0 && ih < h && iw >= 0 && iw < wd ? x[xOff + (ch * h + ih) * wd + iw] : 0f;
                sum = Math.fma(w[wi], v, sum);
              }
            }
          }
          y[yOff + f * n + r * ow + col] = ScalarElementwise.apply(ep.activation(), rowBias ? sum + b : sum);
        }
      }
    }
  }
}
