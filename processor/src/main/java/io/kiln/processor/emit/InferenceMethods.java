package io.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import io.kiln.dsl.LossKind;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import java.util.Arrays;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Writes the generated inference API: forward, predict, classify, greedy decoding and attention
 * weights.
 */
final class InferenceMethods extends GeneratedClassPart {
  private final Declarations declarations = new Declarations(this);

  InferenceMethods(GeneratedClassPart shared) {
    super(shared);
  }

  MethodSpec forward() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("forward").addModifiers(Modifier.PUBLIC).returns(TENSOR)
        .addJavadoc("Runs the network and returns $L $L, a view valid until this model's next call.\n\n$L"
            + "@throws IllegalArgumentException if an input is empty, not a whole number of samples or over {@code MAX_BATCH}$L\n",
            graph.output().name(), program.output().shape(), docs.inputDocs(), docs.sequenceProblems());
    addPublicInputParams(m);
    declarations.checkInputs(m, "forward");
    m.addStatement("$L", runForwardCall(inputArgs(), batchArgs(), "false"));
    return m.addStatement("return $L", outputView("batch")).build();
  }

  MethodSpec predict() {
    LossKind kind = program.loss() == null ? null : program.loss().kind();
    String what = kind == LossKind.SOFTMAX_CROSS_ENTROPY ? "class probabilities (softmax of " + graph.output().name() + ")"
        : kind == LossKind.SIGMOID_BINARY_CROSS_ENTROPY ? "probabilities (sigmoid of " + graph.output().name() + ")"
        : "the output " + graph.output().name();
    MethodSpec.Builder m = MethodSpec.methodBuilder("predict").addModifiers(Modifier.PUBLIC).returns(FLOATS)
        .addJavadoc("Returns $L $L as a new array.\n\n$L$L", what, program.output().shape(), docs.inputDocs(), docs.throwsInference());
    addPublicInputParams(m);
    declarations.checkInputs(m, "predict");
    checkFinite(m, "predict");
    m.addStatement("$L", runForwardCall(inputArgs(), batchArgs(), "false"));
    m.addStatement("float[] result = $L.toArray()", outputView("batch"));
    if (kind == LossKind.SOFTMAX_CROSS_ENTROPY) {
      int classes = program.loss().perSample();
      m.addStatement("OPS.softmax(result, 0, result, 0, result.length / $L, $L)", classes, classes);
    } else if (kind == LossKind.SIGMOID_BINARY_CROSS_ENTROPY) {
      m.addStatement("OPS.activate($T.SIGMOID, result, 0, result.length)", ACTIVATION);
    }
    return m.addStatement("return result").build();
  }

  /**
   * Greedy decoding: the decoded input's first {@code given} tokens are taken as given, each later
   * one is the prediction at the step before. One forward pass per decoded step: every layer is
   * causal in the decoded input, so earlier predictions never change.
   */
  MethodSpec greedyDecode(Buffer decoded) {
    int classes = program.output().perStep();
    MethodSpec.Builder m = MethodSpec.methodBuilder("greedyDecode").addModifiers(Modifier.PUBLIC).returns(INTS)
        .addJavadoc("Greedy decoding: returns the most likely token at every step, [B, steps], where the input '$L' is\n"
            + "fed back: its tokens before {@code given} are used as given, and token t ≥ {@code given} is the prediction\n"
            + "at step t − 1. Seq2seq: pass the start token at position 0 and {@code given = 1}; a language model: the\n"
            + "prompt's length. '$L' itself is not changed.\n\n$L@param given how many leading tokens of '$L' are given, in [1, steps]\n"
            + "@throws IllegalArgumentException if an input is malformed or {@code given} is out of range\n",
            decoded.name(), decoded.name(), docs.inputDocs(), decoded.name());
    addPublicInputParams(m);
    m.addParameter(TypeName.INT, "given");
    declarations.checkInputs(m, "greedyDecode");
    m.beginControlFlow("if (given < 1 || given > steps)")
        .addStatement("throw new $T(MODEL_NAME + $S + given + $S + steps + $S)", IllegalArgumentException.class,
            ".greedyDecode: given = ", " must be in [1, steps = ", "]: at least one token starts the sequence")
        .endControlFlow();
    String original = var(decoded);
    List<String> args = new java.util.ArrayList<>();
    for (Buffer in : program.inputs()) {
      args.add(in == decoded ? "fed" : var(in));
    }
    m.addStatement("int[] fed = $L.clone()", original)
        .addStatement("int[] predictions = new int[batch * steps]")
        .beginControlFlow("for (int t = given - 1; ; t++)")
        .addStatement("$L", runForwardCall(String.join(", ", args), "batch, steps", "false"))
        .beginControlFlow("if (t >= steps - 1)")
        .addStatement("break")
        .endControlFlow()
        .beginControlFlow("for (int b = 0; b < batch; b++)")
        .addStatement("fed[b * steps + t + 1] = $T.argmax(arena, $L + (b * steps + t) * $L, $L)", ClassName.get(RUNTIME, "Metrics"),
            arenaConstant(program.output()), classes, classes)
        .endControlFlow()
        .endControlFlow()
        .beginControlFlow("for (int r = 0; r < batch * steps; r++)")
        .addStatement("predictions[r] = $T.argmax(arena, $L + r * $L, $L)", ClassName.get(RUNTIME, "Metrics"), arenaConstant(program.output()), classes, classes)
        .endControlFlow()
        .addStatement("return predictions");
    return m.build();
  }

  /** A copy of an attention layer's weights α from the last forward pass. */
  MethodSpec attentionWeights() {
    List<String> nodes = attentions().stream().map(a -> a.covers().get(0)).toList();
    MethodSpec.Builder m = MethodSpec.methodBuilder("attentionWeights").addModifiers(Modifier.PUBLIC).returns(FLOATS)
        .addParameter(String.class, "node")
        .addJavadoc("The attention weights α of {@code node} from this model's last forward pass (any method that runs the\n"
            + "network), as a new array [B, T, T]: row t holds the weights decoder step t gave each encoder step, summing to 1.\n\n"
            + "@param node an @Attention node: $L\n@throws IllegalArgumentException for another name\n"
            + "@throws IllegalStateException before the first forward pass\n", String.join(", ", nodes))
        .beginControlFlow("if (lastBatch == 0)")
        .addStatement("throw new $T(MODEL_NAME + $S)", IllegalStateException.class, ".attentionWeights: no forward pass has run yet")
        .endControlFlow()
        .addStatement("int size = lastBatch * lastSteps * lastSteps")
        .beginControlFlow("switch (node)");
    for (ForwardCall a : attentions()) {
      m.addStatement("case $S: return $T.copyOf($L, size)", a.covers().get(0), Arrays.class, workspace(a));
    }
    m.addStatement("default: throw new $T(MODEL_NAME + $S + node + $S)", IllegalArgumentException.class, ".attentionWeights: no @Attention node '",
        "'; the model's are " + nodes);
    return m.endControlFlow().build();
  }

  /** The most likely class per sample, or per step for a per-step output: the argmax of each row of logits. */
  MethodSpec classify() {
    Buffer out = program.output();
    int classes = out.perStep();
    MethodSpec.Builder m = MethodSpec.methodBuilder("classify").addModifiers(Modifier.PUBLIC).returns(INTS)
        .addJavadoc("Returns the most likely class (argmax of $L) $L.\n\n$L$L", graph.output().name(),
            out.isSequence() ? "at every step, [B, steps] row-major" : "of each sample, [B]", docs.inputDocs(), docs.throwsInference());
    addPublicInputParams(m);
    declarations.checkInputs(m, "classify");
    checkFinite(m, "classify");
    m.addStatement("$L", runForwardCall(inputArgs(), batchArgs(), "false"))
        .addStatement("int[] classes = new int[$L]", rows(out))
        .beginControlFlow("for (int i = 0; i < classes.length; i++)")
        .addStatement("classes[i] = $T.argmax($L + i * $L, $L)", ClassName.get(RUNTIME, "Metrics"), ref(out), classes, classes)
        .endControlFlow()
        .addStatement("return classes");
    return m.build();
  }
}
