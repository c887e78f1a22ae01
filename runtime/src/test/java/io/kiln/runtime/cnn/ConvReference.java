package io.kiln.runtime.cnn;

import io.kiln.dsl.Activation;
import io.kiln.runtime.simd.ScalarElementwise;

/**
 * The scalar twin of {@link Conv2d}: direct convolution loops with double-precision sums, written to
 * be read rather than to be fast. It is the oracle {@link Conv2d} is tested against, and the
 * processor's tests may use it too. Same arguments and accumulation rules as {@link Conv2d}, without
 * the scratch buffers.
 */
public final class ConvReference {
  private ConvReference() {}

  /** {@code y[b][f][oh][ow] = act(bias[f] + Σ_{c,kh,kw} w[f][c][kh][kw] · xpad[b][c][oh·S − padTop + kh][ow·S − padLeft + kw])}. */
  public static void forward(ConvGeometry g, int batch, float[] x, int xOff, float[] w, int wOff, float[] bias,
      int biasOff, Activation act, float[] y, int yOff) {
    for (int b = 0; b < batch; b++) {
      for (int f = 0; f < g.filters(); f++) {
        for (int oh = 0; oh < g.outHeight(); oh++) {
          for (int ow = 0; ow < g.outWidth(); ow++) {
            double sum = bias == null ? 0 : bias[biasOff + f];
            for (int c = 0; c < g.channels(); c++) {
              for (int kh = 0; kh < g.kernelHeight(); kh++) {
                for (int kw = 0; kw < g.kernelWidth(); kw++) {
                  int ih = oh * g.strideHeight() - g.padTop() + kh * g.dilationHeight();
                  int iw = ow * g.strideWidth() - g.padLeft() + kw * g.dilationWidth();
                  if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                    sum += (double) w[wOff + weightIndex(g, f, c, kh, kw)] * x[xOff + inputIndex(g, b, c, ih, iw)];
                  }
                }
              }
            }
            y[yOff + outputIndex(g, b, f, oh, ow)] = ScalarElementwise.apply(act, (float) sum);
          }
        }
      }
    }
  }

  /**
   * {@code dw += ∂L/∂w}, {@code dBias += ∂L/∂bias} (if not null), {@code dx = ∂L/∂x} (or {@code +=} when
   * {@code accumulateDx}; skipped if dx is null), given {@code dz = ∂L/∂(pre-activation)}.
   */
  public static void backward(ConvGeometry g, int batch, float[] x, int xOff, float[] w, int wOff, float[] dz,
      int dzOff, float[] dw, int dwOff, float[] dBias, int dBiasOff, float[] dx, int dxOff, boolean accumulateDx) {
    double[] gw = new double[g.weightSize()];
    double[] gb = new double[g.filters()];
    double[] gx = new double[batch * g.inputSize()];
    for (int b = 0; b < batch; b++) {
      for (int f = 0; f < g.filters(); f++) {
        for (int oh = 0; oh < g.outHeight(); oh++) {
          for (int ow = 0; ow < g.outWidth(); ow++) {
            double d = dz[dzOff + outputIndex(g, b, f, oh, ow)];
            gb[f] += d;
            for (int c = 0; c < g.channels(); c++) {
              for (int kh = 0; kh < g.kernelHeight(); kh++) {
                for (int kw = 0; kw < g.kernelWidth(); kw++) {
                  int ih = oh * g.strideHeight() - g.padTop() + kh * g.dilationHeight();
                  int iw = ow * g.strideWidth() - g.padLeft() + kw * g.dilationWidth();
                  if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                    int wi = weightIndex(g, f, c, kh, kw);
                    int xi = inputIndex(g, b, c, ih, iw);
                    gw[wi] += d * x[xOff + xi];
                    gx[xi] += d * w[wOff + wi];
                  }
                }
              }
            }
          }
        }
      }
    }
    for (int i = 0; i < gw.length; i++) {
      dw[dwOff + i] += (float) gw[i];
    }
    if (dBias != null) {
      for (int i = 0; i < gb.length; i++) {
        dBias[dBiasOff + i] += (float) gb[i];
      }
    }
    if (dx != null) {
      for (int i = 0; i < gx.length; i++) {
        dx[dxOff + i] = (accumulateDx ? dx[dxOff + i] : 0f) + (float) gx[i];
      }
    }
  }

  private static int weightIndex(ConvGeometry g, int f, int c, int kh, int kw) {
    return ((f * g.channels() + c) * g.kernelHeight() + kh) * g.kernelWidth() + kw;
  }

  private static int inputIndex(ConvGeometry g, int b, int c, int ih, int iw) {
    return ((b * g.channels() + c) * g.height() + ih) * g.width() + iw;
  }

  private static int outputIndex(ConvGeometry g, int b, int f, int oh, int ow) {
    return ((b * g.filters() + f) * g.outHeight() + oh) * g.outWidth() + ow;
  }
}
