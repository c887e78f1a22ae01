package io.kiln.processor.family.input;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.ConvShape;
import io.kiln.processor.shape.ShapedGraph;

/**
 * An image input written channels-last ({@code {64, 64, 3}}, Keras's and NumPy's habit) read by a
 * convolution or pooling layer: Kiln, like PyTorch, is NCHW, so it would be 64 channels of 64×3
 * pixels, and a small kernel still fits, so nothing else complains.
 */
final class ChannelsLast {
  private ChannelsLast() {}

  static void check(ShapedGraph shaped, Report report, Node node, Layer.Input input) {
    if (ConvShape.channelsLastImage(shaped.graph(), node)) {
      report.warning(ErrorId.CHANNELS_LAST, node.ref(), "shape", Messages.channelsLast(node.name(), input.shape()));
    }
  }
}
