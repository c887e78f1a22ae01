package io.kiln.processor.shape;

import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;

/**
 * The output size and padding of a convolution over a {@code [C, H, W]} sample, following the
 * notes' {@code out = (I − F + 2P)/S + 1}; SAME pads to {@code out = ceil(I/S)} with an odd total
 * going to the bottom/right.
 */
public record ConvShape(int outHeight, int outWidth, int padTop, int padLeft, int padTotalHeight, int padTotalWidth) {

  public static ConvShape of(Layer.Conv conv, Shape in) {
    int h = in.dim(1);
    int w = in.dim(2);
    int s = conv.stride();
    return switch (conv.padding()) {
      case VALID -> new ConvShape(Math.floorDiv(h - conv.kh(), s) + 1, Math.floorDiv(w - conv.kw(), s) + 1, 0, 0, 0, 0);
      case EXPLICIT -> new ConvShape(Math.floorDiv(h - conv.kh() + 2 * conv.pad(), s) + 1,
          Math.floorDiv(w - conv.kw() + 2 * conv.pad(), s) + 1, conv.pad(), conv.pad(), 2 * conv.pad(), 2 * conv.pad());
      case SAME -> {
        int oh = (h + s - 1) / s;
        int ow = (w + s - 1) / s;
        int ph = Math.max((oh - 1) * s + conv.kh() - h, 0);
        int pw = Math.max((ow - 1) * s + conv.kw() - w, 0);
        yield new ConvShape(oh, ow, ph / 2, pw / 2, ph, pw);
      }
    };
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
