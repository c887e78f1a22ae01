package io.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import io.kiln.dsl.LossKind;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.family.LayerDefinition;
import io.kiln.processor.family.OnnxExport;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.ir.Node;
import io.kiln.processor.registry.Families;
import io.kiln.processor.shape.Shape;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;

/**
 * Writes {@code exportOnnx(Path)}: one {@code io.kiln.runtime.onnx.OnnxModelBuilder} call per
 * declared node, in graph order, naming the node's inputs and its tensors by their saved names.
 * Each layer's definition spells its call ({@link LayerDefinition#onnx}); the ONNX knowledge is in
 * the runtime.
 */
final class OnnxExportWriter extends GeneratedClassPart implements OnnxExport {
  private static final ClassName BUILDER = ClassName.get(RUNTIME + ".onnx", "OnnxModelBuilder");
  private static final ClassName OUTPUT_ACTIVATION = BUILDER.nestedClass("OutputActivation");

  OnnxExportWriter(GeneratedClassPart shared) {
    super(shared);
  }

  MethodSpec exportOnnx() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("exportOnnx").addModifiers(Modifier.PUBLIC)
        .addAnnotation(Override.class)
        .addJavadoc("Writes this model to {@code file} as ONNX (opset 17), atomically like {@link #save}, with the current\n"
            + "weights as initializers under their saved names.\n\n<p>Inputs: $L.\nOutput {@code output}: $L, what {@code predict} returns; {@code batch}$L dynamic.\n",
            inputDoc(), outputDoc(),
            program.inputs().stream().anyMatch(b -> b.isSequence()) ? " and {@code steps} are" : " is")
        .addParameter(PATH, "file").addException(IO_EXCEPTION)
        .addStatement("$T onnx = new $T(MODEL_NAME, $L)", BUILDER, BUILDER, new LifecycleMethods(this).savedTensors());
    for (Node n : graph.order()) {
      CodeBlock call = Families.of(n.layer()).onnx(this, n);
      if (call != null) {
        m.addStatement("onnx.$L", call);
      }
    }
    m.addStatement("onnx.$L", output());
    return m.addStatement("onnx.write(file)").build();
  }

  /** The graph's output: the output node through what {@code predict} applies. */
  private CodeBlock output() {
    LossKind kind = program.loss() == null ? null : program.loss().kind();
    String activation = kind == LossKind.SOFTMAX_CROSS_ENTROPY ? "SOFTMAX" : kind == LossKind.SIGMOID_BINARY_CROSS_ENTROPY ? "SIGMOID" : "NONE";
    Shape out = shaped.shape(graph.output());
    return CodeBlock.of("$L($S, $T.$L$L)", out.isSequence() ? "sequenceOutput" : "output", graph.output().name(), OUTPUT_ACTIVATION,
        activation, out.dims().length == 0 ? "" : ", " + dims(out.dims()));
  }

  private String inputDoc() {
    return graph.inputs().stream().map(n -> isTokens(n.name())
        ? "{@code " + n.name() + "} int64 [batch, steps]"
        : "{@code " + n.name() + "} float32 [batch" + (shaped.shape(n).isSequence() ? ", steps" : "") + ", " + dims(shaped.shape(n).dims()) + "]")
        .collect(Collectors.joining(", "));
  }

  private boolean isTokens(String input) {
    return program.inputs().stream().anyMatch(b -> b.name().equals(input) && b.kind() == Buffer.Kind.TOKENS);
  }

  private String outputDoc() {
    Shape out = shaped.shape(graph.output());
    return "float32 [batch" + (out.isSequence() ? ", steps" : "") + (out.dims().length == 0 ? "" : ", " + dims(out.dims())) + "]";
  }

  @Override
  public Shape shape(String node) {
    return shaped.shape(node);
  }

  @Override
  public String tensor(String name) {
    boolean known = Stream.concat(program.params().stream(), program.state().stream()).map(ParamTensor::name).anyMatch(name::equals);
    if (!known) {
      throw new IllegalStateException("exportOnnx refers to a tensor '" + name + "' the model does not have");
    }
    return name;
  }
}
