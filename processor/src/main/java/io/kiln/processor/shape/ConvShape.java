package io.kiln.processor.shape;

import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;

/**
 * The output size and padding of a convolution over a {@code [C, H, W]} sample, following the
 * notes' {@code out = (I − F + 2P)/S + 1}; SAME pads to {@code out = ceil(I/S)} with an odd total
 * going to the bottom/right. A 1-D convolution over {@code [C, T]} is the {@code H = 1} case with
 * no padding above or below ({@link #height}, {@link #width}).
 */
public record ConvShape(int outHeight, int outWidth, int padTop, int padLeft, int padTotalHeight, int padTotalWidth) {

  public static ConvShape of(Layer.Conv conv, Shape in) {
    int h = height(in);
    int w = width(in);
    int s = conv.stride();
    int padH = conv.axes() == 1 ? 0 : conv.pad();
    return switch (conv.padding()) {
      case VALID -> new ConvShape(Math.floorDiv(h - conv.kh(), s) + 1, Math.floorDiv(w - conv.kw(), s) + 1, 0, 0, 0, 0);
      case EXPLICIT -> new ConvShape(Math.floorDiv(h - conv.kh() + 2 * padH, s) + 1,
          Math.floorDiv(w - conv.kw() + 2 * conv.pad(), s) + 1, padH, conv.pad(), 2 * padH, 2 * conv.pad());
      case SAME -> {
        int oh = (h + s - 1) / s;
        int ow = (w + s - 1) / s;
        int ph = Math.max((oh - 1) * s + conv.kh() - h, 0);
        int pw = Math.max((ow - 1) * s + conv.kw() - w, 0);
        yield new ConvShape(oh, ow, ph / 2, pw / 2, ph, pw);
      }
    };
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
