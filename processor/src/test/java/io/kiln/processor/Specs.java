package io.kiln.processor;

import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.dsl.LossKind;
import io.kiln.processor.diag.Diagnostic;
import io.kiln.processor.diag.Report;
import io.kiln.processor.diag.SourceRef;
import io.kiln.processor.fuse.KernelProgram;
import io.kiln.processor.grad.BackwardGraph;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.GraphBuilder;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.parse.ModelSpec;
import io.kiln.processor.parse.NodeSpec;
import io.kiln.processor.parse.ParamSpec;
import io.kiln.processor.parse.ValueType;
import io.kiln.processor.pass.BackwardDerivation;
import io.kiln.processor.pass.Fusion;
import io.kiln.processor.pass.ShapeInference;
import io.kiln.processor.plan.ArenaPlanner;
import io.kiln.processor.plan.MemoryPlan;
import io.kiln.processor.shape.ShapedGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hand-built {@link ModelSpec}s for pass tests that run without javac, and shortcuts that run the
 * passes up to a given one. Every node and parameter gets its own {@link SourceRef}, derived from
 * its name, so a test can check which declaration an error is pinned to: {@link #ref(String)} for
 * a node, {@link #ref(String, String)} for one of its parameters, {@link #MODEL} for the class.
 */
public final class Specs {
  private Specs() {}

  public static final SourceRef MODEL = new SourceRef(0);
  public static final ValueType TENSOR = ValueType.TENSOR;
  public static final ValueType INT_TENSOR = ValueType.INT_TENSOR;

  private static final Map<String, SourceRef> REFS = new ConcurrentHashMap<>();

  /** The ref of node method {@code node}. */
  public static SourceRef ref(String node) {
    return REFS.computeIfAbsent(node, k -> new SourceRef(REFS.size() + 1));
  }

  /** The ref of parameter {@code param} of node method {@code node}. */
  public static SourceRef ref(String node, String param) {
    return ref(node + "#" + param);
  }

  // --- nodes ----------------------------------------------------------------------------------

  public static NodeSpec input(String name, int... shape) {
    return node(name, new Layer.Input(shape));
  }

  public static NodeSpec dense(String name, int units, Activation activation, String... inputs) {
    return node(name, new Layer.Dense(units, activation, true, Init.DEFAULT), inputs);
  }

  public static NodeSpec dense(String name, int units, String... inputs) {
    return dense(name, units, Activation.NONE, inputs);
  }

  public static NodeSpec denseNoBias(String name, int units, Activation activation, String... inputs) {
    return node(name, new Layer.Dense(units, activation, false, Init.DEFAULT), inputs);
  }

  public static NodeSpec flatten(String name, String... inputs) {
    return node(name, new Layer.Flatten(), inputs);
  }

  /** A loss reading {@code input}, with labels parameter {@code labels} of {@code labelsType}. */
  public static NodeSpec loss(String name, LossKind kind, String input, String labels, ValueType labelsType) {
    return new NodeSpec(name, new Layer.Loss(kind),
        List.of(param(name, input), new ParamSpec(labels, labelsType, true, ref(name, labels))), ref(name));
  }

  /** A node whose parameters are all Tensor node references. */
  public static NodeSpec node(String name, Layer layer, String... inputs) {
    return new NodeSpec(name, layer, Arrays.stream(inputs).map(i -> param(name, i)).toList(), ref(name));
  }

  /** A node with explicit parameters (to mix in IntTensor or @Labels ones). */
  public static NodeSpec nodeWith(String name, Layer layer, ParamSpec... params) {
    return new NodeSpec(name, layer, List.of(params), ref(name));
  }

  public static ParamSpec param(String node, String name) {
    return new ParamSpec(name, ValueType.TENSOR, false, ref(node, name));
  }

  public static ParamSpec param(String node, String name, ValueType type, boolean labels) {
    return new ParamSpec(name, type, labels, ref(node, name));
  }

  // --- models -----------------------------------------------------------------------------------

  public static ModelSpec model(NodeSpec... nodes) {
    return model(8, nodes);
  }

  public static ModelSpec model(int maxBatch, NodeSpec... nodes) {
    return new ModelSpec("io.kiln.test", "Net", "KilnNet", maxBatch, List.of(nodes), MODEL);
  }

  /** x[in] → dense h_i(width, TANH) … → logits[classes] → softmax cross-entropy with IntTensor labels. */
  public static ModelSpec mlp(int in, int classes, int... hidden) {
    List<NodeSpec> nodes = new ArrayList<>();
    nodes.add(input("x", in));
    String prev = "x";
    for (int i = 0; i < hidden.length; i++) {
      nodes.add(dense("h" + (i + 1), hidden[i], Activation.TANH, prev));
      prev = "h" + (i + 1);
    }
    nodes.add(dense("logits", classes, prev));
    nodes.add(loss("loss", LossKind.SOFTMAX_CROSS_ENTROPY, "logits", "label", INT_TENSOR));
    return model(nodes.toArray(NodeSpec[]::new));
  }

  // --- running passes ---------------------------------------------------------------------------

  public static Graph graph(ModelSpec spec) {
    Report report = new Report();
    Graph g = new GraphBuilder(report).build(spec);
    assertClean(report);
    return g;
  }

  public static ShapedGraph shaped(ModelSpec spec) {
    return shaped(graph(spec));
  }

  public static ShapedGraph shaped(Graph graph) {
    Report report = new Report();
    ShapedGraph s = new ShapeInference(report).infer(graph);
    assertClean(report);
    return s;
  }

  public static BackwardGraph backward(ModelSpec spec) {
    return new BackwardDerivation().derive(shaped(spec));
  }

  public static KernelProgram program(ModelSpec spec) {
    ShapedGraph s = shaped(spec);
    return new Fusion().fuse(s, new BackwardDerivation().derive(s));
  }

  public static MemoryPlan plan(ModelSpec spec) {
    return new ArenaPlanner().plan(program(spec), spec.maxBatch());
  }

  /** Runs ir..plan through {@link Pipeline}, as the processor does. */
  public static MemoryPlan pipelinePlan(ModelSpec spec, Report report) {
    return Pipeline.plan(spec, report);
  }

  /** The generated source, through {@link Pipeline#compile}; fails on any error. */
  public static String generate(ModelSpec spec) {
    Report report = new Report();
    var file = Pipeline.compile(spec, report);
    assertClean(report);
    return file.toString();
  }

  // --- diagnostics ------------------------------------------------------------------------------

  public static List<Diagnostic> errors(Report report) {
    return report.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).toList();
  }

  public static List<Diagnostic> warnings(Report report) {
    return report.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.WARNING).toList();
  }

  /** The report's only error; fails if there are none or several. */
  public static Diagnostic onlyError(Report report) {
    List<Diagnostic> errors = errors(report);
    assertWithMessage("errors: %s", errors).that(errors).hasSize(1);
    return errors.get(0);
  }

  public static void assertClean(Report report) {
    assertWithMessage("unexpected errors").that(errors(report)).isEmpty();
  }
}
