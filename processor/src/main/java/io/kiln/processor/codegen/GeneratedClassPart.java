package io.kiln.processor.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import io.kiln.dsl.LossKind;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.KernelCall;
import io.kiln.processor.fuse.KernelProgram;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.ir.Graph;
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

/**
 * What every writer of a part of the generated class shares: the program, the names of its
 * constants and locals (one {@link Names} for the whole class, so a constant is spelled the same
 * wherever it is used), and the small helpers that spell buffers, offsets and arguments.
 */
public abstract class GeneratedClassPart {
  protected static final String RUNTIME = "io.kiln.runtime";
  protected static final ClassName TENSOR = ClassName.get("io.kiln.dsl", "Tensor");
  protected static final ClassName ACTIVATION = ClassName.get("io.kiln.dsl", "Activation");
  protected static final ClassName INIT = ClassName.get("io.kiln.dsl", "Init");
  protected static final ClassName PARAMETER = ClassName.get(RUNTIME, "Parameter");
  protected static final ClassName CHECKS = ClassName.get(RUNTIME, "Checks");
  protected static final ClassName VECTORIZATION = ClassName.get(RUNTIME + ".simd", "Vectorization");
  protected static final ClassName ELEMENTWISE = ClassName.get(RUNTIME + ".simd", "ElementwiseKernels");
  protected static final ClassName GEMM_KERNEL = ClassName.get(RUNTIME + ".gemm", "GemmKernel");
  protected static final ClassName LAYOUT = ClassName.get(RUNTIME + ".gemm", "Layout");
  protected static final ClassName EPILOGUE = ClassName.get(RUNTIME + ".gemm", "Epilogue");
  protected static final ClassName OPTIMIZER = ClassName.get(RUNTIME + ".train", "Optimizer");
  protected static final ClassName RNG = ClassName.get(RUNTIME + ".init", "Rng");
  protected static final ClassName INITIALIZERS = ClassName.get(RUNTIME + ".init", "Initializers");
  protected static final ClassName MODEL_FILES = ClassName.get(RUNTIME + ".io", "ModelFiles");
  protected static final ClassName CONV2D = ClassName.get(RUNTIME + ".cnn", "Conv2d");
  protected static final ClassName CONV_GEOMETRY = ClassName.get(RUNTIME + ".cnn", "ConvGeometry");
  protected static final ClassName POOLING = ClassName.get(RUNTIME + ".cnn", "Pooling");
  protected static final ClassName POOL_GEOMETRY = ClassName.get(RUNTIME + ".cnn", "PoolGeometry");
  protected static final ClassName BATCH_NORM = ClassName.get(RUNTIME + ".cnn", "BatchNorm");
  protected static final ClassName DROPOUT = ClassName.get(RUNTIME + ".cnn", "Dropout");
  protected static final ClassName EMBEDDING = ClassName.get(RUNTIME + ".rnn", "Embedding");
  protected static final ClassName RECURRENT_LAYER = ClassName.get(RUNTIME + ".rnn", "RecurrentLayer");
  protected static final ClassName AT = ClassName.get(RUNTIME, "At");
  protected static final ClassName RECURRENT_GEOMETRY = ClassName.get(RUNTIME + ".rnn", "RecurrentGeometry");
  protected static final ClassName CELL_KIND = ClassName.get(RUNTIME + ".rnn", "CellKind");
  protected static final ClassName SEQUENCE_LOSSES = ClassName.get(RUNTIME + ".rnn", "SequenceLosses");
  protected static final ClassName SCORED_ATTENTION = ClassName.get(RUNTIME + ".attention", "ScoredAttention");
  protected static final ClassName MULTI_HEAD = ClassName.get(RUNTIME + ".attention", "MultiHeadAttention");
  protected static final ClassName LAYER_NORM = ClassName.get(RUNTIME + ".attention", "LayerNorm");
  protected static final ClassName GELU = ClassName.get(RUNTIME + ".attention", "Gelu");
  protected static final ClassName COMBINE = ClassName.get(RUNTIME + ".attention", "Combine");
  protected static final ClassName POSITIONS = ClassName.get(RUNTIME + ".attention", "Positions");
  protected static final ClassName PATH = ClassName.get("java.nio.file", "Path");
  protected static final ClassName IO_EXCEPTION = ClassName.get("java.io", "IOException");
  protected static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");
  protected static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);
  protected static final TypeName INTS = ArrayTypeName.of(TypeName.INT);

  protected final MemoryPlan plan;
  protected final KernelProgram program;
  protected final ShapedGraph shaped;
  protected final Graph graph;
  protected final ModelSpec spec;
  protected final ClassName self;
  protected final Names names;
  /** Java identifiers of the caller's input arrays, by input name; see {@link #var(Buffer)}. */
  protected final Map<String, String> inputVars;
  protected final String labelsVar;
  protected final ApiDocs docs;

  /**
   * Locals and fields the generated methods use. A caller's array is a parameter of those methods,
   * so an input or labels name equal to one of these (an {@code @Input} called {@code batch}, labels
   * called {@code optimizer}) would redeclare a local or, worse, shadow {@code arena}/{@code params}
   * and silently read the caller's array instead.
   */
  protected static final Set<String> RESERVED = Set.of(
      "batch", "loss", "out", "result", "classes", "i", "model", "rng", "seed", "file", "name", "p",
      "optimizer", "withGradient", "training", "params", "grads", "arena", "state", "parameters", "buffers", "steps",
      "dropoutRng", "STATE_COUNT", "lastCorrect", "step", "restored", "stateBefore", "rngBefore", "failure",
      "GEMM", "OPS", "MODEL_NAME", "MAX_BATCH", "PARAMETER_COUNT", "ARENA_FLOATS", "NAIVE_FLOATS",
      // Batch's accessors input() and size() (a component of that name would clash), Object's methods,
      // and the locals of greedyDecode and attentionWeights
      "input", "size", "toString", "hashCode", "equals", "given", "fed", "predictions", "t", "b", "r", "node",
      "gradientOnly", "inGradient", "introspection", "introspectionView");

  /** The root part: names the caller's arrays once for every part. */
  protected GeneratedClassPart(MemoryPlan plan) {
    this.plan = plan;
    this.program = plan.program();
    this.shaped = program.shaped();
    this.graph = shaped.graph();
    this.spec = graph.spec();
    this.self = ClassName.get(spec.packageName(), spec.generatedName());
    this.names = new Names();
    this.inputVars = new HashMap<>();
    Set<String> taken = new HashSet<>(RESERVED);
    for (Buffer in : program.inputs()) {
      inputVars.put(in.name(), fresh(in.name(), taken));
    }
    // Labels may share an input's name (they are a parameter of the loss, not a node); they become
    // a second parameter of the same generated method, so they need their own identifier.
    this.labelsVar = program.labels() == null ? null : fresh(program.labels().name(), taken);
    this.docs = new ApiDocs(program, graph, this::var, this::maxSteps);
  }

  /** A part sharing {@code shared}'s names, so constants and locals are spelled alike everywhere. */
  protected GeneratedClassPart(GeneratedClassPart shared) {
    this.plan = shared.plan;
    this.program = shared.program;
    this.shaped = shared.shaped;
    this.graph = shared.graph;
    this.spec = shared.spec;
    this.self = shared.self;
    this.names = shared.names;
    this.inputVars = shared.inputVars;
    this.labelsVar = shared.labelsVar;
    this.docs = shared.docs;
  }

  protected static String fresh(String name, Set<String> taken) {
    String candidate = name;
    while (candidate.endsWith("Epilogue") || !taken.add(candidate)) {
      candidate = candidate + "_";
    }
    return candidate;
  }

  /** True when some input is a sequence: every method then takes the call's {@code steps}. */
  protected boolean sequential() {
    return program.inputs().stream().anyMatch(Buffer::isSequence);
  }

  /** The arguments after the inputs: {@code batch} or {@code batch, steps}. */
  protected String batchArgs() {
    return sequential() ? "batch, steps" : "batch";
  }

  protected void addBatchParams(MethodSpec.Builder m) {
    m.addParameter(TypeName.INT, "batch");
    if (sequential()) {
      m.addParameter(TypeName.INT, "steps");
    }
  }

  /** Rows of {@code b} in this call: the batch, or batch × steps for a sequence. */
  protected static String rows(Buffer b) {
    return b.isSequence() ? "batch * steps" : "batch";
  }

  /** Elements of {@code b} in this call. */
  protected static String count(Buffer b) {
    return rows(b) + " * " + b.perStep();
  }

  protected String maxSteps(Buffer in) {
    return names.constant("MAX_STEPS_", in.name());
  }

  protected String workspace(KernelCall call) {
    return ident(call.covers().get(0)) + "Workspace";
  }

  protected String scratch(KernelCall call) {
    return ident(call.covers().get(0)) + "Scratch";
  }

  /**
   * {@code ", [B, 8, 4, 4] -> [B, 4, 6, 6]"}: the shapes of the gradient a backward call reads and
   * of the one it writes (left out when absent or alike), so every call's comment names its shapes.
   */
  protected static String shapes(Buffer from, Buffer to) {
    return ", " + from.shape() + (to == null || to.shape().equals(from.shape()) ? "" : " -> " + to.shape());
  }

  /** A Java identifier for a node: copies of a repeated block are named {@code b.0.norm1}. */
  protected static String ident(String node) {
    return node.replace('.', '_');
  }

  /** Whether the generated class keeps what {@code computeGradients} and {@code trainStep} need. */
  protected boolean trains() {
    return program.loss() != null && program.loss().dInput() != null;
  }

  /** The calls whose attention weights {@code attentionWeights} returns. */
  protected List<ForwardCall> attentions() {
    return program.forward().stream().filter(ForwardCall::keepsAttentionWeights).toList();
  }

  /** The Java identifier of a caller's array (an input or the labels) in the generated methods. */
  protected String var(Buffer b) {
    return b.kind() == Buffer.Kind.LABELS ? labelsVar : inputVars.get(b.name());
  }

  protected static String dims(int[] dims) {
    return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", "));
  }

  protected String shapeConstant(String name) {
    return names.constant("", name) + "_SHAPE";
  }

  /** {@code TARGET_SHAPE}; keyed by the Java name only when the labels share an input's name. */
  protected String labelsShapeConstant() {
    String name = program.labels().name();
    return shapeConstant(inputVars.containsKey(name) ? labelsVar : name);
  }

  protected String paramConstant(ParamTensor p) {
    return names.constant("P_", p.name());
  }

  protected String arenaConstant(Buffer b) {
    return switch (b.kind()) {
      case GRADIENT -> names.constant("G_", b.name().substring(2));
      case SCRATCH -> names.constant("W_", b.name());
      default -> names.constant("A_", b.name());
    };
  }

  protected String stateConstant(ParamTensor p) {
    return names.constant("S_", p.name());
  }

  protected String geometryConstant(String node) {
    return names.constant("", node) + "_GEOMETRY";
  }

  /** The epilogue field of a dense layer or convolution (bias and activation of its GEMM). */
  protected static String epilogueField(KernelCall call) {
    return ident(call.covers().get(0)) + "Epilogue";
  }

  // --- construction, parameters, files -------------------------------------------------------------

  /** Softmax classifiers report training accuracy ({@code lastCorrect}) from the logits of each step. */
  protected boolean countsCorrect() {
    return trains() && program.loss().kind() == LossKind.SOFTMAX_CROSS_ENTROPY;
  }

  protected boolean hasDropout() {
    return program.forward().stream().anyMatch(ForwardCall::drawsMasks);
  }

  protected static final ClassName CHECKPOINTS = ClassName.get(RUNTIME + ".io", "Checkpoints");

  // --- the typed interfaces (io.kiln.runtime): one API for every generated class ------------------

  /** Softmax classifiers name the most likely class, per sample or per step. */
  protected boolean classifies() {
    return program.loss() != null && program.loss().kind() == LossKind.SOFTMAX_CROSS_ENTROPY;
  }

  // --- the public API ---------------------------------------------------------------------------

  protected void addInputParams(MethodSpec.Builder m) {
    for (Buffer in : program.inputs()) {
      m.addParameter(in.kind() == Buffer.Kind.TOKENS ? INTS : FLOATS, var(in));
    }
  }

  /** The inputs, then {@code steps} for a sequence model: the public methods' leading parameters. */
  protected void addPublicInputParams(MethodSpec.Builder m) {
    addInputParams(m);
    if (sequential()) {
      m.addParameter(TypeName.INT, "steps");
    }
  }

  protected String publicInputArgs() {
    return sequential() ? inputArgs() + ", steps" : inputArgs();
  }

  protected String inputArgs() {
    return program.inputs().stream().map(this::var).collect(Collectors.joining(", "));
  }

  /**
   * The inputs and a comma when the loss reads a caller's array: a loss over a view of an @Input
   * (@Input → @Flatten → @Loss) has no arena buffer to read, so runLoss takes the inputs (it
   * referred to a variable it did not have; found by RandomModelsTest). Empty otherwise.
   */
  protected String lossInputArgs() {
    return program.loss().input().inArena() ? "" : inputArgs() + ", ";
  }

  /** Validates every input's batch against the others and declares {@code batch}. */
  protected void checkBatches(MethodSpec.Builder m, String method) {
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

  /** Rejects NaN and ±infinity in the float inputs, naming the first bad index: a prediction must not hide them. */
  protected void checkFinite(MethodSpec.Builder m, String method) {
    for (Buffer in : program.inputs()) {
      if (in.kind() != Buffer.Kind.TOKENS) {
        m.addStatement("$T.finiteInput(MODEL_NAME, $S, $S, $L, $L)", CHECKS, method, in.name(), var(in), count(in));
      }
    }
  }

  /** The batch an input holds, checked against its shape and the limits. */
  protected CodeBlock batchOf(Buffer in, String method) {
    if (in.isSequence()) {
      return CodeBlock.of("$T.sequenceBatchOf(MODEL_NAME, $S, $S, $T.requireNonNull($L, $S).length, steps, $L, $L, MAX_BATCH)", CHECKS, method,
          in.name(), java.util.Objects.class, var(in), "input '" + in.name() + "'", in.perStep(), maxSteps(in));
    }
    return CodeBlock.of("$T.batchOf(MODEL_NAME, $S, $S, $L, $L, MAX_BATCH)", CHECKS, method, in.name(), var(in), shapeConstant(in.name()));
  }

  protected void checkLabels(MethodSpec.Builder m, String method) {
    Buffer labels = program.labels();
    KernelCall.LossForward loss = program.loss();
    if (graph.labelsType() == ValueType.INT_TENSOR) {
      int classes = loss.perSample();
      if (loss.ignores()) {
        m.addStatement("$T.labelsWithIgnore(MODEL_NAME, $S, $S, $L, $L, $L, $L)", CHECKS, method, labels.name(), var(labels), rows(labels), classes,
            loss.ignoreIndex());
      } else if (labels.isSequence()) {
        m.addStatement("$T.sequenceLabels(MODEL_NAME, $S, $S, $L, $L, $L)", CHECKS, method, labels.name(), var(labels), rows(labels), classes);
      } else {
        m.addStatement("$T.classLabels(MODEL_NAME, $S, $S, $L, batch, $L)", CHECKS, method, labels.name(), var(labels), classes);
      }
    } else {
      m.addStatement("$T.targets(MODEL_NAME, $S, $S, $L, $L, $L)", CHECKS, method, labels.name(), var(labels), rows(labels), labelsShapeConstant());
    }
  }

  protected TypeName labelsType() {
    return graph.labelsType() == ValueType.INT_TENSOR ? INTS : FLOATS;
  }

  protected CodeBlock outputView(String batch) {
    Buffer out = program.output();
    int[] dims = shaped.shape(graph.output()).dims();
    String shape = batch + (out.isSequence() ? ", steps" : "") + (dims.length == 0 ? "" : ", " + dims(dims));
    return out.inArena()
        ? CodeBlock.of("new $T(arena, $L, $L)", TENSOR, arenaConstant(out), shape)
        : CodeBlock.of("new $T($L, 0, $L)", TENSOR, var(out), shape);
  }

  /** The {@code @Tokens(decoded = true)} input, if the model has one. */
  protected java.util.Optional<Buffer> decodedInput() {
    return graph.order().stream().filter(n -> n.layer().decoded()).findFirst()
        .flatMap(n -> program.inputs().stream().filter(b -> b.name().equals(n.name())).findFirst());
  }

  // --- the kernel calls -------------------------------------------------------------------------

  protected CodeBlock orNull(Buffer b) {
    return b == null ? CodeBlock.of("null, 0") : ref(b);
  }

  /** {@code new At(arena, A_X)}, or {@code At.NONE} for an absent tensor: where a layer object finds it. */
  protected CodeBlock at(Buffer b) {
    if (b != null && !b.inArena()) {
      // a layer object binds its tensors once; only its input, passed per call, may be a caller's array
      throw new IllegalStateException(b.name() + " lives in a caller's array, not the arena: a layer object cannot keep its place");
    }
    return b == null ? CodeBlock.of("$T.NONE", AT) : CodeBlock.of("new $T(arena, $L)", AT, arenaConstant(b));
  }

  /** {@code new At(params, P_W)} (or grads), or {@code At.NONE} for an absent parameter. */
  protected CodeBlock at(String slab, ParamTensor p) {
    return p == null ? CodeBlock.of("$T.NONE", AT) : CodeBlock.of("new $T($L, $L)", AT, slab, paramConstant(p));
  }

  /** {@code new At(state, S_RUNNING_MEAN)}: a non-trained tensor of the model's state. */
  protected CodeBlock atState(ParamTensor p) {
    return CodeBlock.of("new $T(state, $L)", AT, stateConstant(p));
  }

  /**
   * The backward call of {@code kind} that {@code belongs} picks (a forward call's own), or null in
   * a model that does not train: what a layer object's builder binds its gradients from.
   */
  protected <T extends BackwardCall> T backwardOf(Class<T> kind, java.util.function.Predicate<T> belongs) {
    for (BackwardCall call : program.backward()) {
      if (kind.isInstance(call) && belongs.test(kind.cast(call))) {
        return kind.cast(call);
      }
    }
    return null;
  }

  /** The forward call of {@code kind} that {@code belongs} picks: the one a backward call undoes. */
  protected <T extends ForwardCall> T forwardOf(Class<T> kind, java.util.function.Predicate<T> belongs) {
    for (ForwardCall call : program.forward()) {
      if (kind.isInstance(call) && belongs.test(kind.cast(call))) {
        return kind.cast(call);
      }
    }
    throw new IllegalStateException("no forward " + kind.getSimpleName());
  }

  /** The field holding the layer object of {@code node}, built once in the constructor. */
  protected String layerField(String node) {
    return ident(node) + "Layer";
  }

  protected CodeBlock ref(Buffer b) {
    return b.inArena() ? CodeBlock.of("arena, $L", arenaConstant(b)) : CodeBlock.of("$L, 0", var(b));
  }

  /** A call of {@code runForward}, with {@code diagnose} off where the method has that flag. */
  protected String runForwardCall(String inputs, String batch, String training) {
    return "runForward(" + inputs + ", " + batch + ", " + training + (trains() ? ", false)" : ")");
  }
}
