package io.kiln.processor.emit;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.ValueType;
import io.kiln.processor.plan.MemoryPlan;
import java.util.Arrays;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The emit pass: writes the model class with JavaPoet. Generated code is meant to be read: shapes
 * and offsets are named constants, each kernel call carries a comment naming the declared nodes it
 * covers and their shapes, and there is no reflection.
 */
public final class ModelWriter extends GeneratedClassPart {
  private final Declarations declarations = new Declarations(this);
  private final LifecycleMethods lifecycleMethods = new LifecycleMethods(this);
  private final InferenceMethods inferenceMethods = new InferenceMethods(this);
  private final TrainingMethods trainingMethods = new TrainingMethods(this);
  private final ForwardPass forwardPass = new ForwardPass(this);
  private final LossPass lossPass = new LossPass(this);
  private final BackwardPass backwardPass = new BackwardPass(this);
  private final IntrospectionMethods introspection = new IntrospectionMethods(this);

  public ModelWriter(MemoryPlan plan) {
    super(plan);
  }

  public JavaFile write() {
    TypeSpec.Builder type = TypeSpec.classBuilder(self)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addAnnotation(AnnotationSpec.builder(GENERATED)
            .addMember("value", "$S", "io.kiln.processor.KilnProcessor")
            .addMember("comments", "$S", "from @Model " + spec.declaredName())
            .build())
        .addJavadoc(classDoc());
    constants(type);
    type.addField(FieldSpec.builder(GEMM_KERNEL, "GEMM", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("$T.provider().gemm()", VECTORIZATION).build());
    type.addField(FieldSpec.builder(ELEMENTWISE, "OPS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("$T.provider().elementwise()", VECTORIZATION).build());
    type.addField(FieldSpec.builder(FLOATS, "params", Modifier.PRIVATE, Modifier.FINAL)
        .initializer("new float[PARAMETER_COUNT]").build());
    type.addField(FieldSpec.builder(FLOATS, "grads", Modifier.PRIVATE, Modifier.FINAL)
        .initializer("new float[PARAMETER_COUNT]").build());
    type.addField(FieldSpec.builder(FLOATS, "arena", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("Activations and gradients of one step, at the offsets {@code A_*} and {@code G_*}.\n")
        .initializer("new float[ARENA_FLOATS]").build());
    if (!program.state().isEmpty() && trains()) {
      type.addField(FieldSpec.builder(FLOATS, "stateBefore", Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("The running statistics before the current step, restored if the step is rejected.\n")
          .initializer("new float[STATE_COUNT]").build());
    }
    if (!program.state().isEmpty()) {
      type.addField(FieldSpec.builder(FLOATS, "state", Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("Saved with the weights but not learned: batch-norm running statistics, at {@code S_*}.\n")
          .initializer("new float[STATE_COUNT]").build());
    }
    type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER), "parameters", Modifier.PRIVATE, Modifier.FINAL).build());
    type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER), "buffers", Modifier.PRIVATE, Modifier.FINAL).build());
    if (hasDropout()) {
      type.addField(FieldSpec.builder(RNG, "dropoutRng", Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("Draws dropout masks; seeded from the model's seed so runs repeat exactly.\n").build());
    }
    declarations.fields(type);
    introspection.fields(type);
    if (program.loss() != null) {
      type.addField(FieldSpec.builder(TypeName.LONG, "steps", Modifier.PRIVATE).build());
    }
    if (!attentions().isEmpty()) {
      type.addField(FieldSpec.builder(TypeName.INT, "lastBatch", Modifier.PRIVATE).addJavadoc("The batch and steps of the last forward pass, for {@code attentionWeights}.\n").build());
      type.addField(FieldSpec.builder(TypeName.INT, "lastSteps", Modifier.PRIVATE).build());
    }
    if (countsCorrect()) {
      type.addField(FieldSpec.builder(TypeName.INT, "lastCorrect", Modifier.PRIVATE).build());
    }
    type.addMethod(lifecycleMethods.constructor());
    type.addMethod(lifecycleMethods.create());
    type.addMethod(lifecycleMethods.load());
    type.addMethod(lifecycleMethods.save());
    type.addMethod(new OnnxExportWriter(this).exportOnnx());
    type.addMethod(lifecycleMethods.loadWeights());
    type.addMethod(lifecycleMethods.parametersMethod());
    type.addMethod(lifecycleMethods.buffersMethod());
    type.addMethod(lifecycleMethods.parameterMethod());
    type.addMethod(inferenceMethods.forward());
    type.addMethod(inferenceMethods.predict());
    decodedInput().ifPresent(d -> type.addMethod(inferenceMethods.greedyDecode(d)));
    if (!attentions().isEmpty()) {
      type.addMethod(inferenceMethods.attentionWeights());
    }
    if (classifies()) {
      type.addMethod(inferenceMethods.classify());
    }
    if (program.loss() != null) {
      type.addMethod(trainingMethods.lossMethod());
      if (program.loss().dInput() != null) {
        type.addMethod(trainingMethods.computeGradients());
        type.addMethod(trainingMethods.trainStep());
      }
      if (countsCorrect()) {
        type.addMethod(MethodSpec.methodBuilder("lastCorrect").addModifiers(Modifier.PUBLIC).returns(TypeName.INT)
            .addJavadoc("How many $L of the last {@code trainStep} or {@code computeGradients} batch the model classified\n"
                + "correctly, before its update: training accuracy for free, from logits the step computed anyway.\n",
                program.loss().input().isSequence()
                    ? "positions (of batch × steps" + (program.loss().ignores() ? "; ignored ones never count" : "") + ")"
                    : "samples" + (program.loss().ignores() ? " (ignored ones never count)" : ""))
            .addStatement("return lastCorrect").build());
      }
      if (program.loss().dInput() != null) {
        type.addMethod(lifecycleMethods.saveCheckpoint());
        type.addMethod(lifecycleMethods.loadCheckpoint());
      }
      type.addMethod(MethodSpec.methodBuilder("steps").addModifiers(Modifier.PUBLIC)
          .addJavadoc("Training steps taken so far.\n").returns(TypeName.LONG).addStatement("return steps").build());
    }
    if (trains()) {
      type.addMethod(trainingMethods.applyGradients());
      type.addMethod(trainingMethods.nonFinite());
      type.addMethod(trainingMethods.gradientFailure());
      trainingMethods.trainableModel(type);
      type.addMethod(introspection.introspect());
    }
    trainingMethods.typedApi(type);
    type.addMethod(summary());
    type.addMethod(forwardPass.runForward());
    if (program.loss() != null) {
      type.addMethod(lossPass.runLoss());
      if (program.loss().dInput() != null) {
        type.addMethod(backwardPass.runBackward());
      }
    }
    return JavaFile.builder(spec.packageName(), type.build())
        .addFileComment("Generated by Kiln from $L. Do not edit: change the @Model class and rebuild.", spec.declaredName())
        .skipJavaLangImports(true)
        .build();
  }

  // --- documentation ----------------------------------------------------------------------------

  private CodeBlock classDoc() {
    CodeBlock.Builder doc = CodeBlock.builder();
    doc.add("Kiln's implementation of {@link $L}: a $L-parameter network compiled at build time.\n\n",
        spec.declaredName(), plan.paramFloats());
    doc.add("<p>Create one with {@link #create(long)} or {@link #load(Path)}. An instance is not\n"
        + "thread-safe: give each thread its own. A call takes at most {@value #MAX_BATCH} samples.\n\n");
    doc.add("<pre>\n$L</pre>\n", legend().replace("<", "&lt;").replace(">", "&gt;"));
    return doc.build();
  }

  /** The shape legend: node, layer, shape per batch. */
  private String legend() {
    int w = Math.max(6, graph.order().stream().mapToInt(n -> n.name().length()).max().orElse(4) + 2);
    int lw = Math.max(7, graph.order().stream().mapToInt(n -> describe(n).length()).max().orElse(5) + 2);
    StringBuilder sb = new StringBuilder();
    sb.append(pad("node", w)).append(pad("layer", lw)).append("shape\n");
    for (Node n : graph.order()) {
      String shape = n.isLoss() ? "scalar (labels " + n.labels() + " " + shaped.labelsShape().withBatch() + ")" : shaped.shape(n).withBatch();
      sb.append(pad(n.name(), w)).append(pad(describe(n), lw)).append(shape).append('\n');
    }
    return sb.toString();
  }

  private static String describe(Node n) {
    return n.layer().describe(n.inputs());
  }


  private static String pad(String s, int w) {
    return s.length() >= w ? s + " " : s + " ".repeat(w - s.length());
  }

  // --- constants --------------------------------------------------------------------------------

  private void constants(TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(String.class, "MODEL_NAME", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("The declared model's name, recorded in saved files.\n").initializer("$S", spec.declaredName()).build());
    type.addField(FieldSpec.builder(TypeName.INT, "MAX_BATCH", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("The largest batch one call accepts ({@code @Model(maxBatch)}).\n").initializer("$L", plan.maxBatch()).build());
    type.addField(FieldSpec.builder(TypeName.INT, "PARAMETER_COUNT", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Learned floats, all in one slab.\n").initializer("$L", plan.paramFloats()).build());
    type.addField(FieldSpec.builder(TypeName.INT, "ARENA_FLOATS", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Floats of activation and gradient memory, planned from liveness for {@code MAX_BATCH}.\n")
        .initializer("$L", plan.arenaFloats()).build());
    type.addField(FieldSpec.builder(TypeName.INT, "NAIVE_FLOATS", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Floats the same tensors would take if none shared memory (compare with {@link #ARENA_FLOATS}).\n")
        .initializer("$L", plan.naiveFloats()).build());
    int stateOffset = 0;
    if (!program.state().isEmpty()) {
      for (ParamTensor p : program.state()) {
        stateOffset += p.size();
      }
      type.addField(FieldSpec.builder(TypeName.INT, "STATE_COUNT", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .addJavadoc("Floats of running statistics.\n").initializer("$L", stateOffset).build());
      stateOffset = 0;
      for (ParamTensor p : program.state()) {
        type.addField(FieldSpec.builder(TypeName.INT, stateConstant(p), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc("$L $L in the state slab.\n", p.name(), Arrays.toString(p.shape())).initializer("$L", stateOffset).build());
        stateOffset += p.size();
      }
    }
    declarations.geometry(type);
    for (Buffer in : program.inputs()) {
      if (in.isSequence()) {
        type.addField(FieldSpec.builder(TypeName.INT, maxSteps(in), Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc("The longest sequence '$L' may hold; memory is planned for it.\n", in.name())
            .initializer("$L", in.maxSteps()).build());
      } else {
        type.addField(FieldSpec.builder(INTS, shapeConstant(in.name()), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .initializer("{$L}", dims(shaped.shape(in.name()).dims())).build());
      }
    }
    if (program.labels() != null && graph.labelsType() == ValueType.TENSOR) {
      type.addField(FieldSpec.builder(INTS, labelsShapeConstant(), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .initializer("{$L}", dims(shaped.labelsShape().dims())).build());
    }
    for (ParamTensor p : program.params()) {
      type.addField(FieldSpec.builder(TypeName.INT, paramConstant(p), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .addJavadoc("$L $L in the parameter slab.\n", p.name(), Arrays.toString(p.shape()))
          .initializer("$L", plan.offset(p)).build());
    }
    for (Buffer b : program.arenaBuffers()) {
      type.addField(FieldSpec.builder(TypeName.INT, arenaConstant(b), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .addJavadoc("$L $L in the arena$L.\n", describeBuffer(b), b.shape(), sharing(b))
          .initializer("$L", plan.offset(b)).build());
    }
  }

  /** Names the buffers planned into the same memory as {@code b} (never alive at the same time). */
  private String sharing(Buffer b) {
    int start = plan.offset(b);
    long end = start + b.floats(plan.maxBatch());
    List<String> others = program.arenaBuffers().stream()
        .filter(o -> o != b && plan.offset(o) < end && start < plan.offset(o) + o.floats(plan.maxBatch()))
        .map(o -> o.kind() == Buffer.Kind.SCRATCH ? o.name() : o.kind() == Buffer.Kind.GRADIENT ? "∂" + o.name().substring(2) : o.name())
        .toList();
    if (others.isEmpty()) {
      return "";
    }
    String listed = String.join(", ", others.subList(0, Math.min(3, others.size())));
    return "; reuses memory of " + listed + (others.size() > 3 ? " and " + (others.size() - 3) + " more" : "")
        + " (never alive at the same time)";
  }

  private static String describeBuffer(Buffer b) {
    return switch (b.kind()) {
      case GRADIENT -> "gradient of " + b.name().substring(2);
      case SCRATCH -> "working memory " + b.name() + ",";
      default -> b.name();
    };
  }

  private MethodSpec summary() {
    return MethodSpec.methodBuilder("summary").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(String.class)
        .addJavadoc("The layers, their shapes and the memory plan, for printing.\n")
        .addStatement("return $S\n+ $T.format($T.ROOT, $S, PARAMETER_COUNT, ARENA_FLOATS * 4 / 1024.0, NAIVE_FLOATS * 4 / 1024.0)",
            spec.declaredName() + "\n" + legend(), String.class, ClassName.get(java.util.Locale.class),
            "%d parameters; activation memory %.1f KiB at MAX_BATCH (%.1f KiB if no tensor shared memory)")
        .build();
  }
}
