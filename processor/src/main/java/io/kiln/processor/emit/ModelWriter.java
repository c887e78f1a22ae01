package io.kiln.processor.emit;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.kiln.dsl.Activation;
import io.kiln.dsl.LossKind;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.KernelCall;
import io.kiln.processor.fuse.KernelProgram;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.parse.ModelSpec;
import io.kiln.processor.parse.ValueType;
import io.kiln.processor.plan.MemoryPlan;
import io.kiln.processor.shape.ShapedGraph;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * The emit pass: writes the model class with JavaPoet. Generated code is meant to be read: shapes
 * and offsets are named constants, each kernel call carries a comment naming the declared nodes it
 * covers and their shapes, and there is no reflection.
 */
public final class ModelWriter {
  private static final String RUNTIME = "io.kiln.runtime";
  private static final ClassName TENSOR = ClassName.get("io.kiln.dsl", "Tensor");
  private static final ClassName ACTIVATION = ClassName.get("io.kiln.dsl", "Activation");
  private static final ClassName INIT = ClassName.get("io.kiln.dsl", "Init");
  private static final ClassName PARAMETER = ClassName.get(RUNTIME, "Parameter");
  private static final ClassName CHECKS = ClassName.get(RUNTIME, "Checks");
  private static final ClassName VECTORIZATION = ClassName.get(RUNTIME + ".simd", "Vectorization");
  private static final ClassName ELEMENTWISE = ClassName.get(RUNTIME + ".simd", "ElementwiseKernels");
  private static final ClassName GEMM_KERNEL = ClassName.get(RUNTIME + ".gemm", "GemmKernel");
  private static final ClassName LAYOUT = ClassName.get(RUNTIME + ".gemm", "Layout");
  private static final ClassName EPILOGUE = ClassName.get(RUNTIME + ".gemm", "Epilogue");
  private static final ClassName OPTIMIZER = ClassName.get(RUNTIME + ".train", "Optimizer");
  private static final ClassName RNG = ClassName.get(RUNTIME + ".init", "Rng");
  private static final ClassName INITIALIZERS = ClassName.get(RUNTIME + ".init", "Initializers");
  private static final ClassName MODEL_FILES = ClassName.get(RUNTIME + ".io", "ModelFiles");
  private static final ClassName CONV2D = ClassName.get(RUNTIME + ".cnn", "Conv2d");
  private static final ClassName CONV_GEOMETRY = ClassName.get(RUNTIME + ".cnn", "ConvGeometry");
  private static final ClassName POOLING = ClassName.get(RUNTIME + ".cnn", "Pooling");
  private static final ClassName POOL_GEOMETRY = ClassName.get(RUNTIME + ".cnn", "PoolGeometry");
  private static final ClassName BATCH_NORM = ClassName.get(RUNTIME + ".cnn", "BatchNorm");
  private static final ClassName DROPOUT = ClassName.get(RUNTIME + ".cnn", "Dropout");
  private static final ClassName EMBEDDING = ClassName.get(RUNTIME + ".rnn", "Embedding");
  private static final ClassName RECURRENT = ClassName.get(RUNTIME + ".rnn", "Recurrent");
  private static final ClassName RECURRENT_GEOMETRY = ClassName.get(RUNTIME + ".rnn", "RecurrentGeometry");
  private static final ClassName CELL_KIND = ClassName.get(RUNTIME + ".rnn", "CellKind");
  private static final ClassName SEQUENCE_LOSSES = ClassName.get(RUNTIME + ".rnn", "SequenceLosses");
  private static final ClassName SCORED_ATTENTION = ClassName.get(RUNTIME + ".attention", "ScoredAttention");
  private static final ClassName MULTI_HEAD = ClassName.get(RUNTIME + ".attention", "MultiHeadAttention");
  private static final ClassName LAYER_NORM = ClassName.get(RUNTIME + ".attention", "LayerNorm");
  private static final ClassName GELU = ClassName.get(RUNTIME + ".attention", "Gelu");
  private static final ClassName COMBINE = ClassName.get(RUNTIME + ".attention", "Combine");
  private static final ClassName POSITIONS = ClassName.get(RUNTIME + ".attention", "Positions");
  private static final ClassName PATH = ClassName.get("java.nio.file", "Path");
  private static final ClassName IO_EXCEPTION = ClassName.get("java.io", "IOException");
  private static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");
  private static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);
  private static final TypeName INTS = ArrayTypeName.of(TypeName.INT);

  private final MemoryPlan plan;
  private final KernelProgram program;
  private final ShapedGraph shaped;
  private final Graph graph;
  private final ModelSpec spec;
  private final ClassName self;
  private final Names names = new Names();
  /** Java identifiers of the caller's input arrays, by input name; see {@link #var(Buffer)}. */
  private final Map<String, String> inputVars = new HashMap<>();
  private final String labelsVar;

  /**
   * Locals and fields the generated methods use. A caller's array is a parameter of those methods,
   * so an input or labels name equal to one of these (an {@code @Input} called {@code batch}, labels
   * called {@code optimizer}) would redeclare a local or, worse, shadow {@code arena}/{@code params}
   * and silently read the caller's array instead.
   */
  private static final Set<String> RESERVED = Set.of(
      "batch", "loss", "out", "result", "classes", "i", "model", "rng", "seed", "file", "name", "p",
      "optimizer", "withGradient", "training", "params", "grads", "arena", "state", "parameters", "buffers", "steps",
      "dropoutRng", "STATE_COUNT", "lastCorrect", "step", "restored", "stateBefore", "rngBefore", "failure",
      "GEMM", "OPS", "MODEL_NAME", "MAX_BATCH", "PARAMETER_COUNT", "ARENA_FLOATS", "NAIVE_FLOATS",
      // Batch's accessors input() and size() (a component of that name would clash), Object's methods,
      // and the locals of greedyDecode and attentionWeights
      "input", "size", "toString", "hashCode", "equals", "given", "fed", "predictions", "t", "b", "r", "node",
      "gradientOnly", "inGradient");

  public ModelWriter(MemoryPlan plan) {
    this.plan = plan;
    this.program = plan.program();
    this.shaped = program.shaped();
    this.graph = shaped.graph();
    this.spec = graph.spec();
    this.self = ClassName.get(spec.packageName(), spec.generatedName());
    Set<String> taken = new HashSet<>(RESERVED);
    for (Buffer in : program.inputs()) {
      inputVars.put(in.name(), fresh(in.name(), taken));
    }
    // Labels may share an input's name (they are a parameter of the loss, not a node); they become
    // a second parameter of the same generated method, so they need their own identifier.
    this.labelsVar = program.labels() == null ? null : fresh(program.labels().name(), taken);
  }

  private static String fresh(String name, Set<String> taken) {
    String candidate = name;
    while (candidate.endsWith("Epilogue") || !taken.add(candidate)) {
      candidate = candidate + "_";
    }
    return candidate;
  }

  /** True when some input is a sequence: every method then takes the call's {@code steps}. */
  private boolean sequential() {
    return program.inputs().stream().anyMatch(Buffer::isSequence);
  }

  /** The arguments after the inputs: {@code batch} or {@code batch, steps}. */
  private String batchArgs() {
    return sequential() ? "batch, steps" : "batch";
  }

  private void addBatchParams(MethodSpec.Builder m) {
    m.addParameter(TypeName.INT, "batch");
    if (sequential()) {
      m.addParameter(TypeName.INT, "steps");
    }
  }

  /** Rows of {@code b} in this call: the batch, or batch × steps for a sequence. */
  private static String rows(Buffer b) {
    return b.isSequence() ? "batch * steps" : "batch";
  }

  /** Elements of {@code b} in this call. */
  private static String count(Buffer b) {
    return rows(b) + " * " + b.perStep();
  }

  private String maxSteps(Buffer in) {
    return names.constant("MAX_STEPS_", in.name());
  }

  private String geometry(KernelCall.RecurrentForward r) {
    return geometryConstant(r.covers().get(0));
  }

  private String workspace(KernelCall call) {
    return ident(call.covers().get(0)) + "Workspace";
  }

  private String scratch(KernelCall call) {
    return ident(call.covers().get(0)) + "Scratch";
  }

  /** A Java identifier for a node: copies of a repeated block are named {@code b.0.norm1}. */
  private static String ident(String node) {
    return node.replace('.', '_');
  }

  /** Whether the generated class keeps what {@code computeGradients} and {@code trainStep} need. */
  private boolean trains() {
    return program.loss() != null && program.loss().dInput() != null;
  }

  private List<KernelCall.AttentionForward> attentions() {
    return program.forward().stream().filter(c -> c instanceof KernelCall.AttentionForward).map(c -> (KernelCall.AttentionForward) c).toList();
  }

  private static CodeBlock score(KernelCall.AttentionForward a) {
    return CodeBlock.of("$T.Score.$L", SCORED_ATTENTION, a.layer().score());
  }

  /** {@code Score.DOT, MAX_BATCH, 24, 24, 128, 128}: the sizes a workspace is planned for. */
  private static CodeBlock attentionSizes(KernelCall.AttentionForward a, String batch, String steps) {
    return CodeBlock.of("$L, $L, $L, $L, $L, $L", score(a), batch, steps, steps, a.width(), a.attn());
  }

  /** {@code slab, P_NAME} for an optional parameter, or {@code null, 0} without one. */
  private CodeBlock paramOrNull(String slab, ParamTensor p) {
    return p == null ? CodeBlock.of("null, 0") : CodeBlock.of("$L, $L", slab, paramConstant(p));
  }

  /** The Java identifier of a caller's array (an input or the labels) in the generated methods. */
  private String var(Buffer b) {
    return b.kind() == Buffer.Kind.LABELS ? labelsVar : inputVars.get(b.name());
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
    for (KernelCall call : program.forward()) {
      if (call instanceof KernelCall.RecurrentForward r) {
        String steps = maxSteps(program.inputs().stream().filter(Buffer::isSequence).findFirst().orElseThrow());
        type.addField(FieldSpec.builder(FLOATS, workspace(r), Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("$L's gate activations and states, kept from forward for backpropagation through time.\n", r.covers().get(0))
            .initializer("new float[$L.workspaceFloats(MAX_BATCH, $L)]", geometry(r), steps).build());
        if (trains()) {
          type.addField(FieldSpec.builder(FLOATS, scratch(r), Modifier.PRIVATE, Modifier.FINAL)
              .initializer("new float[$L.backwardScratchFloats(MAX_BATCH, $L)]", geometry(r), steps).build());
        }
      }
      if (call instanceof KernelCall.DenseForward || call instanceof KernelCall.ConvForward) {
        type.addField(FieldSpec.builder(EPILOGUE, epilogueField(call), Modifier.PRIVATE, Modifier.FINAL).build());
      }
      if (call instanceof KernelCall.AttentionForward a) {
        String steps = String.valueOf(a.s().maxSteps());
        type.addField(FieldSpec.builder(FLOATS, workspace(a), Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("$L's attention weights α [B, T, T] (first) and score projections, kept from forward for backward.\n", a.covers().get(0))
            .initializer("new float[$T.workspaceFloats($L)]", SCORED_ATTENTION, attentionSizes(a, "MAX_BATCH", steps)).build());
        if (trains()) {
          type.addField(FieldSpec.builder(FLOATS, scratch(a), Modifier.PRIVATE, Modifier.FINAL)
              .initializer("new float[$T.backwardScratchFloats($L)]", SCORED_ATTENTION, attentionSizes(a, "MAX_BATCH", steps)).build());
        }
      }
      if (call instanceof KernelCall.MultiHeadForward m) {
        type.addField(FieldSpec.builder(FLOATS, scratch(m), Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("$L's per-task working memory: one score row and one block of keys at a time, never T×T.\n", m.covers().get(0))
            .initializer("new float[$T.scratchFloats(MAX_BATCH, $L, $L, $L)]", MULTI_HEAD, m.x().maxSteps(), m.layer().heads(),
                m.width() / m.layer().heads()).build());
        for (String which : List.of("Q", "K", "V", "Out")) {
          type.addField(FieldSpec.builder(EPILOGUE, epilogueField(m, which), Modifier.PRIVATE, Modifier.FINAL).build());
        }
      }
    }
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
    type.addMethod(constructor());
    type.addMethod(create());
    type.addMethod(load());
    type.addMethod(save());
    type.addMethod(loadWeights());
    type.addMethod(parametersMethod());
    type.addMethod(buffersMethod());
    type.addMethod(parameterMethod());
    type.addMethod(forward());
    type.addMethod(predict());
    decodedInput().ifPresent(d -> type.addMethod(greedyDecode(d)));
    if (!attentions().isEmpty()) {
      type.addMethod(attentionWeights());
    }
    if (program.loss() != null && program.loss().kind() == LossKind.SOFTMAX_CROSS_ENTROPY && !program.output().isSequence()) {
      type.addMethod(classify());
    }
    if (program.loss() != null) {
      type.addMethod(lossMethod());
      if (program.loss().dInput() != null) {
        type.addMethod(computeGradients());
        type.addMethod(trainStep());
      }
      if (countsCorrect()) {
        type.addMethod(MethodSpec.methodBuilder("lastCorrect").addModifiers(Modifier.PUBLIC).returns(TypeName.INT)
            .addJavadoc("How many samples of the last {@code trainStep} or {@code computeGradients} batch the model classified\n"
                + "correctly, before its update: training accuracy for free, from logits the step computed anyway.\n")
            .addStatement("return lastCorrect").build());
      }
      if (program.loss().dInput() != null) {
        type.addMethod(saveCheckpoint());
        type.addMethod(loadCheckpoint());
      }
      type.addMethod(MethodSpec.methodBuilder("steps").addModifiers(Modifier.PUBLIC)
          .addJavadoc("Training steps taken so far.\n").returns(TypeName.LONG).addStatement("return steps").build());
    }
    if (trains()) {
      type.addMethod(nonFinite());
      trainableModel(type);
    }
    type.addMethod(summary());
    type.addMethod(runForward());
    if (program.loss() != null) {
      type.addMethod(runLoss());
      if (program.loss().dInput() != null) {
        type.addMethod(runBackward());
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
    String reads = n.inputs().isEmpty() ? "" : " of " + String.join(", ", n.inputs());
    return switch (n.layer()) {
      case Layer.Input in -> "@Input";
      case Layer.Dense d -> "@Dense(" + d.units() + (d.activation() != Activation.NONE ? ", " + d.activation() : "")
          + (d.bias() ? "" : ", no bias") + ")" + reads;
      case Layer.Flatten f -> "@Flatten" + reads;
      case Layer.Conv c -> "@Conv(" + c.filters() + ", " + c.kh() + "×" + c.kw() + (c.stride() != 1 ? ", stride " + c.stride() : "")
          + ", " + c.padding() + (c.activation() != Activation.NONE ? ", " + c.activation() : "") + ")" + reads;
      case Layer.Pool p -> p.annotation() + "(" + p.size() + (p.effectiveStride() != p.size() ? ", stride " + p.effectiveStride() : "") + ")" + reads;
      case Layer.Dropout d -> "@Dropout(" + d.rate() + ")" + reads;
      case Layer.BatchNorm b -> "@BatchNorm" + reads;
      case Layer.Loss l -> "@Loss(" + l.kind() + (l.ignores() ? ", ignoreIndex " + l.ignoreIndex() : "") + ")" + reads;
      case Layer.Tokens t -> "@Tokens(maxLength " + t.maxLength() + (t.decoded() ? ", decoded" : "") + ")";
      case Layer.Embedding e -> "@Embedding(" + e.vocab() + " → " + e.dim() + (e.shares().isEmpty() ? "" : ", " + e.shares() + "'s table") + ")" + reads;
      case Layer.Recurrent r -> r.annotation() + "(" + r.units() + (r.cell() == Layer.Recurrent.Cell.RNN ? ", " + r.activation() : "")
          + (r.returnSequences() ? "" : ", last state") + ")" + reads;
      case Layer.Attention a -> "@Attention(" + a.score() + (a.units() > 0 ? ", " + a.units() : "") + ") of " + n.inputs().get(0) + " over " + n.inputs().get(1);
      case Layer.Concat c -> "@Concat" + reads;
      case Layer.Add a -> "@Add" + reads;
      case Layer.LayerNorm l -> "@LayerNorm" + reads;
      case Layer.MultiHeadAttention m -> "@MultiHeadAttention(" + m.heads() + " heads" + (m.causal() ? ", causal" : "") + ")" + reads;
      case Layer.PositionEmbedding p -> "@PositionEmbedding" + reads;
    };
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
    for (KernelCall call : program.forward()) {
      if (call instanceof KernelCall.ConvForward c) {
        KernelCall.ConvDims d = c.dims();
        type.addField(FieldSpec.builder(CONV_GEOMETRY, geometryConstant(c.covers().get(0)), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc("$L: [$L, $L, $L] → [$L, $L, $L], kernel $L×$L, stride $L, padding top $L left $L.\n", c.covers().get(0),
                d.channels(), d.height(), d.width(), d.filters(), d.outHeight(), d.outWidth(), d.kernelHeight(), d.kernelWidth(), d.stride(), d.padTop(), d.padLeft())
            .initializer("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", CONV_GEOMETRY, d.channels(), d.height(), d.width(), d.filters(),
                d.kernelHeight(), d.kernelWidth(), d.stride(), d.padTop(), d.padLeft(), d.outHeight(), d.outWidth())
            .build());
      } else if (call instanceof KernelCall.PoolForward p) {
        KernelCall.PoolDims d = p.dims();
        String node = p.covers().get(p.covers().size() - 1);
        type.addField(FieldSpec.builder(POOL_GEOMETRY, geometryConstant(node), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc("$L: [$L, $L, $L] → [$L, $L, $L], window $L, stride $L.\n", node,
                d.channels(), d.height(), d.width(), d.channels(), d.outHeight(), d.outWidth(), d.size(), d.stride())
            .initializer("new $T($L, $L, $L, $L, $L, $L, $L)", POOL_GEOMETRY, d.channels(), d.height(), d.width(), d.size(), d.stride(),
                d.outHeight(), d.outWidth())
            .build());
      }
    }
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
    for (KernelCall call : program.forward()) {
      if (call instanceof KernelCall.RecurrentForward r) {
        type.addField(FieldSpec.builder(RECURRENT_GEOMETRY, geometry(r), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc("$L: $L $L → $L units.\n", r.covers().get(0), r.layer().annotation(), r.input(), r.layer().units())
            .initializer("new $T($T.$L, $L, $L)", RECURRENT_GEOMETRY, CELL_KIND, cellKind(r.layer()), r.input(), r.layer().units()).build());
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

  private static String dims(int[] dims) {
    return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", "));
  }

  private String shapeConstant(String name) {
    return names.constant("", name) + "_SHAPE";
  }

  /** {@code TARGET_SHAPE}; keyed by the Java name only when the labels share an input's name. */
  private String labelsShapeConstant() {
    String name = program.labels().name();
    return shapeConstant(inputVars.containsKey(name) ? labelsVar : name);
  }

  private String paramConstant(ParamTensor p) {
    return names.constant("P_", p.name());
  }

  private String arenaConstant(Buffer b) {
    return switch (b.kind()) {
      case GRADIENT -> names.constant("G_", b.name().substring(2));
      case SCRATCH -> names.constant("W_", b.name());
      default -> names.constant("A_", b.name());
    };
  }

  private static String cellKind(Layer.Recurrent r) {
    return switch (r.cell()) {
      case RNN -> r.activation() == Activation.RELU ? "RNN_RELU" : "RNN_TANH";
      case LSTM -> "LSTM";
      case GRU -> "GRU";
    };
  }

  private String stateConstant(ParamTensor p) {
    return names.constant("S_", p.name());
  }

  private String geometryConstant(String node) {
    return names.constant("", node) + "_GEOMETRY";
  }

  /** The epilogue field of a dense layer or convolution (bias and activation of its GEMM). */
  private static String epilogueField(KernelCall call) {
    return ident(call.covers().get(0)) + "Epilogue";
  }

  /** The epilogue adding one of a multi-head layer's biases: Q, K, V (slices of in_proj_bias) or Out. */
  private static String epilogueField(KernelCall.MultiHeadForward m, String which) {
    return ident(m.covers().get(0)) + which + "Epilogue";
  }

  // --- construction, parameters, files -------------------------------------------------------------

  /** Softmax classifiers report training accuracy ({@code lastCorrect}) from the logits of each step. */
  private boolean countsCorrect() {
    return trains() && program.loss().kind() == LossKind.SOFTMAX_CROSS_ENTROPY;
  }

  private boolean hasDropout() {
    return program.forward().stream().anyMatch(c -> c instanceof KernelCall.DropoutForward);
  }

  private MethodSpec constructor() {
    MethodSpec.Builder m = MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).addParameter(TypeName.LONG, "seed");
    m.addStatement("this.parameters = $T.of($>$L$<)", List.class, program.params().stream()
        .map(p -> CodeBlock.of("\nnew $T($S, new int[] {$L}, params, grads, $L)", PARAMETER, p.name(), dims(p.shape()), paramConstant(p)))
        .collect(CodeBlock.joining(",")));
    m.addStatement("this.buffers = $T.of($>$L$<)", List.class, program.state().stream()
        .map(p -> CodeBlock.of("\nnew $T($S, new int[] {$L}, state, null, $L)", PARAMETER, p.name(), dims(p.shape()), stateConstant(p)))
        .collect(CodeBlock.joining(",")));
    if (hasDropout()) {
      // A stream of its own, so adding dropout does not change the initial weights.
      m.addStatement("this.dropoutRng = new $T(seed ^ 0x5DEECE66DL)", RNG);
    }
    for (KernelCall call : program.forward()) {
      if (call instanceof KernelCall.ConvForward c) {
        m.addStatement("this.$L = $T.epilogue($L, $T.$L)", epilogueField(c), CONV2D,
            paramOrNull("params", c.bias()), ACTIVATION, c.activation());
      }
      if (call instanceof KernelCall.MultiHeadForward h) {
        String[] which = {"Q", "K", "V"};
        for (int i = 0; i < 3; i++) {
          m.addStatement("this.$L = $T.biasActivation(params, $L + $L, $T.NONE)", epilogueField(h, which[i]), EPILOGUE, paramConstant(h.inBias()),
              i * h.width(), ACTIVATION);
        }
        m.addStatement("this.$L = $T.biasActivation(params, $L, $T.NONE)", epilogueField(h, "Out"), EPILOGUE, paramConstant(h.outBias()), ACTIVATION);
      }
      if (call instanceof KernelCall.DenseForward d) {
        if (d.bias() != null) {
          m.addStatement("this.$L = $T.biasActivation(params, $L, $T.$L)", epilogueField(d), EPILOGUE, paramConstant(d.bias()), ACTIVATION, d.activation());
        } else {
          m.addStatement("this.$L = $T.biasActivation(null, 0, $T.$L)", epilogueField(d), EPILOGUE, ACTIVATION, d.activation());
        }
      }
    }
    return m.build();
  }

  private MethodSpec create() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("create").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(self)
        .addJavadoc("A new model with weights drawn from {@code seed} (same seed, same weights) and zero biases.\n")
        .addParameter(TypeName.LONG, "seed")
        .addStatement("$T model = new $T(seed)", self, self)
        .addStatement("$T rng = new $T(seed)", RNG, RNG)
        .addComment("Initializers.fill(kind, slab, offset, count, fanIn, fanOut, rng), in the order parameters are declared");
    for (ParamTensor p : program.params()) {
      m.addStatement("$T.fill($T.$L, model.params, $L, $L, $L, $L, rng)", INITIALIZERS, INIT, p.init(), paramConstant(p), p.size(), p.fanIn(), p.fanOut());
    }
    for (ParamTensor p : program.state()) {
      m.addStatement("$T.fill($T.$L, model.state, $L, $L, 1, 1, rng)", INITIALIZERS, INIT, p.init(), stateConstant(p), p.size());
    }
    return m.addStatement("return model").build();
  }

  private MethodSpec load() {
    return MethodSpec.methodBuilder("load").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(self)
        .addJavadoc("A model with the weights saved in {@code file} by {@link #save(Path)} (or exported with the same\n"
            + "names and shapes from PyTorch).\n\n@throws IOException if the file cannot be read or does not hold this model's weights\n")
        .addParameter(PATH, "file").addException(IO_EXCEPTION)
        .addStatement("$T model = new $T(0L)", self, self)
        .addStatement("model.loadWeights(file)")
        .addStatement("return model").build();
  }

  private MethodSpec save() {
    return MethodSpec.methodBuilder("save").addModifiers(Modifier.PUBLIC)
        .addJavadoc("Writes the weights to {@code file} in safetensors format, atomically: the file is either the old one\n"
            + "or complete.\n")
        .addParameter(PATH, "file").addException(IO_EXCEPTION)
        .addStatement("$T.save(file, MODEL_NAME, $L)", MODEL_FILES, savedTensors()).build();
  }

  private MethodSpec loadWeights() {
    return MethodSpec.methodBuilder("loadWeights").addModifiers(Modifier.PUBLIC)
        .addJavadoc("Replaces all weights with those in {@code file}; on any error none is changed.\n")
        .addParameter(PATH, "file").addException(IO_EXCEPTION)
        .addStatement("$T.load(file, MODEL_NAME, $L)", MODEL_FILES, savedTensors()).build();
  }

  private static final ClassName CHECKPOINTS = ClassName.get(RUNTIME + ".io", "Checkpoints");

  private MethodSpec saveCheckpoint() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("saveCheckpoint").addModifiers(Modifier.PUBLIC)
        .addJavadoc("Writes everything a run needs to continue exactly: weights, buffers, {@code optimizer}'s state, the step\n"
            + "count$L. Atomic: the file is either the previous one or complete.\n", hasDropout() ? " and the dropout generator's position" : "")
        .addParameter(PATH, "file").addParameter(OPTIMIZER, "optimizer").addException(IO_EXCEPTION);
    if (hasDropout()) {
      m.addStatement("$T.save(file, MODEL_NAME, parameters, buffers, optimizer, steps, $T.of($S, dropoutRng.state()))", CHECKPOINTS, java.util.Map.class, "dropout_rng");
    } else {
      m.addStatement("$T.save(file, MODEL_NAME, parameters, buffers, optimizer, steps)", CHECKPOINTS);
    }
    return m.build();
  }

  private MethodSpec loadCheckpoint() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("loadCheckpoint").addModifiers(Modifier.PUBLIC)
        .addJavadoc("Restores a {@link #saveCheckpoint} file into this model and {@code optimizer} (of the same kind); a\n"
            + "resumed run repeats the uninterrupted run's losses exactly. On any error nothing changes.\n")
        .addParameter(PATH, "file").addParameter(OPTIMIZER, "optimizer").addException(IO_EXCEPTION)
        .addStatement("$T.Restored restored = $T.load(file, MODEL_NAME, parameters, buffers, optimizer)", CHECKPOINTS, CHECKPOINTS)
        .addStatement("steps = restored.step()");
    if (hasDropout()) {
      m.addStatement("Long rng = restored.extras().get($S)", "dropout_rng")
          .beginControlFlow("if (rng != null)").addStatement("dropoutRng.setState(rng)").endControlFlow();
    }
    return m.build();
  }

  // --- TrainableModel (io.kiln.runtime): slab access for trainers outside the model ------------

  private static final ClassName TRAINABLE_MODEL = ClassName.get(RUNTIME, "TrainableModel");

  /**
   * Makes a trainable model implement {@code TrainableModel}: the existing {@code parameters},
   * {@code buffers}, {@code steps} and checkpoint methods already match it; this adds the four it
   * lacks, so a distributed trainer can ship weights and gradients of any generated class.
   */
  private void trainableModel(TypeSpec.Builder type) {
    type.addSuperinterface(TRAINABLE_MODEL);
    type.addMethod(MethodSpec.methodBuilder("modelName").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(String.class).addStatement("return MODEL_NAME").build());
    type.addMethod(MethodSpec.methodBuilder("parameterSlab").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addJavadoc("The live parameter slab ({@code PARAMETER_COUNT} floats), not a copy.\n")
        .returns(FLOATS).addStatement("return params").build());
    type.addMethod(MethodSpec.methodBuilder("gradientSlab").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addJavadoc("The live gradient slab, laid out as {@link #parameterSlab()}, not a copy.\n")
        .returns(FLOATS).addStatement("return grads").build());
    type.addMethod(MethodSpec.methodBuilder("setSteps").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addParameter(TypeName.LONG, "count")
        .beginControlFlow("if (count < 0)")
        .addStatement("throw new IllegalArgumentException(MODEL_NAME + $S + count)", ": the step count must be ≥ 0, got ")
        .endControlFlow()
        .addStatement("steps = count").build());
  }

  /** What a file holds: the parameters, then the buffers (as PyTorch's state_dict). */
  private CodeBlock savedTensors() {
    return program.state().isEmpty()
        ? CodeBlock.of("parameters")
        : CodeBlock.of("$T.concat(parameters.stream(), buffers.stream()).toList()", ClassName.get("java.util.stream", "Stream"));
  }

  private MethodSpec buffersMethod() {
    return MethodSpec.methodBuilder("buffers").addModifiers(Modifier.PUBLIC)
        .addJavadoc("Tensors saved with the weights but not learned (batch-norm {@code running_mean} and\n"
            + "{@code running_var}), as PyTorch's buffers; empty when the model has none.\n")
        .returns(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER))
        .addStatement("return buffers").build();
  }

  private MethodSpec parametersMethod() {
    return MethodSpec.methodBuilder("parameters").addModifiers(Modifier.PUBLIC)
        .addJavadoc("All learned tensors, named as PyTorch names them ({@code <node>.weight}, {@code <node>.bias}).\n")
        .returns(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER))
        .addStatement("return parameters").build();
  }

  private MethodSpec parameterMethod() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("parameter").addModifiers(Modifier.PUBLIC).returns(PARAMETER)
        .addJavadoc("The parameter called {@code name}, e.g. {@code $S}.\n\n@throws IllegalArgumentException for an unknown name\n",
            program.params().isEmpty() ? "none" : program.params().get(0).name())
        .addParameter(String.class, "name")
        .beginControlFlow("for ($T p : parameters)", PARAMETER)
        .beginControlFlow("if (p.name().equals(name))").addStatement("return p").endControlFlow()
        .endControlFlow()
        .addStatement("throw new $T(MODEL_NAME + $S + name + $S)", IllegalArgumentException.class,
            " has no parameter '", "'; it has " + program.params().stream().map(ParamTensor::name).collect(Collectors.joining(", ")));
    return m.build();
  }

  // --- the public API ---------------------------------------------------------------------------

  private void addInputParams(MethodSpec.Builder m) {
    for (Buffer in : program.inputs()) {
      m.addParameter(in.kind() == Buffer.Kind.TOKENS ? INTS : FLOATS, var(in));
    }
  }

  /** The inputs, then {@code steps} for a sequence model: the public methods' leading parameters. */
  private void addPublicInputParams(MethodSpec.Builder m) {
    addInputParams(m);
    if (sequential()) {
      m.addParameter(TypeName.INT, "steps");
    }
  }

  private String publicInputArgs() {
    return sequential() ? inputArgs() + ", steps" : inputArgs();
  }

  private String inputArgs() {
    return program.inputs().stream().map(this::var).collect(Collectors.joining(", "));
  }

  /**
   * The inputs and a comma when the loss reads a caller's array: a loss over a view of an @Input
   * (@Input → @Flatten → @Loss) has no arena buffer to read, so runLoss takes the inputs (it
   * referred to a variable it did not have; found by RandomModelsTest). Empty otherwise.
   */
  private String lossInputArgs() {
    return program.loss().input().inArena() ? "" : inputArgs() + ", ";
  }

  private String inputDocs() {
    return program.inputs().stream()
        .map(in -> "@param " + var(in) + " " + in.shape() + " row-major, B = length / " + in.perSample() + "\n")
        .collect(Collectors.joining());
  }

  /** Validates every input and declares {@code batch}. */
  private void checkInputs(MethodSpec.Builder m, String method) {
    List<Buffer> inputs = program.inputs();
    m.addStatement("int batch = $L", batchOf(inputs.get(0), method));
    for (int i = 1; i < inputs.size(); i++) {
      Buffer in = inputs.get(i);
      m.beginControlFlow("if ($L != batch)", batchOf(in, method))
          .addStatement("throw new $T(MODEL_NAME + $S + batch + $S)", IllegalArgumentException.class,
              "." + method + ": input '" + in.name() + "' holds a different number of samples than '" + inputs.get(0).name() + "' (", ")")
          .endControlFlow();
    }
  }

  /** The batch an input holds, checked against its shape and the limits. */
  private CodeBlock batchOf(Buffer in, String method) {
    if (in.isSequence()) {
      return CodeBlock.of("$T.sequenceBatchOf(MODEL_NAME, $S, $S, $T.requireNonNull($L, $S).length, steps, $L, $L, MAX_BATCH)", CHECKS, method,
          in.name(), java.util.Objects.class, var(in), "input '" + in.name() + "'", in.perStep(), maxSteps(in));
    }
    return CodeBlock.of("$T.batchOf(MODEL_NAME, $S, $S, $L, $L, MAX_BATCH)", CHECKS, method, in.name(), var(in), shapeConstant(in.name()));
  }

  private void checkLabels(MethodSpec.Builder m, String method) {
    Buffer labels = program.labels();
    KernelCall.LossForward loss = program.loss();
    if (graph.labelsType() == ValueType.INT_TENSOR) {
      int classes = loss.perSample();
      if (labels.isSequence() || loss.ignores()) {
        m.addStatement("$T.classLabels(MODEL_NAME, $S, $S, $L, $L, $L, $L)", CHECKS, method, labels.name(), var(labels), rows(labels), classes,
            loss.ignores() ? String.valueOf(loss.ignoreIndex()) : "Integer.MIN_VALUE");
      } else {
        m.addStatement("$T.classLabels(MODEL_NAME, $S, $S, $L, batch, $L)", CHECKS, method, labels.name(), var(labels), classes);
      }
    } else {
      m.addStatement("$T.targets(MODEL_NAME, $S, $S, $L, $L, $L)", CHECKS, method, labels.name(), var(labels), rows(labels), labelsShapeConstant());
    }
  }

  private TypeName labelsType() {
    return graph.labelsType() == ValueType.INT_TENSOR ? INTS : FLOATS;
  }

  private CodeBlock outputView(String batch) {
    Buffer out = program.output();
    int[] dims = shaped.shape(graph.output()).dims();
    String shape = batch + (out.isSequence() ? ", steps" : "") + (dims.length == 0 ? "" : ", " + dims(dims));
    return out.inArena()
        ? CodeBlock.of("new $T(arena, $L, $L)", TENSOR, arenaConstant(out), shape)
        : CodeBlock.of("new $T($L, 0, $L)", TENSOR, var(out), shape);
  }

  private MethodSpec forward() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("forward").addModifiers(Modifier.PUBLIC).returns(TENSOR)
        .addJavadoc("Runs the network and returns $L $L, a view valid until this model's next call.\n\n$L"
            + "@throws IllegalArgumentException if an input is empty, not a whole number of samples, or over {@code MAX_BATCH}\n",
            graph.output().name(), program.output().shape(), inputDocs());
    addPublicInputParams(m);
    checkInputs(m, "forward");
    m.addStatement("$L", runForwardCall(inputArgs(), batchArgs(), "false"));
    return m.addStatement("return $L", outputView("batch")).build();
  }

  private MethodSpec predict() {
    LossKind kind = program.loss() == null ? null : program.loss().kind();
    String what = kind == LossKind.SOFTMAX_CROSS_ENTROPY ? "class probabilities (softmax of " + graph.output().name() + ")"
        : kind == LossKind.SIGMOID_BINARY_CROSS_ENTROPY ? "probabilities (sigmoid of " + graph.output().name() + ")"
        : "the output " + graph.output().name();
    MethodSpec.Builder m = MethodSpec.methodBuilder("predict").addModifiers(Modifier.PUBLIC).returns(FLOATS)
        .addJavadoc("Returns $L $L as a new array.\n\n$L", what, program.output().shape(), inputDocs());
    addPublicInputParams(m);
    m.addStatement("$T out = forward($L)", TENSOR, publicInputArgs());
    m.addStatement("float[] result = out.toArray()");
    if (kind == LossKind.SOFTMAX_CROSS_ENTROPY) {
      int classes = program.loss().perSample();
      m.addStatement("OPS.softmax(result, 0, result, 0, result.length / $L, $L)", classes, classes);
    } else if (kind == LossKind.SIGMOID_BINARY_CROSS_ENTROPY) {
      m.addStatement("OPS.activate($T.SIGMOID, result, 0, result.length)", ACTIVATION);
    }
    return m.addStatement("return result").build();
  }

  /** The {@code @Tokens(decoded = true)} input, if the model has one. */
  private java.util.Optional<Buffer> decodedInput() {
    return graph.order().stream().filter(n -> n.layer() instanceof Layer.Tokens t && t.decoded()).findFirst()
        .flatMap(n -> program.inputs().stream().filter(b -> b.name().equals(n.name())).findFirst());
  }

  /**
   * Greedy decoding: the decoded input's first {@code given} tokens are taken as given, each later
   * one is the prediction at the step before. One forward pass per decoded step: every layer is
   * causal in the decoded input, so earlier predictions never change.
   */
  private MethodSpec greedyDecode(Buffer decoded) {
    int classes = program.output().perStep();
    MethodSpec.Builder m = MethodSpec.methodBuilder("greedyDecode").addModifiers(Modifier.PUBLIC).returns(INTS)
        .addJavadoc("Greedy decoding: returns the most likely token at every step, [B, steps], where the input '$L' is\n"
            + "fed back: its tokens before {@code given} are used as given, and token t ≥ {@code given} is the prediction\n"
            + "at step t − 1. Seq2seq: pass the start token at position 0 and {@code given = 1}; a language model: the\n"
            + "prompt's length. '$L' itself is not changed.\n\n$L@param given how many leading tokens of '$L' are given, in [1, steps]\n"
            + "@throws IllegalArgumentException if an input is malformed or {@code given} is out of range\n",
            decoded.name(), decoded.name(), inputDocs(), decoded.name());
    addPublicInputParams(m);
    m.addParameter(TypeName.INT, "given");
    checkInputs(m, "greedyDecode");
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
  private MethodSpec attentionWeights() {
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
    for (KernelCall.AttentionForward a : attentions()) {
      m.addStatement("case $S: return $T.copyOf($L, size)", a.covers().get(0), Arrays.class, workspace(a));
    }
    m.addStatement("default: throw new $T(MODEL_NAME + $S + node + $S)", IllegalArgumentException.class, ".attentionWeights: no @Attention node '",
        "'; the model's are " + nodes);
    return m.endControlFlow().build();
  }

  private MethodSpec classify() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("classify").addModifiers(Modifier.PUBLIC).returns(INTS)
        .addJavadoc("Returns the most likely class of each sample.\n\n$L", inputDocs());
    addPublicInputParams(m);
    m.addStatement("$T out = forward($L)", TENSOR, publicInputArgs())
        .addStatement("int[] classes = new int[out.shape()[0]]")
        .beginControlFlow("for (int i = 0; i < classes.length; i++)")
        .addStatement("classes[i] = out.argmax(i)")
        .endControlFlow()
        .addStatement("return classes");
    return m.build();
  }

  private MethodSpec lossMethod() {
    Buffer labels = program.labels();
    MethodSpec.Builder m = MethodSpec.methodBuilder("loss").addModifiers(Modifier.PUBLIC).returns(TypeName.FLOAT)
        .addJavadoc("The mean $L loss on a batch, without computing gradients.\n\n$L@param $L $L\n",
            program.loss().kind(), inputDocs(), var(labels), labels.shape());
    addPublicInputParams(m);
    m.addParameter(labelsType(), var(labels));
    checkInputs(m, "loss");
    checkLabels(m, "loss");
    m.addStatement("$L", runForwardCall(inputArgs(), batchArgs(), "false"));
    return m.addStatement("return runLoss($L$L, $L, false)", lossInputArgs(), var(labels), batchArgs()).build();
  }

  private MethodSpec computeGradients() {
    Buffer labels = program.labels();
    MethodSpec.Builder m = MethodSpec.methodBuilder("computeGradients").addModifiers(Modifier.PUBLIC).returns(TypeName.FLOAT)
        .addJavadoc("Computes the mean loss and the gradient of every parameter ({@link Parameter#gradient()}) without\n"
            + "changing weights. Returns the loss.\n\n$L@param $L $L\n", inputDocs(), var(labels), labels.shape());
    addPublicInputParams(m);
    m.addParameter(labelsType(), var(labels));
    checkInputs(m, "computeGradients");
    checkLabels(m, "computeGradients");
    m.addStatement("return gradients($L, $L, $L)", inputArgs(), var(labels), batchArgs());
    return m.build();
  }

  private MethodSpec trainStep() {
    Buffer labels = program.labels();
    MethodSpec.Builder m = MethodSpec.methodBuilder("trainStep").addModifiers(Modifier.PUBLIC).returns(TypeName.FLOAT)
        .addJavadoc("One training step: forward, loss, backward, then {@code optimizer} updates every parameter in one\n"
            + "pass over the slab. Returns the batch's mean loss (before the update). Allocates nothing after the first\n"
            + "call.\n\n$L@param $L $L\n@throws io.kiln.runtime.train.NonFiniteLossException if the loss or a gradient is NaN or infinite,\n"
            + "    naming the step and the node where the first non-finite value appeared (weights are left unchanged)\n", inputDocs(), var(labels), labels.shape());
    addPublicInputParams(m);
    m.addParameter(labelsType(), var(labels));
    m.addParameter(OPTIMIZER, "optimizer");
    checkInputs(m, "trainStep");
    checkLabels(m, "trainStep");
    boolean keepsState = !program.state().isEmpty();
    if (keepsState || hasDropout()) {
      m.addComment("A training forward moves batch-norm running statistics and the dropout generator: keep them to undo a rejected step");
    }
    if (keepsState) {
      m.addStatement("$T.arraycopy(state, 0, stateBefore, 0, STATE_COUNT)", System.class);
    }
    if (hasDropout()) {
      m.addStatement("long rngBefore = dropoutRng.state()");
    }
    m.addStatement("float loss = gradients($L, $L, $L)", inputArgs(), var(labels), batchArgs())
        .beginControlFlow("if (!Float.isFinite(loss) || $T.firstNonFinite(grads, 0, PARAMETER_COUNT) >= 0)", CHECKS);
    CodeBlock.Builder undo = CodeBlock.builder();
    if (keepsState) {
      undo.addStatement("$T.arraycopy(stateBefore, 0, state, 0, STATE_COUNT)", System.class);
    }
    if (hasDropout()) {
      undo.addStatement("dropoutRng.setState(rngBefore)");
    }
    m.addCode(undo.build())
        .addStatement("$T failure = nonFinite($L, batch, loss)", ClassName.get(RUNTIME + ".train", "NonFiniteLossException"), publicInputArgs())
        .addCode(undo.build()) // the diagnosis re-ran the forward pass (with the same masks)
        .addStatement("throw failure")
        .endControlFlow()
        .addStatement("optimizer.step(params, grads, PARAMETER_COUNT)")
        .addStatement("steps++")
        .addStatement("return loss");
    return m.build();
  }

  /**
   * Finds where a non-finite value first appeared: the inputs, then every forward node in order
   * (recomputed, as backward reuses their memory), then each parameter's gradient in backward order.
   */
  private MethodSpec nonFinite() {
    ClassName exception = ClassName.get(RUNTIME + ".train", "NonFiniteLossException");
    ClassName phase = exception.nestedClass("Phase");
    MethodSpec.Builder m = MethodSpec.methodBuilder("nonFinite").addModifiers(Modifier.PRIVATE).returns(exception);
    addPublicInputParams(m);
    m.addParameter(TypeName.INT, "batch").addParameter(TypeName.FLOAT, "loss");
    m.addStatement("long step = steps + 1");
    for (Buffer in : program.inputs()) {
      if (in.kind() == Buffer.Kind.TOKENS) {
        continue; // ids are ints: always finite, range-checked by the embedding
      }
      m.beginControlFlow("if ($T.firstNonFinite($L, 0, $L) >= 0)", CHECKS, var(in), count(in))
          .addStatement("return new $T(MODEL_NAME, loss, step, $S, $S, $T.FORWARD)", exception, in.name(), in.shape() + " (input)", phase)
          .endControlFlow();
    }
    // Checked right after each call: later calls may reuse a finished tensor's memory.
    m.addStatement("int at = runForward($L, $L, true, true)", inputArgs(), batchArgs());
    List<KernelCall> calls = program.forward();
    for (int i = 0; i < calls.size(); i++) {
      Buffer out = calls.get(i).writes().get(0);
      String node = calls.get(i).covers().get(calls.get(i).covers().size() - 1);
      m.beginControlFlow("if (at == $L)", i)
          .addStatement("return new $T(MODEL_NAME, loss, step, $S, $S, $T.FORWARD)", exception, node, out.shape(), phase)
          .endControlFlow();
    }
    List<ParamTensor> backwardOrder = new java.util.ArrayList<>(program.params());
    java.util.Collections.reverse(backwardOrder);
    for (ParamTensor p : backwardOrder) {
      m.beginControlFlow("if ($T.firstNonFinite(grads, $L, $L) >= 0)", CHECKS, paramConstant(p), p.size())
          .addStatement("return new $T(MODEL_NAME, loss, step, $S, $S, $T.BACKWARD)", exception, p.node(),
              "gradient of " + p.name() + " " + Arrays.toString(p.shape()), phase)
          .endControlFlow();
    }
    return m.addStatement("return new $T(MODEL_NAME, loss, step)", exception).build();
  }

  private MethodSpec summary() {
    return MethodSpec.methodBuilder("summary").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(String.class)
        .addJavadoc("The layers, their shapes and the memory plan, for printing.\n")
        .addStatement("return $S\n+ $T.format($T.ROOT, $S, PARAMETER_COUNT, ARENA_FLOATS * 4 / 1024.0, NAIVE_FLOATS * 4 / 1024.0)",
            spec.declaredName() + "\n" + legend(), String.class, ClassName.get(java.util.Locale.class),
            "%d parameters; activation memory %.1f KiB at MAX_BATCH (%.1f KiB if no tensor shared memory)")
        .build();
  }

  // --- the kernel calls -------------------------------------------------------------------------

  private CodeBlock orNull(Buffer b) {
    return b == null ? CodeBlock.of("null, 0") : ref(b);
  }

  private CodeBlock ref(Buffer b) {
    return b.inArena() ? CodeBlock.of("arena, $L", arenaConstant(b)) : CodeBlock.of("$L, 0", var(b));
  }

  private MethodSpec runForward() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("runForward").addModifiers(Modifier.PRIVATE)
        .addJavadoc("Training mode draws dropout masks and normalizes with batch statistics; inference does neither.\n");
    addInputParams(m);
    addBatchParams(m);
    m.addParameter(TypeName.BOOLEAN, "training");
    if (trains()) {
      m.addParameter(TypeName.BOOLEAN, "diagnose").returns(TypeName.INT)
          .addJavadoc("With {@code diagnose}, returns the index of the first call whose output is not finite (-1 if none).\n");
    }
    if (!attentions().isEmpty()) {
      m.addStatement("lastBatch = batch").addStatement("lastSteps = steps");
    }
    for (int index = 0; index < program.forward().size(); index++) {
      KernelCall call = program.forward().get(index);
      if (index > 0 && trains()) {
        Buffer previous = program.forward().get(index - 1).writes().get(0);
        m.beginControlFlow("if (diagnose && $T.firstNonFinite($L, $L) >= 0)", CHECKS, ref(previous), count(previous))
            .addStatement("return $L", index - 1).endControlFlow();
      }
      switch (call) {
        case KernelCall.AttentionForward a -> {
          m.addComment("$L = Σ softmax($L($L, $L)) $L: $L over $L -> $L (scores, softmax and weighted sum per batch element; α kept)",
              a.context().name(), a.layer().score().name().toLowerCase(), a.s().name(), a.h().name(), a.h().name(), a.s().shape(), a.h().shape(),
              a.context().shape());
          m.addStatement("$T.forward($L, $L, $L, $L, $L, $L, $L, null, 0, $L, 0)", SCORED_ATTENTION, attentionSizes(a, "batch", "steps"),
              ref(a.s()), ref(a.h()), paramOrNull("params", a.w1()), paramOrNull("params", a.w2()),
              paramOrNull("params", a.v()), ref(a.context()), workspace(a));
        }
        case KernelCall.ConcatForward c -> {
          m.addComment("$L = [$L]: $L", c.y().name(), c.inputs().stream().map(Buffer::name).collect(Collectors.joining(", ")), c.y().shape());
          int total = c.widths().stream().mapToInt(Integer::intValue).sum();
          int column = 0;
          for (int i = 0; i < c.inputs().size(); i++) {
            m.addStatement("$T.concatInto($L, $L, $L, $L, $L, $L)", COMBINE, rows(c.y()), c.widths().get(i), total, column, ref(c.inputs().get(i)), ref(c.y()));
            column += c.widths().get(i);
          }
        }
        case KernelCall.AddForward a -> {
          m.addComment("$L = $L: $L", a.y().name(), a.inputs().stream().map(Buffer::name).collect(Collectors.joining(" + ")), a.y().shape());
          m.addStatement("$T.add($L, $L, $L, $L)", COMBINE, count(a.y()), ref(a.inputs().get(0)), ref(a.inputs().get(1)), ref(a.y()));
          for (int i = 2; i < a.inputs().size(); i++) {
            m.addStatement("$T.addInto($L, $L, $L)", COMBINE, count(a.y()), ref(a.inputs().get(i)), ref(a.y()));
          }
        }
        case KernelCall.LayerNormForward l -> {
          if (l.residual() != null) {
            m.addComment("$L = $L + $L and $L = layernorm($L) in one pass: $L", l.sum().name(), l.x().name(), l.residual().name(), l.y().name(),
                l.sum().name(), l.y().shape());
          } else {
            m.addComment("$L = layernorm($L): $L", l.y().name(), l.x().name(), l.y().shape());
          }
          m.addStatement("$T.forward($L, $L, $Lf, $L, $L, $L, params, $L, params, $L, $L, $L, $L)", LAYER_NORM, rows(l.y()), l.width(), (float) l.epsilon(),
              ref(l.x()), orNull(l.residual()), orNull(l.sum()), paramConstant(l.gamma()), paramConstant(l.beta()), ref(l.y()), ref(l.mean()), ref(l.rstd()));
        }
        case KernelCall.MultiHeadForward h -> {
          int d = h.width();
          String rows = rows(h.x());
          m.addComment("$L = $L(q, k, v of $L) · out_projᵀ: $L -> $L ($L heads × $L$L; flash kernel, no T×T matrix)", h.y().name(),
              h.layer().causal() ? "causal attention" : "attention", h.x().name(), h.x().shape(), h.y().shape(), h.layer().heads(), d / h.layer().heads(),
              h.layer().causal() ? ", position t sees positions ≤ t" : "");
          Buffer[] qkv = {h.q(), h.k(), h.v()};
          String[] which = {"Q", "K", "V"};
          for (int i = 0; i < 3; i++) {
            m.addStatement("GEMM.gemm($T.NT, $L, $L, $L, $L, $L, params, $L + $L, $L, $L, $L, $L)", LAYOUT, rows, d, d, ref(h.x()), d,
                paramConstant(h.inWeight()), i * d * d, d, ref(qkv[i]), d, epilogueField(h, which[i]));
          }
          m.addStatement("$T.forward(batch, steps, steps, $L, $L, $L, $L, $L, $L, $L, $L, $L, 0)", MULTI_HEAD, h.layer().heads(), d / h.layer().heads(),
              h.layer().causal(), ref(h.q()), ref(h.k()), ref(h.v()), ref(h.o()), ref(h.lse()), scratch(h));
          m.addStatement("GEMM.gemm($T.NT, $L, $L, $L, $L, $L, params, $L, $L, $L, $L, $L)", LAYOUT, rows, d, d, ref(h.o()), d,
              paramConstant(h.outWeight()), d, ref(h.y()), d, epilogueField(h, "Out"));
        }
        case KernelCall.PositionForward p -> {
          m.addComment("$L = $L + $L[t]: $L", p.y().name(), p.x().name(), p.table().name(), p.y().shape());
          m.addStatement("$T.forward(batch, steps, $L, $L, $L, params, $L, $L)", POSITIONS, p.width(), p.table().shape()[0], ref(p.x()),
              paramConstant(p.table()), ref(p.y()));
        }
        case KernelCall.GeluForward g -> {
          m.addComment("$L = gelu($L): $L (the pre-activation is kept: GELU's derivative needs it)", g.y().name(), g.z().name(), g.y().shape());
          m.addStatement("$T.forward($L, $L, $L)", GELU, count(g.y()), ref(g.z()), ref(g.y()));
        }
        case KernelCall.DenseForward d -> {
          String act = d.activation() == Activation.NONE ? "" : d.activation().name().toLowerCase();
          String bias = d.bias() == null ? "" : " + " + d.bias().name();
          m.addComment("$L = $L$L · $Lᵀ$L$L: $L $L -> $L", d.y().name(), act.isEmpty() ? "" : act + "(", d.x().name(),
              d.weight().name(), bias, act.isEmpty() ? "" : ")", d.x().name(), d.x().shape(), d.y().shape());
          m.addStatement("GEMM.gemm($T.NT, $L, $L, $L, $L, $L, params, $L, $L, $L, $L, $L)", LAYOUT, rows(d.x()), d.out(), d.in(),
              ref(d.x()), d.in(), paramConstant(d.weight()), d.in(), ref(d.y()), d.out(), epilogueField(d));
        }
        case KernelCall.ConvForward c -> {
          String act = c.activation() == Activation.NONE ? "" : c.activation().name().toLowerCase();
          m.addComment("$L = $L$L ⊛ $L$L$L: $L $L -> $L (one GEMM per sample over packed patches, bias and activation fused)",
              c.y().name(), act.isEmpty() ? "" : act + "(", c.x().name(), c.weight().name(), c.bias() == null ? "" : " + " + c.bias().name(),
              act.isEmpty() ? "" : ")", c.x().name(), c.x().shape(), c.y().shape());
          m.addStatement("$T.forward($L, batch, $L, params, $L, $L, $L, $L)", CONV2D, geometryConstant(c.covers().get(0)), ref(c.x()),
              paramConstant(c.weight()), epilogueField(c), ref(c.y()), ref(c.cols()));
        }
        case KernelCall.PoolForward p -> {
          String node = p.covers().get(p.covers().size() - 1);
          m.addComment("$L = $Lpool($L$L$L): $L -> $L$L", p.y().name(), p.max() ? "max" : "avg", p.relu() ? "relu(" : "", p.x().name(), p.relu() ? ")" : "",
              p.x().shape(), p.y().shape(), p.relu() ? " (" + p.x().name() + "'s ReLU runs here, in the same pass)" : "");
          m.addStatement("$T.$L($L, batch, $L, $L)", POOLING, p.relu() ? "reluMaxForward" : p.max() ? "maxForward" : "avgForward",
              geometryConstant(node), ref(p.x()), ref(p.y()));
        }
        case KernelCall.DropoutForward d -> {
          m.addComment("$L = dropout($L, rate $L) while training, else $L: $L", d.y().name(), d.x().name(), d.rate(), d.x().name(), d.y().shape());
          m.beginControlFlow("if (training)")
              .addStatement("$T.forwardTrain($Lf, dropoutRng, $L, $L, $L, $L)", DROPOUT, (float) d.rate(), ref(d.x()), ref(d.y()), ref(d.mask()), count(d.x()))
              .nextControlFlow("else")
              .addStatement("$T.arraycopy($L, $L, $L)", System.class, ref(d.x()), ref(d.y()), count(d.x()))
              .endControlFlow();
        }
        case KernelCall.BatchNormForward b -> {
          m.addComment("$L = batchnorm($L) over $L channels × $L positions: batch statistics while training, running ones otherwise",
              b.y().name(), b.x().name(), b.channels(), b.spatial());
          m.beginControlFlow("if (training)")
              .addStatement("$T.forwardTrain(batch, $L, $L, $L, params, $L, params, $L, state, $L, state, $L, $Lf, $Lf, $L, $L, $L)", BATCH_NORM,
                  b.channels(), b.spatial(), ref(b.x()), paramConstant(b.gamma()), paramConstant(b.beta()), stateConstant(b.runningMean()),
                  stateConstant(b.runningVar()), (float) b.momentum(), (float) b.epsilon(), ref(b.y()), ref(b.mean()), ref(b.invStd()))
              .nextControlFlow("else")
              .addStatement("$T.forwardEval(batch, $L, $L, $L, params, $L, params, $L, state, $L, state, $L, $Lf, $L)", BATCH_NORM,
                  b.channels(), b.spatial(), ref(b.x()), paramConstant(b.gamma()), paramConstant(b.beta()), stateConstant(b.runningMean()),
                  stateConstant(b.runningVar()), (float) b.epsilon(), ref(b.y()))
              .endControlFlow();
        }
        case KernelCall.EmbeddingForward e -> {
          m.addComment("$L = $L[$L]: $L -> $L", e.y().name(), e.table().name(), e.ids().name(), e.ids().shape(), e.y().shape());
          m.addStatement("$T.forward($S, batch, steps, $L, $L, $L, params, $L, $L)", EMBEDDING, e.ids().name(), e.vocab(), e.dim(),
              ref(e.ids()), paramConstant(e.table()), ref(e.y()));
        }
        case KernelCall.RecurrentForward r -> {
          Layer.Recurrent l = r.layer();
          m.addComment("$L = $L over $L: $L -> $L (input projection of all steps in one GEMM; per step one GEMM for all gates and one fused cell update)",
              r.y().name(), l.annotation(), r.x().name(), r.x().shape(), r.y().shape());
          if (r.h0() != null) {
            m.addComment("$L starts from $L's final state", r.covers().get(0), r.h0().name().replace("hT_", ""));
          }
          m.addStatement("$T.forward($L, batch, steps, $L, params, $L, params, $L, $L, $L, $L, $L, $L, $L, $L, $L, 0)", RECURRENT,
              geometry(r), ref(r.x()), paramConstant(r.weightIh()), paramConstant(r.weightHh()),
              paramOrNull("params", r.biasIh()),
              paramOrNull("params", r.biasHh()),
              orNull(r.h0()), orNull(r.c0()),
              l.returnSequences() ? ref(r.y()) : CodeBlock.of("null, 0"), l.returnSequences() ? orNull(r.hT()) : ref(r.y()),
              orNull(r.cT()), workspace(r));
        }
        default -> throw new IllegalStateException("not a forward call: " + call);
      }
    }
    if (trains()) {
      List<KernelCall> calls = program.forward();
      Buffer last = calls.get(calls.size() - 1).writes().get(0);
      m.addStatement("return diagnose && $T.firstNonFinite($L, $L) >= 0 ? $L : -1", CHECKS, ref(last), count(last), calls.size() - 1);
    }
    return m.build();
  }

  /** A call of {@code runForward}, with {@code diagnose} off where the method has that flag. */
  private String runForwardCall(String inputs, String batch, String training) {
    return "runForward(" + inputs + ", " + batch + ", " + training + (trains() ? ", false)" : ")");
  }

  private MethodSpec runLoss() {
    KernelCall.LossForward l = program.loss();
    MethodSpec.Builder m = MethodSpec.methodBuilder("runLoss").addModifiers(Modifier.PRIVATE).returns(TypeName.FLOAT);
    if (!l.input().inArena()) {
      addInputParams(m);
    }
    m.addParameter(labelsType(), var(l.labels()));
    addBatchParams(m);
    m.addParameter(TypeName.BOOLEAN, "withGradient");
    String grad = l.dInput() == null ? null : l.dInput().name();
    m.addComment("$L = $L($L, $L)$L", l.covers().get(0), l.kind(), l.input().name(), l.labels().name(),
        grad == null ? "" : ", fused with " + grad + " = ∂" + l.covers().get(0) + "/∂" + l.input().name() + " when training");
    CodeBlock dst = grad == null ? CodeBlock.of("null, 0") : CodeBlock.of("withGradient ? arena : null, $L", arenaConstant(l.dInput()));
    CodeBlock in = ref(l.input());
    String t = var(l.labels());
    switch (l.kind()) {
      case SOFTMAX_CROSS_ENTROPY -> {
        if (l.ignores()) {
          m.addStatement("return $T.softmaxCrossEntropy(OPS, $L, $L, $L, 0, $L, $L, $L)", SEQUENCE_LOSSES, dst, in, t, rows(l.input()), l.perSample(), l.ignoreIndex());
        } else {
          m.addStatement("return OPS.softmaxCrossEntropy($L, $L, $L, 0, $L, $L)", dst, in, t, rows(l.input()), l.perSample());
        }
      }
      case SIGMOID_BINARY_CROSS_ENTROPY -> m.addStatement("return OPS.sigmoidBinaryCrossEntropy($L, $L, $L, 0, $L)", dst, in, t, count(l.input()));
      case MEAN_SQUARED_ERROR -> m.addStatement("return OPS.meanSquaredError($L, $L, $L, 0, $L)", dst, in, t, count(l.input()));
      case PERCEPTRON -> m.addStatement("return OPS.perceptron($L, $L, $L, 0, $L, $L)", dst, in, t, count(l.input()), rows(l.input()));
    }
    return m.build();
  }

  private MethodSpec runBackward() {
    Buffer labels = program.labels();
    MethodSpec.Builder gradients = MethodSpec.methodBuilder("gradients").addModifiers(Modifier.PRIVATE).returns(TypeName.FLOAT);
    addInputParams(gradients);
    gradients.addParameter(labelsType(), var(labels));
    addBatchParams(gradients);
    gradients.addStatement("$T.fill(grads, 0f)", Arrays.class)
        .addStatement("$L", runForwardCall(inputArgs(), batchArgs(), "true"))
        .addStatement("float loss = runLoss($L$L, $L, true)", lossInputArgs(), var(labels), batchArgs());
    if (countsCorrect()) {
      KernelCall.LossForward l = program.loss();
      gradients.addStatement("lastCorrect = $T.countArgmaxMatches($L, $L, 0, $L, $L)", ClassName.get(RUNTIME, "Metrics"), ref(l.input()), var(labels), rows(l.input()), l.perSample());
    }
    for (KernelCall call : program.backward()) {
      switch (call) {
        case KernelCall.ZeroFill z -> {
          gradients.addComment("$L: $L = 0 (the next call can only add to it)", z.covers().get(0), z.b().name());
          gradients.addStatement("$T.fill(arena, $L, $L + $L, 0f)", Arrays.class, arenaConstant(z.b()), arenaConstant(z.b()), count(z.b()));
        }
        case KernelCall.AttentionBackward a -> {
          KernelCall.AttentionForward f = a.forward();
          gradients.addComment("$L: attention backward from $L$L$L", a.covers().get(0), a.dContext().name(),
              a.ds() == null ? "" : " into " + a.ds().name(), a.dh() == null ? "" : (a.ds() == null ? " into " : " and ") + a.dh().name()
              + (a.accumulate() ? " (+=)" : ""));
          gradients.addStatement("$T.backward($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, 0, $L, 0)", SCORED_ATTENTION,
              attentionSizes(f, "batch", "steps"), ref(f.s()), ref(f.h()), paramOrNull("params", f.w1()),
              paramOrNull("params", f.w2()), paramOrNull("params", f.v()), ref(a.dContext()),
              orNull(a.ds()), orNull(a.dh()), a.accumulate(), paramOrNull("grads", f.w1()),
              paramOrNull("grads", f.w2()), paramOrNull("grads", f.v()), workspace(f), scratch(f));
        }
        case KernelCall.ConcatBackward c -> {
          KernelCall.ConcatForward f = c.forward();
          int total = f.widths().stream().mapToInt(Integer::intValue).sum();
          int column = 0;
          for (int i = 0; i < f.inputs().size(); i++) {
            Buffer dx = c.dxs().get(i);
            if (dx != null) {
              gradients.addComment("$L: $L $L $L[..., $L:$L]", c.covers().get(0), dx.name(), c.accumulate().get(i) ? "+=" : "=", c.dy().name(), column,
                  column + f.widths().get(i));
              gradients.addStatement("$T.concatBackward($L, $L, $L, $L, $L, $L, $L)", COMBINE, rows(c.dy()), f.widths().get(i), total, column,
                  ref(c.dy()), ref(dx), c.accumulate().get(i));
            }
            column += f.widths().get(i);
          }
        }
        case KernelCall.AddBackward a -> {
          for (int i = 0; i < a.dxs().size(); i++) {
            gradients.addComment("$L: $L $L $L", a.covers().get(0), a.dxs().get(i).name(), a.accumulate().get(i) ? "+=" : "=", a.dy().name());
            gradients.addStatement("$T.passBack($L, $L, $L, $L)", COMBINE, count(a.dy()), ref(a.dy()), ref(a.dxs().get(i)), a.accumulate().get(i));
          }
        }
        case KernelCall.LayerNormBackward l -> {
          KernelCall.LayerNormForward f = l.forward();
          gradients.addComment("$L: d $L, d $L += layer-norm sums of $L$L", String.join(", ", l.covers()), f.gamma().name(), f.beta().name(), l.dy().name(),
              l.du() == null ? "" : ", " + l.du().name() + (l.accumulate() ? " +=" : " =") + " layer-norm backward");
          gradients.addStatement("$T.backward($L, $L, $L, params, $L, $L, $L, $L, $L, $L, grads, $L, grads, $L)", LAYER_NORM, rows(l.dy()), f.width(),
              ref(f.normalized()), paramConstant(f.gamma()), ref(f.mean()), ref(f.rstd()), ref(l.dy()), orNull(l.du()), l.accumulate(),
              paramConstant(f.gamma()), paramConstant(f.beta()));
        }
        case KernelCall.MultiHeadBackward h -> {
          KernelCall.MultiHeadForward f = h.forward();
          int d = f.width();
          String rows = rows(f.x());
          gradients.addComment("$L: output projection backward, $L = $L · out_proj", h.covers().get(0), h.dO().name(), h.dy().name());
          gradients.addStatement("GEMM.gemm($T.NN, $L, $L, $L, $L, $L, params, $L, $L, $L, $L, $T.NONE)", LAYOUT, rows, d, d, ref(h.dy()), d,
              paramConstant(f.outWeight()), d, ref(h.dO()), d, EPILOGUE);
          gradients.addStatement("GEMM.gemm($T.TN, $L, $L, $L, $L, $L, $L, $L, grads, $L, $L, $T.ACCUMULATE)", LAYOUT, d, d, rows, ref(h.dy()), d,
              ref(f.o()), d, paramConstant(f.outWeight()), d, EPILOGUE);
          gradients.addStatement("OPS.addColumnSums(grads, $L, $L, $L, $L)", paramConstant(f.outBias()), ref(h.dy()), rows, d);
          gradients.addComment("$L: flash attention backward (scores recomputed block by block) into $L, $L, $L", h.covers().get(0), h.dq().name(),
              h.dk().name(), h.dv().name());
          gradients.addStatement("$T.backward(batch, steps, steps, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, false, $L, 0)", MULTI_HEAD,
              f.layer().heads(), d / f.layer().heads(), f.layer().causal(), ref(f.q()), ref(f.k()), ref(f.v()), ref(f.o()), ref(h.dO()), ref(f.lse()),
              ref(h.dq()), ref(h.dk()), ref(h.dv()), scratch(f));
          Buffer[] grads = {h.dq(), h.dk(), h.dv()};
          gradients.addComment("$L: d in_proj_weight += [dq; dk; dv]ᵀ · $L, d in_proj_bias += Σ [dq; dk; dv]$L", h.covers().get(0), f.x().name(),
              h.dx() == null ? "" : ", " + h.dx().name() + (h.accumulate() ? " +=" : " =") + " dq·W_q + dk·W_k + dv·W_v");
          for (int i = 0; i < 3; i++) {
            gradients.addStatement("GEMM.gemm($T.TN, $L, $L, $L, $L, $L, $L, $L, grads, $L + $L, $L, $T.ACCUMULATE)", LAYOUT, d, d, rows, ref(grads[i]), d,
                ref(f.x()), d, paramConstant(f.inWeight()), i * d * d, d, EPILOGUE);
            gradients.addStatement("OPS.addColumnSums(grads, $L + $L, $L, $L, $L)", paramConstant(f.inBias()), i * d, ref(grads[i]), rows, d);
          }
          if (h.dx() != null) {
            for (int i = 0; i < 3; i++) {
              gradients.addStatement("GEMM.gemm($T.NN, $L, $L, $L, $L, $L, params, $L + $L, $L, $L, $L, $T.$L)", LAYOUT, rows, d, d, ref(grads[i]), d,
                  paramConstant(f.inWeight()), i * d * d, d, ref(h.dx()), d, EPILOGUE, i > 0 || h.accumulate() ? "ACCUMULATE" : "NONE");
            }
          }
        }
        case KernelCall.PositionBackward p -> {
          gradients.addComment("$L: d $L[t] += Σ_batch $L$L", p.covers().get(0), p.table().name(), p.dy().name(),
              p.dx() == null ? "" : ", " + p.dx().name() + (p.accumulate() ? " += " : " = ") + p.dy().name());
          gradients.addStatement("$T.backward(batch, steps, $L, $L, $L, grads, $L, $L, $L)", POSITIONS, p.width(), p.table().shape()[0], ref(p.dy()),
              paramConstant(p.table()), orNull(p.dx()), p.accumulate());
        }
        case KernelCall.GeluBackward g -> {
          gradients.addComment("$L: $L ⊙= gelu'($L)", g.covers().get(0), g.grad().name(), g.z().name());
          gradients.addStatement("$T.backward($L, $L, $L, $L, false)", GELU, count(g.grad()), ref(g.z()), ref(g.grad()), ref(g.grad()));
        }
        case KernelCall.ActivationBackward a -> {
          gradients.addComment("$L: $L ⊙= $L'($L), $L", a.covers().get(0), a.grad().name(), a.activation().name().toLowerCase(), a.y().name(), a.y().shape());
          gradients.addStatement("OPS.activationBackward($T.$L, $L, $L, $L, $L)", ACTIVATION, a.activation(), ref(a.grad()), ref(a.grad()), ref(a.y()), count(a.y()));
        }
        case KernelCall.BiasGrad b -> {
          gradients.addComment("$L: d $L += Σ_batch $L", b.covers().get(0), b.bias().name(), b.dz().name());
          gradients.addStatement("OPS.addColumnSums(grads, $L, $L, $L, $L)", paramConstant(b.bias()), ref(b.dz()), rows(b.dz()), b.out());
        }
        case KernelCall.WeightGrad w -> {
          gradients.addComment("$L: d $L += $Lᵀ · $L, [$L, $L]", w.covers().get(0), w.weight().name(), w.dz().name(), w.x().name(), w.out(), w.in());
          gradients.addStatement("GEMM.gemm($T.TN, $L, $L, $L, $L, $L, $L, $L, grads, $L, $L, $T.ACCUMULATE)", LAYOUT, w.out(), w.in(), rows(w.dz()),
              ref(w.dz()), w.out(), ref(w.x()), w.in(), paramConstant(w.weight()), w.in(), EPILOGUE);
        }
        case KernelCall.InputGrad g -> {
          gradients.addComment("$L: $L $L $L · $L, $L", g.covers().get(0), g.dx().name(), g.accumulate() ? "+=" : "=", g.dz().name(), g.weight().name(), g.dx().shape());
          gradients.addStatement("GEMM.gemm($T.NN, $L, $L, $L, $L, $L, params, $L, $L, $L, $L, $T.$L)", LAYOUT, rows(g.dz()), g.in(), g.out(),
              ref(g.dz()), g.out(), paramConstant(g.weight()), g.in(), ref(g.dx()), g.in(), EPILOGUE, g.accumulate() ? "ACCUMULATE" : "NONE");
        }
        case KernelCall.ConvBackward c -> {
          gradients.addComment("$L: d $L += $L · colsᵀ$L$L", c.covers().get(0), c.weight().name(), c.dz().name(),
              c.bias() == null ? "" : ", d " + c.bias().name() + " += Σ " + c.dz().name(),
              c.dx() == null ? "" : ", " + c.dx().name() + (c.accumulate() ? " += " : " = ") + "col2im(" + c.weight().name() + "ᵀ · " + c.dz().name() + ")");
          gradients.addStatement("$T.backward($L, batch, $L, params, $L, $L, grads, $L, $L, $L, $L, $L, $L)", CONV2D, geometryConstant(c.covers().get(0)),
              ref(c.x()), paramConstant(c.weight()), ref(c.dz()), paramConstant(c.weight()),
              paramOrNull("grads", c.bias()),
              orNull(c.dx()), c.accumulate(), ref(c.cols()), ref(c.dcols()));
        }
        case KernelCall.PoolBackward p -> {
          String node = p.covers().get(p.covers().size() - 1);
          gradients.addComment("$L: $L $L $Lpool backward of $L$L", String.join(", ", p.covers()), p.dx().name(), p.accumulate() ? "+=" : "=",
              p.max() ? "max" : "avg", p.dy().name(), p.relu() ? ", times relu'(" + p.x().name() + ")" : "");
          if (p.max()) {
            gradients.addStatement("$T.$L($L, batch, $L, $L, $L, $L)", POOLING, p.relu() ? "reluMaxBackward" : "maxBackward", geometryConstant(node),
                ref(p.x()), ref(p.dy()), ref(p.dx()), p.accumulate());
          } else {
            gradients.addStatement("$T.avgBackward($L, batch, $L, $L, $L)", POOLING, geometryConstant(node), ref(p.dy()), ref(p.dx()), p.accumulate());
          }
        }
        case KernelCall.DropoutBackward d -> {
          gradients.addComment("$L: $L $L $L ⊙ mask", d.covers().get(0), d.dx().name(), d.accumulate() ? "+=" : "=", d.dy().name());
          gradients.addStatement("$T.backward($L, $L, $L, $L, $L)", DROPOUT, ref(d.dy()), ref(d.mask()), ref(d.dx()), count(d.dy()), d.accumulate());
        }
        case KernelCall.BatchNormBackward b -> {
          gradients.addComment("$L: d $L += Σ $L·x̂, d $L += Σ $L$L", b.covers().get(0), b.gamma().name(), b.dy().name(), b.beta().name(), b.dy().name(),
              b.dx() == null ? "" : ", " + b.dx().name() + (b.accumulate() ? " +=" : " =") + " batch-norm backward");
          gradients.addStatement("$T.backward(batch, $L, $L, $L, params, $L, $L, $L, $L, $L, $L, grads, $L, grads, $L)", BATCH_NORM, b.channels(), b.spatial(),
              ref(b.x()), paramConstant(b.gamma()), ref(b.mean()), ref(b.invStd()), ref(b.dy()),
              orNull(b.dx()), b.accumulate(), paramConstant(b.gamma()), paramConstant(b.beta()));
        }
        case KernelCall.EmbeddingBackward e -> {
          gradients.addComment("$L: d $L[$L] += $L", e.covers().get(0), e.table().name(), e.ids().name(), e.dy().name());
          gradients.addStatement("$T.backward(batch, steps, $L, $L, $L, $L, grads, $L)", EMBEDDING, e.vocab(), e.dim(), ref(e.ids()), ref(e.dy()),
              paramConstant(e.table()));
        }
        case KernelCall.RecurrentBackward r -> {
          KernelCall.RecurrentForward f = r.forward();
          gradients.addComment("$L: backpropagation through time from $L$L", r.covers().get(0),
              java.util.stream.Stream.of(r.dy(), r.dhT(), r.dcT()).filter(java.util.Objects::nonNull).map(Buffer::name).collect(Collectors.joining(", ")),
              r.dx() == null ? "" : " into " + r.dx().name() + (r.accumulate() ? " (+=)" : ""));
          gradients.addStatement("$T.backward($L, batch, steps, $L, params, $L, params, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, "
                  + "grads, $L, grads, $L, $L, $L, $L, 0, $L, 0)", RECURRENT, geometry(f), ref(f.x()), paramConstant(f.weightIh()), paramConstant(f.weightHh()),
              orNull(f.h0()), orNull(f.c0()), orNull(r.dy()), orNull(r.dhT()), orNull(r.dcT()),
              orNull(r.dx()), r.accumulate(), orNull(r.dh0()), orNull(r.dc0()),
              paramConstant(f.weightIh()), paramConstant(f.weightHh()),
              paramOrNull("grads", f.biasIh()),
              paramOrNull("grads", f.biasHh()),
              workspace(f), scratch(f));
        }
        default -> throw new IllegalStateException("not a backward call: " + call);
      }
    }
    return gradients.addStatement("return loss").build();
  }
}
