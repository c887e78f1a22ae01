package io.kiln.processor.parse;

import io.kiln.processor.diag.SourceRef;
import java.util.List;

/**
 * A {@code @Model} class as declared, independent of javac: the output of the parse pass.
 *
 * @param packageName the model's package ("" for the unnamed package)
 * @param declaredName the model's name as written in code, nested names joined by dots
 * @param generatedName the simple name of the class Kiln writes ({@code Kiln} + flattened name)
 * @param maxBatch the largest batch memory is planned for
 * @param nodes the node methods in declaration order
 */
public record ModelSpec(
    String packageName, String declaredName, String generatedName, int maxBatch, List<NodeSpec> nodes, SourceRef ref) {
  public ModelSpec {
    nodes = List.copyOf(nodes);
  }
}
