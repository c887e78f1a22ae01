package io.kiln.processor.family;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import io.kiln.processor.ir.Node;
import io.kiln.processor.shape.Shape;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a layer definition's ONNX export is given: the shapes and the model's saved tensors. A
 * definition answers with one call of the runtime's {@code OnnxModelBuilder} (the ONNX knowledge
 * itself is in the runtime); {@code exportOnnx} writes them in graph order.
 */
public interface OnnxExport {
  ClassName ACTIVATION = ClassName.get("io.kiln.dsl", "Activation");

  /** A node's per-sample shape. */
  Shape shape(String node);

  /** A tensor's saved name, checked against the model's tensors so a renamed tensor fails the build, not the export. */
  String tensor(String name);

  /** A tensor's checked saved name, quoted. */
  default CodeBlock quoted(String name) {
    return CodeBlock.of("$S", tensor(name));
  }

  /** A quoted saved name, or {@code null} when the layer has no such tensor (a dense layer without bias). */
  default CodeBlock quotedIf(boolean present, String name) {
    return present ? quoted(name) : CodeBlock.of("null");
  }

  /** An {@code int[]} literal. */
  static CodeBlock ints(int... values) {
    return CodeBlock.of("new int[] {$L}", dims(values));
  }

  /** Values as a comma-separated argument list. */
  static String dims(int... values) {
    return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(", "));
  }

  /** A node's inputs as quoted names, comma separated. */
  static CodeBlock inputs(Node n) {
    return n.inputs().stream().map(i -> CodeBlock.of("$S", i)).collect(CodeBlock.joining(", "));
  }
}
