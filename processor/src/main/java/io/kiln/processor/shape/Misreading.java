package io.kiln.processor.shape;

import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import java.util.List;

/**
 * A declaration read another way, and the error that names it, for {@code ShapeInference}'s
 * re-reads. A reading that moves two values (a swap) is claimed only when neither {@code halves},
 * moving one of them, explains the errors: otherwise one size disagrees with another declaration,
 * and which of the two is wrong is not known.
 */
public record Misreading(Node node, Layer reread, List<Layer> halves, String attribute, String message) {
}
