package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.kiln.processor.KilnProcessor;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * One bad declaration per diagnostic Kiln reports: each test checks the exact text javac shows
 * (id in brackets, node, what is wrong with shapes as {@code [B, ...]}, and a fix), the line it is
 * pinned to, and that the mistake is reported once and nothing else is.
 *
 * <p>Sources put the annotation and the faulty token on separate lines where it matters, so a test
 * fails if a diagnostic lands on the annotation instead of the attribute, parameter or declaration
 * at fault.
 */
class DiagnosticsTest {

  /** A source in package {@code test} that imports the whole DSL. */
  static JavaFileObject source(String qualifiedName, String... lines) {
    List<String> all = new ArrayList<>(List.of("package test;", "", "import io.kiln.dsl.*;", ""));
    all.addAll(List.of(lines));
    return JavaFileObjects.forSourceLines(qualifiedName, all);
  }

  static Compilation compile(JavaFileObject... sources) {
    return Compiler.javac().withProcessors(new KilnProcessor()).compile(sources);
  }

  /** {@code src} fails with exactly one error, {@code message}, on the line containing {@code token}. */
  private static void assertError(JavaFileObject src, String message, String token) {
    Compilation compilation = compile(src);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining(message).inFile(src).onLineContaining(token);
    assertThat(compilation).hadErrorCount(1);
  }

  // --- Kiln/ModelDeclaration --------------------------------------------------------------------
  /** A final class cannot be a model. */
  @Test
  void finalModelClass() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "final class Net {",
            "}");
    assertError(
        src,
        "[Kiln/ModelDeclaration] @Model class Net is final; declare it abstract: it only declares the network, Kiln writes the implementation as KilnNet",
        "final class Net");
  }

  /** A model class must be abstract. */
  @Test
  void concreteModelClass() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "class Net {",
            "}");
    assertError(
        src,
        "[Kiln/ModelDeclaration] @Model class Net must be abstract; its node methods are declarations that Kiln implements: declare it abstract class Net",
        "class Net {");
  }

  /** A model nested without static is an inner class. */
  @Test
  void innerModelClass() {
    JavaFileObject src =
        source(
            "test.Outer",
            "class Outer {",
            "  @Model",
            "  abstract class Net {",
            "    @Input(shape = 2) abstract Tensor x();",
            "    @Dense(units = 1) abstract Tensor y(Tensor x);",
            "  }",
            "}");
    assertError(
        src,
        "[Kiln/ModelDeclaration] @Model class Net is an inner class; make it static: a network declaration cannot depend on an instance of its enclosing class",
        "abstract class Net");
  }

  /** A model class cannot have type parameters. */
  @Test
  void genericModelClass() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net<T> {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 1) abstract Tensor y(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/ModelDeclaration] @Model class Net has type parameters; a model's shapes must be fixed, remove them",
        "class Net<T>");
  }

  /** A private nested model is invisible to the generated class. */
  @Test
  void privateNestedModelClass() {
    JavaFileObject src =
        source(
            "test.Outer",
            "class Outer {",
            "  @Model",
            "  private abstract static class Net {",
            "    @Input(shape = 2) abstract Tensor x();",
            "    @Dense(units = 1) abstract Tensor y(Tensor x);",
            "  }",
            "}");
    assertError(
        src,
        "[Kiln/ModelDeclaration] @Model class Net is private; make it at least package-private so the generated class can see it",
        "private abstract static class Net");
  }

  /** @Model on an interface. */
  @Test
  void modelInterface() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "interface Net {",
            "}");
    assertError(
        src,
        "[Kiln/ModelDeclaration] @Model Net is an interface; declare it as an abstract class",
        "interface Net");
  }

  // --- Kiln/BadAttribute ------------------------------------------------------------------------
  /** maxBatch = 0, reported on the attribute's own line. */
  @Test
  void maxBatchZero() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model(",
            "    maxBatch = 0)",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 1) abstract Tensor y(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/BadAttribute] @Model(maxBatch = 0) on Net must be at least 1",
        "maxBatch = 0");
  }

  /** units = 0, reported on the attribute's line, not the annotation's. */
  @Test
  void denseUnitsZero() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(",
            "      units = 0)",
            "  abstract Tensor y(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/BadAttribute] y: @Dense(units = 0) must be at least 1",
        "units = 0");
  }

  /** @Input(shape = {}). */
  @Test
  void inputShapeEmpty() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(",
            "      shape = {})",
            "  abstract Tensor x();",
            "  @Dense(units = 1) abstract Tensor y(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/BadAttribute] x: @Input(shape = {}) is empty; give one sample's shape without the batch, e.g. shape = {784}",
        "shape = {}");
  }

  /** A negative input dimension. */
  @Test
  void inputShapeNegativeDimension() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(",
            "      shape = {3, -1})",
            "  abstract Tensor x();",
            "  @Dense(units = 1) abstract Tensor y(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/BadAttribute] x: @Input(shape = {3, -1}) has a dimension below 1; every dimension must be positive",
        "shape = {3, -1}");
  }

  /** An input of 2^26 floats per sample. */
  @Test
  void inputShapeTooLarge() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(",
            "      shape = {1024, 1024, 64})",
            "  abstract Tensor x();",
            "  @Flatten abstract Tensor f(Tensor x);",
            "  @Dense(units = 1) abstract Tensor y(Tensor f);",
            "}");
    assertError(
        src,
        "[Kiln/BadAttribute] x: @Input(shape = {1024, 1024, 64}) is too large for one sample (more than 2^25 floats)",
        "shape = {1024, 1024, 64}");
  }

  // --- Kiln/NoLayer -----------------------------------------------------------------------------
  /** An abstract method without a layer annotation. */
  @Test
  void abstractMethodWithoutLayer() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  abstract Tensor y(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/NoLayer] y: abstract method has no layer annotation; annotate it with its layer (@Input, @Tokens, @Dense, @Conv, @MaxPool, @Lstm, @Loss, ...) or give it a body",
        "abstract Tensor y(Tensor x)");
  }

  // --- Kiln/TwoLayers ---------------------------------------------------------------------------
  /** Two layer annotations on one method. */
  @Test
  void twoLayerAnnotations() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 2) @Flatten",
            "  abstract Tensor y(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/TwoLayers] y: has @Dense and @Flatten; a node is exactly one layer, declare one method per layer",
        "@Dense(units = 2) @Flatten");
  }

  // --- Kiln/NodeDeclaration ---------------------------------------------------------------------
  /** A layer method with a body, reported on the method, not its annotation. */
  @Test
  void nodeWithBody() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 2)",
            "  Tensor y(Tensor x) { return x; }",
            "}");
    assertError(
        src,
        "[Kiln/NodeDeclaration] y: @Dense node must be abstract; Kiln writes its implementation, remove the body",
        "Tensor y(Tensor x) {");
  }

  /** A generic node method. */
  @Test
  void genericNodeMethod() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 2)",
            "  abstract <T> Tensor y(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/NodeDeclaration] y: node methods cannot have type parameters; remove them",
        "<T> Tensor y");
  }

  /** A node that returns float[] instead of Tensor. */
  @Test
  void nodeReturnsArray() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 2)",
            "  abstract float[] y(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/NodeDeclaration] y: a node returns Tensor but this returns float[]; declare it as abstract Tensor y(...)",
        "float[] y");
  }

  /** A String parameter, reported on the parameter. */
  @Test
  void nodeParameterString() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 2)",
            "  abstract Tensor y(",
            "      String x);",
            "}");
    assertError(
        src,
        "[Kiln/NodeDeclaration] y: parameter 'x' is String; node parameters are Tensor (a node's output) or, on a @Loss, @Labels IntTensor/Tensor",
        "String x");
  }

  // --- Kiln/DuplicateNode -----------------------------------------------------------------------
  /** An overload repeats a node name; the second declaration is reported. */
  @Test
  void overloadedNode() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 2) abstract Tensor y(Tensor x);",
            "  @Dense(units = 3)",
            "  abstract Tensor y(Tensor x, Tensor z);",
            "}");
    assertError(
        src,
        "[Kiln/DuplicateNode] y: a node with this name is already declared; node names must be unique (overloads are not allowed)",
        "Tensor y(Tensor x, Tensor z)");
  }

  // --- Kiln/UnknownNode -------------------------------------------------------------------------
  /** A misspelt parameter gets the closest node name. */
  @Test
  void unknownNodeWithSuggestion() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 4) abstract Tensor hidden(Tensor x);",
            "  @Dense(units = 1)",
            "  abstract Tensor out(",
            "      Tensor hiden);",
            "}");
    assertError(
        src,
        "[Kiln/UnknownNode] out: parameter 'hiden' names no node; did you mean 'hidden'?",
        "Tensor hiden");
  }

  /** A parameter close to no node gets the fix of declaring it. */
  @Test
  void unknownNodeWithoutSuggestion() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 4) abstract Tensor hidden(Tensor x);",
            "  @Dense(units = 1)",
            "  abstract Tensor out(",
            "      Tensor features);",
            "}");
    assertError(
        src,
        "[Kiln/UnknownNode] out: parameter 'features' names no node; declare a node method named 'features'",
        "Tensor features");
  }

  // --- Kiln/TypeMismatch ------------------------------------------------------------------------
  /** IntTensor for a parameter that names a float node. */
  @Test
  void intTensorNamingNode() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 1)",
            "  abstract Tensor out(",
            "      IntTensor x);",
            "}");
    assertError(
        src,
        "[Kiln/TypeMismatch] out: parameter 'x' is declared IntTensor but node 'x' computes floats; declare it as Tensor x",
        "IntTensor x");
  }

  /** A layer after the loss. */
  @Test
  void nodeReadsLoss() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 1) abstract Tensor out(Tensor x);",
            "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor out, @Labels Tensor y);",
            "  @Dense(units = 1)",
            "  abstract Tensor after(",
            "      Tensor loss);",
            "}");
    assertError(
        src,
        "[Kiln/TypeMismatch] after: reads 'loss', which is a @Loss; a loss ends the graph, read the node it scores instead or remove after",
        "Tensor loss)");
  }

  // --- Kiln/Arity -------------------------------------------------------------------------------
  /** @Dense reading two nodes. */
  @Test
  void denseWithTwoInputs() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Input(shape = 2) abstract Tensor z();",
            "  @Dense(units = 1)",
            "  abstract Tensor out(Tensor x, Tensor z);",
            "}");
    assertError(
        src,
        "[Kiln/Arity] out: @Dense reads exactly one node but the method has 2 (x, z); declare one Tensor parameter naming the node it reads,"
            + " or join x and z first with @Concat (side by side) or @Add (same shape)",
        "@Dense(units = 1)");
  }

  /** @Dense reading nothing. */
  @Test
  void denseWithoutInput() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 1)",
            "  abstract Tensor out();",
            "}");
    assertError(
        src,
        "[Kiln/Arity] out: @Dense reads exactly one node but the method has no node parameters; declare one Tensor parameter naming the node it reads",
        "@Dense(units = 1)");
  }

  /** @Input with a parameter. */
  @Test
  void inputWithParameter() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Input(shape = 3)",
            "  abstract Tensor z(Tensor x);",
            "  @Dense(units = 1) abstract Tensor out(Tensor z);",
            "}");
    assertError(
        src,
        "[Kiln/Arity] z: @Input reads no nodes but the method has 1 (x); remove the parameter",
        "@Input(shape = 3)");
  }

  // --- Kiln/Cycle -------------------------------------------------------------------------------
  /** Two nodes reading each other; one error for the cycle, on its first node. */
  @Test
  void cycle() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 5)",
            "  abstract Tensor a(Tensor b);",
            "  @Dense(units = 2)",
            "  abstract Tensor b(Tensor a);",
            "  @Dense(units = 1) abstract Tensor out(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/Cycle] a: nodes read each other in a cycle (a -> b -> a); a model must be acyclic, make one of them read a node outside the cycle",
        "@Dense(units = 5)");
  }

  // --- Kiln/NoInput -----------------------------------------------------------------------------
  /** A model with no nodes at all. */
  @Test
  void emptyModel() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "}");
    assertError(
        src,
        "[Kiln/NoInput] @Model Net declares no nodes; add an @Input and the layers that read it",
        "@Model");
  }

  /** Nodes but no @Input. */
  @Test
  void noInput() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Dense(units = 2)",
            "  abstract Tensor a(Tensor b);",
            "  @Dense(units = 3)",
            "  abstract Tensor b(Tensor a);",
            "}");
    // Without an @Input every node reads a cycle, an unknown name or nothing: the cycle is an
    // independent mistake (an @Input does not fix it), so it is reported in the same build.
    Compilation compilation = compile(src);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining("[Kiln/NoInput] @Model Net has no @Input; declare one, e.g. @Input(shape = {784}) abstract Tensor x();")
        .inFile(src)
        .onLineContaining("@Model");
    assertThat(compilation)
        .hadErrorContaining("[Kiln/Cycle] a: nodes read each other in a cycle (a -> b -> a)")
        .inFile(src)
        .onLineContaining("@Dense(units = 2)");
    assertThat(compilation).hadErrorCount(2);
  }

  // --- Kiln/Labels ------------------------------------------------------------------------------
  /** A loss without a @Labels parameter. */
  @Test
  void lossWithoutLabels() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 3) abstract Tensor logits(Tensor x);",
            "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)",
            "  abstract Tensor loss(Tensor logits);",
            "}");
    assertError(
        src,
        "[Kiln/Labels] loss: @Loss(SOFTMAX_CROSS_ENTROPY) needs a labels parameter; add @Labels IntTensor label",
        "@Loss(LossKind.SOFTMAX_CROSS_ENTROPY)");
  }

  /** @Labels on a @Dense parameter. */
  @Test
  void labelsOnNonLoss() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 3)",
            "  abstract Tensor logits(Tensor x,",
            "      @Labels IntTensor label);",
            "}");
    assertError(
        src,
        "[Kiln/Labels] logits: @Labels on 'label' belongs on a @Loss method's parameter; remove it here",
        "@Labels IntTensor label");
  }

  /** Softmax cross-entropy takes class indices, not floats. */
  @Test
  void softmaxLabelsAsTensor() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 3) abstract Tensor logits(Tensor x);",
            "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)",
            "  abstract Tensor loss(Tensor logits, @Labels Tensor label);",
            "}");
    assertError(
        src,
        "[Kiln/Labels] loss: @Loss(SOFTMAX_CROSS_ENTROPY) takes class indices but 'label' is Tensor; declare @Labels IntTensor label",
        "@Loss(LossKind.SOFTMAX_CROSS_ENTROPY)");
  }

  /** Binary cross-entropy takes float targets, not indices. */
  @Test
  void binaryCrossEntropyLabelsAsIntTensor() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 1) abstract Tensor logit(Tensor x);",
            "  @Loss(LossKind.SIGMOID_BINARY_CROSS_ENTROPY)",
            "  abstract Tensor loss(Tensor logit, @Labels IntTensor target);",
            "}");
    assertError(
        src,
        "[Kiln/Labels] loss: @Loss(SIGMOID_BINARY_CROSS_ENTROPY) takes float targets but 'target' is IntTensor; declare @Labels Tensor target",
        "@Loss(LossKind.SIGMOID_BINARY_CROSS_ENTROPY)");
  }

  /** Two @Labels parameters; the second is reported. */
  @Test
  void twoLabels() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 3) abstract Tensor logits(Tensor x);",
            "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)",
            "  abstract Tensor loss(Tensor logits, @Labels IntTensor label,",
            "      @Labels IntTensor other);",
            "}");
    assertError(
        src,
        "[Kiln/Labels] loss: 'other' is a second @Labels parameter (the first is 'label'); a loss takes one",
        "@Labels IntTensor other");
  }

  // --- Kiln/TwoLosses ---------------------------------------------------------------------------
  /** Two losses; the second is reported. */
  @Test
  void twoLosses() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 3) abstract Tensor logits(Tensor x);",
            "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor logits, @Labels IntTensor label);",
            "  @Loss(LossKind.MEAN_SQUARED_ERROR)",
            "  abstract Tensor mse(Tensor logits, @Labels Tensor target);",
            "}");
    assertError(
        src,
        "[Kiln/TwoLosses] mse: a second @Loss (the first is 'loss'); a model trains one objective, remove mse or train it in a model of its own",
        "@Loss(LossKind.MEAN_SQUARED_ERROR)");
  }

  // --- Kiln/ShapeMismatch -----------------------------------------------------------------------
  /** @Dense over [B, 1, 28, 28]: the fix inserts @Flatten. */
  @Test
  void denseOnImage() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = {1, 28, 28}) abstract Tensor image();",
            "  @Dense(units = 10)",
            "  abstract Tensor logits(Tensor image);",
            "}");
    assertError(
        src,
        "[Kiln/ShapeMismatch] logits: @Dense needs [B, n] but image is [B, 1, 28, 28]; insert @Flatten abstract Tensor flat(Tensor image) and read it",
        "@Dense(units = 10)");
  }

  /** Softmax over an unflattened image. */
  @Test
  void softmaxOnImage() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = {1, 28, 28}) abstract Tensor image();",
            "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY)",
            "  abstract Tensor loss(Tensor image, @Labels IntTensor label);",
            "}");
    assertError(
        src,
        "[Kiln/ShapeMismatch] loss: @Loss(SOFTMAX_CROSS_ENTROPY) needs [B, classes] but image is [B, 1, 28, 28]; insert @Flatten or a @Dense with one unit per class",
        "@Loss(LossKind.SOFTMAX_CROSS_ENTROPY)");
  }

  /** Softmax over one class, reported on the loss kind. */
  @Test
  void softmaxOverOneClass() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 1) abstract Tensor logits(Tensor x);",
            "  @Loss(",
            "      LossKind.SOFTMAX_CROSS_ENTROPY)",
            "  abstract Tensor loss(Tensor logits, @Labels IntTensor label);",
            "}");
    assertError(
        src,
        "[Kiln/ShapeMismatch] loss: @Loss(SOFTMAX_CROSS_ENTROPY) over logits [B, 1] has a single class; use SIGMOID_BINARY_CROSS_ENTROPY for one output, or give logits one unit per class",
        "LossKind.SOFTMAX_CROSS_ENTROPY)");
  }

  // --- Kiln/StepActivation ----------------------------------------------------------------------
  /** STEP has no gradient: it may only feed @Loss(PERCEPTRON); reported on the activation. */
  @Test
  void stepFeedingDense() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 4,",
            "      activation = Activation.STEP)",
            "  abstract Tensor h(Tensor x);",
            "  @Dense(units = 1) abstract Tensor out(Tensor h);",
            "}");
    assertError(
        src,
        "[Kiln/StepActivation] h: activation = STEP has no gradient, but 'out' reads it; STEP may only feed @Loss(PERCEPTRON), use SIGMOID or RELU here",
        "activation = Activation.STEP");
  }

  /** @Loss(PERCEPTRON) over a layer without STEP; reported on the loss kind. */
  @Test
  void perceptronOverSigmoid() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 1, activation = Activation.SIGMOID) abstract Tensor y(Tensor x);",
            "  @Loss(",
            "      LossKind.PERCEPTRON)",
            "  abstract Tensor loss(Tensor y, @Labels Tensor target);",
            "}");
    assertError(
        src,
        "[Kiln/StepActivation] loss: @Loss(PERCEPTRON) scores a step output, but 'y' is not @Dense(activation = STEP); set activation = STEP on y",
        "LossKind.PERCEPTRON");
  }

  // --- Kiln/NoOutput ----------------------------------------------------------------------------
  /** No loss and two nodes nothing reads: which one is the output? */
  @Test
  void twoOutputsWithoutLoss() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 1) abstract Tensor a(Tensor x);",
            "  @Dense(units = 1) abstract Tensor b(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/NoOutput] @Model Net has no @Loss and several nodes that nothing reads (a, b); keep one output or add a @Loss",
        "@Model");
  }

  // --- Kiln/UnusedNode --------------------------------------------------------------------------
  /** A node nothing reads is a warning, and the model still compiles. */
  @Test
  void unusedNodeWarns() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 4)",
            "  abstract Tensor probe(Tensor x);",
            "  @Dense(units = 1) abstract Tensor out(Tensor x);",
            "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor out, @Labels Tensor y);",
            "}");
    Compilation compilation = compile(src);
    assertThat(compilation).succeeded();
    assertThat(compilation)
        .hadWarningContaining(
            "[Kiln/UnusedNode] probe: is never read on the way to 'loss' and will not be computed; remove it or read it")
        .inFile(src)
        .onLineContaining("@Dense(units = 4)");
    assertThat(compilation).hadWarningCount(1);
  }

  // --- Kiln/BadAttribute: @Conv --------------------------------------------------------------------
  /** @Conv(filters = 0), on the attribute's line; the layers reading it are not reported again. */
  @Test
  void convFiltersZero() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @Conv(",
            "      filters = 0,",
            "      kernel = 3)",
            "  abstract Tensor c(Tensor image);",
            "  @Flatten abstract Tensor flat(Tensor c);",
            "  @Dense(units = 2) abstract Tensor logits(Tensor flat);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv(filters = 0) must be at least 1",
        "filters = 0");
  }

  /** No kernel size at all: nothing to underline but the annotation. */
  @Test
  void convKernelMissing() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @Conv(filters = 4)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv needs a kernel size; add kernel = k (square) or both kernelHeight and kernelWidth",
        "@Conv(filters = 4)");
  }

  /** kernelHeight without kernelWidth: pinned to the one that was written. */
  @Test
  void convKernelHeightWithoutWidth() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @Conv(filters = 4,",
            "      kernelHeight = 3)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv needs a kernel size; add kernel = k (square) or both kernelHeight and kernelWidth",
        "kernelHeight = 3");
  }

  /** kernel and the kernelHeight/kernelWidth pair together. */
  @Test
  void convKernelGivenTwice() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @Conv(filters = 4,",
            "      kernel = 3,",
            "      kernelHeight = 3, kernelWidth = 2)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv gives both kernel and kernelHeight/kernelWidth; use kernel = k for a square kernel or the pair for another shape",
        "kernel = 3,");
  }

  /** kernel = -1. */
  @Test
  void convKernelNegative() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @Conv(filters = 4,",
            "      kernel = -1)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv(kernel = -1) must be at least 1",
        "kernel = -1");
  }

  /** Both sides negative: the message names kernelHeight with its own value (not kernelWidth's). */
  @Test
  void convKernelHeightAndWidthNegative() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @Conv(filters = 4,",
            "      kernelHeight = -1,",
            "      kernelWidth = -2)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv(kernelHeight = -1) must be at least 1; kernelHeight is the window size, e.g. kernelHeight = 3",
        "kernelHeight = -1");
  }

  /** kernelWidth = 0 beside a valid kernelHeight reads as a missing width. */
  @Test
  void convKernelWidthZero() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @Conv(filters = 4,",
            "      kernelHeight = 3,",
            "      kernelWidth = -2)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv(kernelWidth = -2) must be at least 1",
        "kernelWidth = -2");
  }

  /** stride = 0. */
  @Test
  void convStrideZero() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @Conv(filters = 4, kernel = 3,",
            "      stride = 0)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv(stride = 0) must be at least 1",
        "stride = 0");
  }

  /** pad = -1 under EXPLICIT padding. */
  @Test
  void convPadNegative() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @Conv(filters = 4, kernel = 3, padding = Padding.EXPLICIT,",
            "      pad = -1)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv(pad = -1) must be 0 or more",
        "pad = -1");
  }

  /** pad given but padding left at VALID. */
  @Test
  void convPadWithoutExplicitPadding() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @Conv(filters = 4, kernel = 3,",
            "      pad = 1)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv(pad = 1) is only used with padding = EXPLICIT, but padding is VALID; add padding = EXPLICIT or remove pad",
        "pad = 1");
  }


  // --- Kiln/ShapeMismatch: @Conv and pooling -------------------------------------------------------
  /** A 5×5 kernel over a 4×4 image without padding. */
  @Test
  void convKernelLargerThanInput() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 4, 4}) abstract Tensor image();",
            "  @Conv(filters = 4,",
            "      kernel = 5)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/ShapeMismatch] c: @Conv kernel 5×5 is larger than image [B, 1, 4, 4] padded to 4×4 (padding VALID); use a smaller kernel or padding = SAME",
        "kernel = 5");
  }

  /** Explicit padding counts: a 7×7 kernel over 4×4 padded by 1 (6×6). */
  @Test
  void convKernelLargerThanExplicitlyPaddedInput() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 4, 4}) abstract Tensor image();",
            "  @Conv(filters = 4, padding = Padding.EXPLICIT, pad = 1,",
            "      kernel = 7)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/ShapeMismatch] c: @Conv kernel 7×7 is larger than image [B, 1, 4, 4] padded to 6×6 (padding EXPLICIT); use a smaller kernel or padding = SAME",
        "kernel = 7");
  }

  /** Only the width does not fit: kernelWidth is underlined, not kernelHeight. */
  @Test
  void convKernelWidthLargerThanInput() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 4}) abstract Tensor image();",
            "  @Conv(filters = 4,",
            "      kernelHeight = 3,",
            "      kernelWidth = 5)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/ShapeMismatch] c: @Conv kernel 3×5 is larger than image [B, 1, 8, 4] padded to 8×4 (padding VALID); use a smaller kernel or padding = SAME",
        "kernelWidth = 5");
  }

  /** @Conv over a flat vector. */
  @Test
  void convOnVector() {
    JavaFileObject src =
        net(
            "  @Input(shape = 784) abstract Tensor x();",
            "  @Conv(filters = 4, kernel = 3)",
            "  abstract Tensor c(Tensor x);");
    assertError(
        src,
        "[Kiln/ShapeMismatch] c: @Conv needs [B, C, H, W] but x is [B, 784]; read an image: an @Input(shape = {C, H, W}) or the output of @Conv or a pooling layer, e.g. @Input(shape = {1, 28, 28})",
        "@Conv(filters = 4");
  }

  /** @Conv over [H, W]: the fix adds the channel axis with the real sizes. */
  @Test
  void convOnImageWithoutChannels() {
    JavaFileObject src =
        net(
            "  @Input(shape = {28, 28}) abstract Tensor x();",
            "  @Conv(filters = 4, kernel = 3)",
            "  abstract Tensor c(Tensor x);");
    assertError(
        src,
        "[Kiln/ShapeMismatch] c: @Conv needs [B, C, H, W] but x is [B, 28, 28]; give x a channel axis: [B, 1, 28, 28], e.g. @Input(shape = {1, 28, 28})",
        "@Conv(filters = 4");
  }

  /** A 5×5 window over a 4×4 map. */
  @Test
  void maxPoolWindowLargerThanInput() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 4, 4}) abstract Tensor image();",
            "  @MaxPool(",
            "      size = 5)",
            "  abstract Tensor p(Tensor image);");
    assertError(
        src,
        "[Kiln/ShapeMismatch] p: @MaxPool(size = 5) window is larger than image [B, 1, 4, 4], so the output would be empty; use a smaller size or pool earlier",
        "size = 5");
  }

  /** @MaxPool over a vector. */
  @Test
  void maxPoolOnVector() {
    JavaFileObject src =
        net(
            "  @Input(shape = 16) abstract Tensor x();",
            "  @MaxPool(size = 2)",
            "  abstract Tensor p(Tensor x);");
    assertError(
        src,
        "[Kiln/ShapeMismatch] p: @MaxPool needs [B, C, H, W] but x is [B, 16]; read an image: an @Input(shape = {C, H, W}) or the output of @Conv or a pooling layer, e.g. @Input(shape = {1, 28, 28})",
        "@MaxPool(size = 2)");
  }

  /** @AvgPool over [H, W]. */
  @Test
  void avgPoolOnImageWithoutChannels() {
    JavaFileObject src =
        net(
            "  @Input(shape = {6, 6}) abstract Tensor x();",
            "  @AvgPool(size = 2)",
            "  abstract Tensor p(Tensor x);");
    assertError(
        src,
        "[Kiln/ShapeMismatch] p: @AvgPool needs [B, C, H, W] but x is [B, 6, 6]; give x a channel axis: [B, 1, 6, 6], e.g. @Input(shape = {1, 6, 6})",
        "@AvgPool(size = 2)");
  }


  // --- Kiln/BadAttribute: pooling, @Dropout, @BatchNorm, sizes -------------------------------------
  /** @MaxPool(size = 0). */
  @Test
  void maxPoolSizeZero() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @MaxPool(",
            "      size = 0)",
            "  abstract Tensor p(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] p: @MaxPool(size = 0) must be at least 1",
        "size = 0");
  }

  /** @AvgPool(stride = -1); leaving stride out steps by the window. */
  @Test
  void avgPoolStrideNegative() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @AvgPool(size = 2,",
            "      stride = -1)",
            "  abstract Tensor p(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] p: @AvgPool(stride = -1) must be at least 1; leave it out to step by the window size",
        "stride = -1");
  }

  /** rate = 1 drops everything. */
  @Test
  void dropoutRateOne() {
    JavaFileObject src =
        net(
            "  @Input(shape = 8) abstract Tensor x();",
            "  @Dropout(",
            "      rate = 1.0)",
            "  abstract Tensor d(Tensor x);");
    assertError(
        src,
        "[Kiln/BadAttribute] d: @Dropout(rate = 1.0) must be in [0, 1); 0 keeps everything, 0.5 drops half",
        "rate = 1.0");
  }

  /** A negative rate. */
  @Test
  void dropoutRateNegative() {
    JavaFileObject src =
        net(
            "  @Input(shape = 8) abstract Tensor x();",
            "  @Dropout(",
            "      rate = -0.5)",
            "  abstract Tensor d(Tensor x);");
    assertError(
        src,
        "[Kiln/BadAttribute] d: @Dropout(rate = -0.5) must be in [0, 1); 0 keeps everything, 0.5 drops half",
        "rate = -0.5");
  }

  /** momentum = 0 would never update the running statistics. */
  @Test
  void batchNormMomentumZero() {
    JavaFileObject src =
        net(
            "  @Input(shape = 8) abstract Tensor x();",
            "  @BatchNorm(",
            "      momentum = 0)",
            "  abstract Tensor bn(Tensor x);");
    assertError(
        src,
        "[Kiln/BadAttribute] bn: @BatchNorm(momentum = 0.0) must be in (0, 1]; PyTorch's default is 0.1",
        "momentum = 0");
  }

  /** epsilon = 0 divides by zero on a constant feature. */
  @Test
  void batchNormEpsilonZero() {
    JavaFileObject src =
        net(
            "  @Input(shape = 8) abstract Tensor x();",
            "  @BatchNorm(",
            "      epsilon = 0)",
            "  abstract Tensor bn(Tensor x);");
    assertError(
        src,
        "[Kiln/BadAttribute] bn: @BatchNorm(epsilon = 0.0) must be positive; the usual value is 1e-5",
        "epsilon = 0");
  }

  /** A weight over 2^25 floats is a mistake, not a model to plan memory for. */
  @Test
  void denseWeightTooLarge() {
    JavaFileObject src =
        net(
            "  @Input(shape = 1024) abstract Tensor x();",
            "  @Dense(",
            "      units = 65536)",
            "  abstract Tensor h(Tensor x);");
    assertError(
        src,
        "[Kiln/BadAttribute] h: @Dense(units = 65536) needs a weight of [65536, 1024], more than 2^25 floats; use fewer units or shrink the input first (pooling, a smaller layer)",
        "units = 65536");
  }

  /** A convolution weight over 2^25 floats. */
  @Test
  void convWeightTooLarge() {
    JavaFileObject src =
        net(
            "  @Input(shape = {64, 8, 8}) abstract Tensor image();",
            "  @Conv(kernel = 3,",
            "      filters = 65536)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv(filters = 65536) needs a weight of [65536, 64, 3, 3], more than 2^25 floats; use fewer filters or shrink the input first (pooling, a smaller layer)",
        "filters = 65536");
  }

  /** A convolution output over 2^25 floats per sample. */
  @Test
  void convOutputTooLarge() {
    JavaFileObject src =
        net(
            "  @Input(shape = {1, 1024, 1024}) abstract Tensor image();",
            "  @Conv(kernel = 1,",
            "      filters = 64)",
            "  abstract Tensor c(Tensor image);");
    assertError(
        src,
        "[Kiln/BadAttribute] c: @Conv(filters = 64) gives [B, 64, 1024, 1024], more than 2^25 floats per sample; use fewer filters, a larger stride or pool earlier",
        "filters = 64");
  }

  /** @BatchNorm over [B, H, W]: not a feature vector nor channels. */
  @Test
  void batchNormOnRankTwo() {
    JavaFileObject src =
        net(
            "  @Input(shape = {3, 4}) abstract Tensor x();",
            "  @BatchNorm",
            "  abstract Tensor bn(Tensor x);");
    assertError(
        src,
        "[Kiln/ShapeMismatch] bn: @BatchNorm normalizes [B, n] or [B, C, H, W] but x is [B, 3, 4]; insert @Flatten abstract Tensor flat(Tensor x) and normalize that",
        "@BatchNorm");
  }

  // --- Kiln/BadAttribute: the whole model ---------------------------------------------------------
  /** Memory at maxBatch past 2^31 floats: an error on maxBatch, not an ArithmeticException. */
  @Test
  void modelTooLargeAtMaxBatch() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model(",
            "    maxBatch = 1000000)",
            "abstract class Net {",
            "  @Input(shape = 4096) abstract Tensor x();",
            "  @Dense(units = 4096) abstract Tensor h(Tensor x);",
            "}");
    assertError(
        src,
        "[Kiln/BadAttribute] @Model Net needs more than 2^31 floats of memory at maxBatch = 1000000; lower maxBatch or use smaller layers",
        "maxBatch = 1000000");
  }

  /**
   * An unused node is not computed, but its declaration is still checked: a bad attribute on it is
   * an error besides the warning (it compiled with only the warning; found by RandomModelsTest).
   */
  @Test
  void unusedNodeWithBadAttributeIsAnError() {
    JavaFileObject src =
        net(
            "  @Input(shape = 8) abstract Tensor x();",
            "  @Dense(units = 2) abstract Tensor y(Tensor x);",
            "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor y, @Labels Tensor t);",
            "  @Dropout(",
            "      rate = 1.0)",
            "  abstract Tensor probe(Tensor x);");
    Compilation compilation = compile(src);
    assertThat(compilation)
        .hadErrorContaining("[Kiln/BadAttribute] probe: @Dropout(rate = 1.0) must be in [0, 1); 0 keeps everything, 0.5 drops half")
        .inFile(src)
        .onLineContaining("rate = 1.0");
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadWarningContaining("[Kiln/UnusedNode] probe: is never read on the way to 'loss'")
        .inFile(src)
        .onLineContaining("@Dropout(");
  }

  /** {@code @Model abstract class Net { body }} in package test. */
  private static JavaFileObject net(String... body) {
    List<String> lines = new ArrayList<>(List.of("@Model", "abstract class Net {"));
    lines.addAll(List.of(body));
    lines.add("}");
    return source("test.Net", lines.toArray(String[]::new));
  }
}
