package io.kiln.processor.pass;

import io.kiln.processor.shape.ConvShape;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.SourceMessages;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import java.util.ArrayList;
import java.util.List;

/**
 * A declaration read another way, and the error that names it, for {@code ShapeInference}'s
 * re-reads. A reading that moves two values (a swap) is claimed only when neither {@code halves},
 * moving one of them, explains the errors: otherwise one size disagrees with another declaration,
 * and which of the two is wrong is not known.
 */
record Misreading(Node node, Layer reread, List<Layer> halves, String attribute, String message) {

  /**
   * Declarations people write in the wrong order or form: a channels-last image ({@code {28, 28,
   * 1}}), an embedding's vocab and dim swapped, a series of frames declared without its time axis
   * ({@code @Input(shape = {6, 4})} read by a recurrent layer). The mistake then surfaces at a later layer that no longer
   * fits, though the line to change is the declaration's.
   */
  static List<Misreading> candidates(Graph graph) {
    List<Misreading> found = new ArrayList<>();
    for (Node node : graph.order()) {
      if (ConvShape.channelsLastImage(graph, node)) {
        int[] d = ((Layer.Input) node.layer()).shape();
        found.add(new Misreading(node, new Layer.Input(new int[] {d[2], d[0], d[1]}), List.of(), "shape", Messages.channelsLastBreaks(node.name(), d)));
      } else if (node.layer() instanceof Layer.Input in && in.maxLength() == 0 && in.shape().length == 2) {
        // [T, F] frames declared as one block: a recurrent layer reading them needs the time axis.
        graph.order().stream().filter(r -> r.layer() instanceof Layer.Recurrent && r.dataInputs().contains(node.name())).findFirst()
            .ifPresent(reader -> found.add(new Misreading(node, new Layer.Input(new int[] {in.shape()[1]}, in.shape()[0]), List.of(), "shape",
                SourceMessages.noTimeAxis(node.name(), in.shape(), reader.name(), reader.layer().annotation()))));
      } else if (node.layer() instanceof Layer.Embedding e && e.vocab() != e.dim() && e.vocab() >= 1 && e.dim() >= 1) {
        found.add(new Misreading(node, new Layer.Embedding(e.dim(), e.vocab(), e.shares()),
            List.of(new Layer.Embedding(e.dim(), e.dim(), e.shares()), new Layer.Embedding(e.vocab(), e.vocab(), e.shares())), "vocab",
            SourceMessages.embeddingSwapped(node.name(), e.vocab(), e.dim())));
      }
    }
    return found;
  }
}
