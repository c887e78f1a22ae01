package io.kiln.processor.parse;

import io.kiln.processor.diag.SourceRef;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code @Model} class as declared, independent of javac: the output of the parse pass.
 *
 * @param packageName the model's package ("" for the unnamed package)
 * @param declaredName the model's name as written in code, nested names joined by dots
 * @param generatedName the simple name of the class Kiln writes ({@code Kiln} + flattened name)
 * @param maxBatch the largest batch memory is planned for
 * @param nodes the node methods in declaration order, repeated blocks expanded into their copies
 * @param repeats the {@code @Repeat} nodes, for the checks that need the block as a whole
 * @param rejected the node methods the parser rejected (an error says why), each mapped to its
 *     layer annotation ({@code "@Dense"}, or "" when it has none): the later passes skip them and
 *     what reads them, so one mistake is reported once
 */
public record ModelSpec(
    String packageName, String declaredName, String generatedName, int maxBatch, List<NodeSpec> nodes, SourceRef ref,
    List<RepeatSpec> repeats, Map<String, String> rejected) {
  public ModelSpec {
    nodes = List.copyOf(nodes);
    repeats = List.copyOf(repeats);
    rejected = Collections.unmodifiableMap(new LinkedHashMap<>(rejected));
  }

  public ModelSpec(String packageName, String declaredName, String generatedName, int maxBatch, List<NodeSpec> nodes, SourceRef ref) {
    this(packageName, declaredName, generatedName, maxBatch, nodes, ref, List.of(), Map.of());
  }

  /**
   * A {@code @Repeat} node: copy 0 of {@code block} reads {@code firstInput} and produces
   * {@code firstOutput} (the copy's name for the block's output node {@code outputNode}).
   */
  public record RepeatSpec(String name, String block, int times, String firstInput, String firstOutput, String outputNode, SourceRef ref) {
    /** The last copy's name for the block's output: what readers of the {@code @Repeat} node read. */
    public String lastOutput() {
      return name + "." + (times - 1) + "." + outputNode;
    }
  }
}
