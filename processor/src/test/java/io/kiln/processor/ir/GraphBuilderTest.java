package io.kiln.processor.ir;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.dsl.Activation.RELU;
import static io.kiln.dsl.Activation.TANH;
import static io.kiln.dsl.LossKind.MEAN_SQUARED_ERROR;
import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;
import static io.kiln.processor.Specs.INT_TENSOR;
import static io.kiln.processor.Specs.MODEL;
import static io.kiln.processor.Specs.TENSOR;
import static io.kiln.processor.Specs.dense;
import static io.kiln.processor.Specs.errors;
import static io.kiln.processor.Specs.flatten;
import static io.kiln.processor.Specs.input;
import static io.kiln.processor.Specs.loss;
import static io.kiln.processor.Specs.model;
import static io.kiln.processor.Specs.node;
import static io.kiln.processor.Specs.nodeWith;
import static io.kiln.processor.Specs.onlyError;
import static io.kiln.processor.Specs.param;
import static io.kiln.processor.Specs.ref;
import static io.kiln.processor.Specs.warnings;

import io.kiln.dsl.LossKind;
import io.kiln.processor.Specs;
import io.kiln.processor.diag.Diagnostic;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Report;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.parse.ModelSpec;
import io.kiln.processor.parse.ValueType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {
  private final Report report = new Report();

  private Graph build(ModelSpec spec) {
    return new GraphBuilder(report).build(spec);
  }

  private static List<String> names(List<Node> nodes) {
    return nodes.stream().map(Node::name).toList();
  }

  @Test
  void bindsParametersToTheNodesTheyName() {
    Graph g = build(Specs.mlp(4, 3, 8));
    Specs.assertClean(report);
    assertThat(report.diagnostics()).isEmpty();
    assertThat(names(g.order())).containsExactly("x", "h1", "logits", "loss").inOrder();
    assertThat(g.node("h1").inputs()).containsExactly("x");
    assertThat(g.node("logits").inputs()).containsExactly("h1");
    assertThat(g.node("loss").inputs()).containsExactly("logits");
    assertThat(g.node("loss").labels()).isEqualTo("label");
    assertThat(g.labelsType()).isEqualTo(ValueType.INT_TENSOR);
    assertThat(g.loss().name()).isEqualTo("loss");
    assertThat(g.node("h1").ref()).isEqualTo(ref("h1"));
    assertThat(names(g.inputs())).containsExactly("x");
    assertThat(names(g.consumers("h1"))).containsExactly("logits");
  }

  @Test
  void unknownNameSuggestsTheClosestDeclaredName() {
    build(model(
        input("image", 4),
        dense("hidden", 8, TANH, "imgae"),
        dense("logits", 3, "hiden"),
        loss("loss", SOFTMAX_CROSS_ENTROPY, "logits", "label", INT_TENSOR)));
    List<Diagnostic> errors = errors(report);
    assertThat(errors).hasSize(2); // both typos in one build, not only the first
    assertThat(errors.get(0).id()).isEqualTo(ErrorId.UNKNOWN_NODE);
    assertThat(errors.get(0).ref()).isEqualTo(ref("hidden", "imgae"));
    assertThat(errors.get(0).message())
        .isEqualTo("hidden: parameter 'imgae' names no node; did you mean 'image'?");
    assertThat(errors.get(1).ref()).isEqualTo(ref("logits", "hiden"));
    assertThat(errors.get(1).message()).contains("did you mean 'hidden'?");
    assertThat(errors.get(1).text()).startsWith("[Kiln/UnknownNode] logits:");
  }

  @Test
  void unknownNameWithNothingCloseSuggestsDeclaringIt() {
    build(model(
        input("image", 4),
        dense("hidden", 8, TANH, "classifier"),
        loss("loss", MEAN_SQUARED_ERROR, "hidden", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.UNKNOWN_NODE);
    assertThat(d.message()).doesNotContain("did you mean");
    assertThat(d.message()).isEqualTo("hidden: parameter 'classifier' names no node; declare a node method named 'classifier'");
  }

  @Test
  void closestIgnoresCaseAndRejectsFarNames() {
    assertThat(GraphBuilder.closest("Hidden", Set.of("hidden", "x"))).isEqualTo("hidden");
    assertThat(GraphBuilder.closest("logtis", Set.of("logits", "loss"))).isEqualTo("logits");
    assertThat(GraphBuilder.closest("convolution", Set.of("x", "logits"))).isNull();
  }

  @Test
  void intTensorParameterNamingAFloatNodeIsATypeMismatch() {
    build(model(
        input("x", 4),
        nodeWith("h", new Layer.Dense(8, TANH, true, io.kiln.dsl.Init.DEFAULT), param("h", "x", INT_TENSOR, false)),
        loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.TYPE_MISMATCH);
    assertThat(d.ref()).isEqualTo(ref("h", "x"));
    assertThat(d.message()).contains("'x' is declared IntTensor but node 'x' computes floats; declare it as Tensor x");
  }

  @Test
  void readingALossIsATypeMismatch() {
    build(model(
        input("x", 4),
        dense("h", 2, "x"),
        loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR),
        dense("after", 2, "loss")));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.TYPE_MISMATCH);
    assertThat(d.ref()).isEqualTo(ref("after", "loss"));
    assertThat(d.message()).contains("which is a @Loss");
  }

  @Test
  void denseWithTwoInputsIsAnArityError() {
    build(model(
        input("a", 4),
        input("b", 4),
        dense("h", 8, "a", "b"),
        loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.ARITY);
    assertThat(d.ref()).isEqualTo(ref("h"));
    assertThat(d.message()).isEqualTo(
        "h: @Dense reads exactly one node but the method has 2 (a, b); declare one Tensor parameter naming the node it reads,"
            + " or join a and b first with @Concat (side by side) or @Add (same shape)");
  }

  @Test
  void denseWithNoInputIsAnArityError() {
    build(model(input("x", 4), dense("h", 8), loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.ARITY);
    assertThat(d.message()).contains("@Dense reads exactly one node but the method has no node parameters;");
  }

  @Test
  void inputWithAParameterIsOneArityErrorNotAlsoNoInput() {
    build(model(
        input("x", 4),
        node("y", new Layer.Input(new int[] {4}), "x"),
        dense("h", 2, "y"),
        loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.ARITY);
    assertThat(d.ref()).isEqualTo(ref("y"));
    assertThat(d.message()).contains("@Input reads no nodes but the method has 1 (x); remove the parameter");
  }

  @Test
  void theOnlyInputBrokenIsStillOneError() {
    // The model does declare an @Input; that it is malformed must not also read as "no @Input".
    build(model(
        node("x", new Layer.Input(new int[] {4}), "h"),
        dense("h", 2, "x"),
        loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.ARITY);
    assertThat(d.ref()).isEqualTo(ref("x"));
  }

  @Test
  void lossWithoutLabelsIsReported() {
    build(model(input("x", 4), dense("logits", 3, "x"), node("loss", new Layer.Loss(SOFTMAX_CROSS_ENTROPY), "logits")));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.LABELS);
    assertThat(d.ref()).isEqualTo(ref("loss"));
    assertThat(d.message()).isEqualTo("loss: @Loss(SOFTMAX_CROSS_ENTROPY) needs a labels parameter; add @Labels IntTensor label");
  }

  @Test
  void regressionLossWithoutLabelsSuggestsTensor() {
    build(model(input("x", 4), dense("y", 1, "x"), node("loss", new Layer.Loss(MEAN_SQUARED_ERROR), "y")));
    assertThat(onlyError(report).message()).endsWith("add @Labels Tensor label");
  }

  @Test
  void twoLabelsParametersAreReported() {
    build(model(
        input("x", 4),
        dense("y", 1, "x"),
        nodeWith("loss", new Layer.Loss(MEAN_SQUARED_ERROR),
            param("loss", "y"), param("loss", "t1", TENSOR, true), param("loss", "t2", TENSOR, true))));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.LABELS);
    assertThat(d.ref()).isEqualTo(ref("loss", "t2"));
    assertThat(d.message()).contains("'t2' is a second @Labels parameter (the first is 't1')");
  }

  @Test
  void twoLossesAreReportedOnTheSecond() {
    build(model(
        input("x", 4),
        dense("logits", 3, "x"),
        loss("ce", SOFTMAX_CROSS_ENTROPY, "logits", "label", INT_TENSOR),
        loss("mse", MEAN_SQUARED_ERROR, "logits", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.TWO_LOSSES);
    assertThat(d.ref()).isEqualTo(ref("mse"));
    assertThat(d.message()).contains("mse: a second @Loss (the first is 'ce')");
  }

  @Test
  void twoNodeCycleIsReportedWithItsPath() {
    Graph g = build(model(
        input("x", 4),
        dense("a", 4, "b"),
        dense("b", 4, "a"),
        loss("loss", MEAN_SQUARED_ERROR, "b", "target", TENSOR)));
    assertThat(g).isNull();
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.CYCLE);
    assertThat(d.ref()).isEqualTo(ref("a"));
    assertThat(d.message()).startsWith("a: nodes read each other in a cycle (a -> b -> a); a model must be acyclic");
  }

  @Test
  void selfLoopIsACycle() {
    build(model(
        input("x", 4),
        dense("a", 4, "a"),
        loss("loss", MEAN_SQUARED_ERROR, "a", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.CYCLE);
    assertThat(d.ref()).isEqualTo(ref("a"));
    assertThat(d.message()).contains("(a -> a)");
  }

  @Test
  void twoIndependentCyclesAreBothReportedAndDownstreamNodesAreNot() {
    build(model(
        input("x", 4),
        dense("down", 4, "p"), // reads a cycle, is not part of one
        dense("p", 4, "q"),
        dense("q", 4, "p"),
        dense("s", 4, "s"),
        loss("loss", MEAN_SQUARED_ERROR, "down", "target", TENSOR)));
    List<Diagnostic> errors = errors(report);
    assertThat(errors.stream().map(Diagnostic::id).distinct().toList()).containsExactly(ErrorId.CYCLE);
    assertThat(errors).hasSize(2);
    assertThat(errors.get(0).ref()).isEqualTo(ref("p"));
    assertThat(errors.get(0).message()).startsWith("p: nodes read each other in a cycle (p -> q -> p);");
    assertThat(errors.get(1).ref()).isEqualTo(ref("s"));
    assertThat(errors.get(1).message()).startsWith("s: nodes read each other in a cycle (s -> s);");
  }

  /** No @Input, and h and g read each other: two independent mistakes, both in one build. */
  @Test
  void noInputIsReportedOnTheModel() {
    build(model(dense("h", 2, "g"), dense("g", 2, "h"), loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    List<Diagnostic> errors = report.diagnostics();
    assertThat(errors.stream().map(Diagnostic::id).toList()).containsExactly(ErrorId.NO_INPUT, ErrorId.CYCLE).inOrder();
    Diagnostic d = errors.get(0);
    assertThat(d.ref()).isEqualTo(MODEL);
    assertThat(d.message()).startsWith("@Model Net has no @Input; declare one");
  }

  /**
   * Methods the parse pass rejected: their readers are skipped silently (no "names no node"), and
   * a rejected @Input (or an abstract method lacking its annotation) is not "no @Input".
   */
  @Test
  void brokenNodesAndTheirReadersAreSkippedSilently() {
    Graph g = new GraphBuilder(report).buildHealthy(
        model(dense("h", 4, "x"), dense("y", 2, "h"), dense("z", 2, "typo")), Map.of("x", "@Input"));
    assertThat(report.diagnostics().stream().map(Diagnostic::id).toList()).containsExactly(ErrorId.UNKNOWN_NODE);
    assertThat(g.order()).isEmpty();

    Report second = new Report();
    g = new GraphBuilder(second).buildHealthy(model(input("x", 4), dense("h", 4, "x"), dense("y", 2, "gone")), Map.of("gone", ""));
    assertThat(second.diagnostics()).isEmpty(); // neither unknown 'gone' nor unused h: the graph is partial
    assertThat(g.order().stream().map(Node::name).toList()).containsExactly("x", "h").inOrder();
  }

  @Test
  void emptyModelIsReportedOnce() {
    build(model());
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.NO_INPUT);
    assertThat(d.message()).contains("declares no nodes");
  }

  @Test
  void topologicalOrderPutsDependenciesFirstAndOtherwiseKeepsDeclarationOrder() {
    // Declared out of order: consumers before producers.
    Graph g = build(model(
        loss("loss", MEAN_SQUARED_ERROR, "out", "target", TENSOR),
        dense("out", 1, "h2"),
        input("x", 4),
        dense("h2", 4, "h1"),
        dense("h1", 4, "x")));
    Specs.assertClean(report);
    assertThat(names(g.order())).containsExactly("x", "h1", "h2", "out", "loss").inOrder();
  }

  @Test
  void unusedInputIsDroppedToo() {
    // Only one input reaches the loss in a chain model; the forward() parameters follow declaration order.
    Graph g = build(model(
        input("b", 2),
        input("a", 3),
        dense("h", 4, "a"),
        loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    // 'b' is unused and dropped; 'a' stays.
    assertThat(names(g.inputs())).containsExactly("a");
    assertThat(warnings(report)).hasSize(1);
  }

  @Test
  void unusedNodeIsDroppedWithAWarning() {
    Graph g = build(model(
        input("x", 4),
        dense("h", 8, RELU, "x"),
        dense("probe", 2, "h"), // nothing reads it
        dense("logits", 3, "h"),
        loss("loss", SOFTMAX_CROSS_ENTROPY, "logits", "label", INT_TENSOR)));
    assertThat(errors(report)).isEmpty();
    assertThat(names(g.order())).containsExactly("x", "h", "logits", "loss").inOrder();
    List<Diagnostic> warnings = warnings(report);
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).id()).isEqualTo(ErrorId.UNUSED_NODE);
    assertThat(warnings.get(0).ref()).isEqualTo(ref("probe"));
    assertThat(warnings.get(0).message())
        .isEqualTo("probe: is never read on the way to 'loss' and will not be computed; remove it or read it");
  }

  @Test
  void outputIsTheLossInput() {
    Graph g = build(Specs.mlp(4, 3, 8));
    assertThat(g.output().name()).isEqualTo("logits");
    assertThat(g.loss().name()).isEqualTo("loss");
  }

  @Test
  void inferenceOnlyOutputIsTheSingleSink() {
    Graph g = build(model(input("x", 2, 3), flatten("flat", "x"), dense("h", 4, TANH, "flat"), dense("y", 2, "h")));
    assertThat(report.diagnostics()).isEmpty();
    assertThat(g.loss()).isNull();
    assertThat(g.labelsType()).isNull();
    assertThat(g.output().name()).isEqualTo("y");
    assertThat(names(g.order())).containsExactly("x", "flat", "h", "y").inOrder();
  }

  @Test
  void severalSinksWithoutALossIsAnError() {
    Graph g = build(model(input("x", 2), dense("a", 4, "x"), dense("b", 4, "x")));
    assertThat(g).isNull();
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.NO_OUTPUT);
    assertThat(d.ref()).isEqualTo(MODEL);
    assertThat(d.message()).contains("several nodes that nothing reads (a, b)");
  }

  @Test
  void onlyInputsWithoutALossComputeNothing() {
    build(model(input("x", 2)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.NO_OUTPUT);
    assertThat(d.message()).contains("computes nothing from its inputs");
  }

  @Test
  void independentErrorsAreAllReportedInOneBuild() {
    build(model(
        input("x", 4),
        dense("a", 8, "nope_nothing_like_it"),
        dense("b", 8, "x", "x"),
        node("c", new Layer.Loss(LossKind.MEAN_SQUARED_ERROR), "b")));
    assertThat(errors(report).stream().map(Diagnostic::id).toList())
        .containsExactly(ErrorId.UNKNOWN_NODE, ErrorId.ARITY, ErrorId.LABELS).inOrder();
  }
}
