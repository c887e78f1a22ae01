package io.kiln.processor.shape;

import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;

/**
 * The output size and padding of a convolution over a {@code [C, H, W]} sample, following the
 * notes' {@code out = (I − F + 2P)/S + 1} per axis, F the dilated window's span {@code (K − 1)·D + 1}; SAME pads to {@code out = ceil(I/S)} with an odd total
 * going to the bottom/right. A 1-D convolution over {@code [C, T]} is the {@code H = 1} case with
 * no padding above or below ({@link #height}, {@link #width}).
 */
public record ConvShape(int outHeight, int outWidth, int padTop, int padLeft, int padTotalHeight, int padTotalWidth) {

  public static ConvShape of(Layer.Conv conv, Shape in) {
    int h = height(in);
    int w = width(in);
    int sh = conv.strideH();
    int sw = conv.strideW();
    return switch (conv.padding()) {
      case VALID -> new ConvShape(out(h, conv.spanH(), sh, 0), out(w, conv.spanW(), sw, 0), 0, 0, 0, 0);
      case EXPLICIT -> new ConvShape(out(h, conv.spanH(), sh, 2 * conv.padH()), out(w, conv.spanW(), sw, 2 * conv.padW()),
          conv.padH(), conv.padW(), 2 * conv.padH(), 2 * conv.padW());
      case SAME -> {
        int oh = (h + sh - 1) / sh;
        int ow = (w + sw - 1) / sw;
        int ph = samePadTotal(h, oh, sh, conv.spanH());
        int pw = samePadTotal(w, ow, sw, conv.spanW());
        yield new ConvShape(oh, ow, ph / 2, pw / 2, ph, pw);
      }
    };
  }

  /** {@code (in + padTotal − span) / stride + 1} rounded down, 0 when the window does not fit (long: a dilated span may pass int). */
  private static int out(int in, long span, int stride, int padTotal) {
    return (int) Math.max(0, Math.floorDiv(in + (long) padTotal - span, stride) + 1);
  }

  private static int samePadTotal(int in, int out, int stride, long span) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max((long) (out - 1) * stride + span - in, 0));
  }

  /** The rows of a sample's plane: H of {@code [C, H, W]}, 1 for a series {@code [C, T]}. */
  public static int height(Shape sample) {
    return sample.rank() == 2 ? 1 : sample.dim(1);
  }

  /** The columns of a sample's plane: W of {@code [C, H, W]}, T of a series {@code [C, T]}. */
  public static int width(Shape sample) {
    return sample.dim(sample.rank() - 1);
  }

  /**
   * Whether an image shape looks channels-last ({@code {64, 64, 3}}: three dims, the last a usual
   * channel count, the first two clearly larger); Kiln, like PyTorch, is channels-first.
   */
  public static boolean looksChannelsLast(int[] dims) {
    return dims.length == 3 && dims[2] <= 4 && dims[0] > 4 && dims[1] > 4;
  }

  /** Whether {@code node} is an {@code @Input} that looks channels-last and a convolution or pooling layer reads. */
  public static boolean channelsLastImage(Graph graph, Node node) {
    return node.layer() instanceof Layer.Input in && looksChannelsLast(in.shape())
        && graph.consumers(node.name()).stream().anyMatch(c -> c.layer() instanceof Layer.Conv || c.layer() instanceof Layer.Pool);
  }
}
