package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Kiln's warnings for declarations that compile but are very likely not what was meant: each
 * warns on the line at fault with its id, the model is still generated, and
 * {@code @SuppressWarnings} with the id (or "Kiln") silences it.
 */
class LintsTest {

  /** A source {@code test.<name>} that imports the whole DSL, as {@link DiagnosticsTest} writes them. */
  private static JavaFileObject source(String name, String... lines) {
    return DiagnosticsTest.source("test." + name, lines);
  }

  private static Compilation compile(JavaFileObject src) {
    return DiagnosticsTest.compile(src);
  }

  private static void assertOnlyWarning(JavaFileObject src, String message, String token) {
    Compilation c = compile(src);
    assertThat(c).succeeded();
    assertThat(c).hadWarningContaining(message).inFile(src).onLineContaining(token);
    assertThat(c).hadWarningCount(1);
  }

  private static void assertSilent(JavaFileObject src) {
    Compilation c = compile(src);
    assertThat(c).succeeded();
    assertThat(c).hadWarningCount(0);
  }

  private static JavaFileObject sigmoidBeforeLoss(String suppress, String loss, String labels) {
    return source("Net",
        "@Model(maxBatch = 4)",
        suppress,
        "abstract class Net {",
        "  @Input(shape = 4) abstract Tensor x();",
        "  @Dense(units = 3,",
        "      activation = Activation.SIGMOID) abstract Tensor o(Tensor x);",
        "  @Loss(LossKind." + loss + ") abstract Tensor loss(Tensor o, @Labels " + labels + " y);",
        "}");
  }

  @Test
  void sigmoidBeforeABinaryCrossEntropy() {
    assertOnlyWarning(sigmoidBeforeLoss("", "SIGMOID_BINARY_CROSS_ENTROPY", "Tensor"),
        "[Kiln/DoubleActivation] o: activation = SIGMOID feeds loss, but @Loss(SIGMOID_BINARY_CROSS_ENTROPY) applies the sigmoid"
            + " to its input itself (it takes logits), so the model would squash twice; drop the activation (predict() applies the loss's own)",
        "activation = Activation.SIGMOID");
  }

  @Test
  void sigmoidBeforeASoftmaxCrossEntropy() {
    assertOnlyWarning(sigmoidBeforeLoss("", "SOFTMAX_CROSS_ENTROPY", "IntTensor"),
        "[Kiln/DoubleActivation] o: activation = SIGMOID feeds loss, but @Loss(SOFTMAX_CROSS_ENTROPY) applies a softmax",
        "activation = Activation.SIGMOID");
  }

  @Test
  void sigmoidBeforeAMeanSquaredErrorIsFine() {
    assertSilent(sigmoidBeforeLoss("", "MEAN_SQUARED_ERROR", "Tensor"));
  }

  @Test
  void doubleActivationIsSuppressedByItsIdOrByKiln() {
    assertSilent(sigmoidBeforeLoss("@SuppressWarnings(\"Kiln/DoubleActivation\")", "SIGMOID_BINARY_CROSS_ENTROPY", "Tensor"));
    assertSilent(sigmoidBeforeLoss("@SuppressWarnings(\"Kiln\")", "SIGMOID_BINARY_CROSS_ENTROPY", "Tensor"));
    // Another id does not suppress it.
    Compilation c = compile(sigmoidBeforeLoss("@SuppressWarnings(\"Kiln/UnusedNode\")", "SIGMOID_BINARY_CROSS_ENTROPY", "Tensor"));
    assertThat(c).hadWarningContaining("[Kiln/DoubleActivation]");
  }

  private static JavaFileObject batchNorm(String suppress, String momentum) {
    return source("Net",
        "@Model(maxBatch = 4)",
        "abstract class Net {",
        "  @Input(shape = 4) abstract Tensor x();",
        "  " + suppress + " @BatchNorm(",
        "      momentum = " + momentum + ") abstract Tensor n(Tensor x);",
        "  @Dense(units = 1) abstract Tensor o(Tensor n);",
        "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);",
        "}");
  }

  @Test
  void kerasBatchNormMomentum() {
    assertOnlyWarning(batchNorm("", "0.99f"),
        "[Kiln/BatchNormMomentum] n: @BatchNorm(momentum = 0.99) is the weight of each new batch (PyTorch's convention), so the"
            + " running statistics would follow the last batch almost only; Keras's momentum 0.99 is momentum = 0.01f here",
        "momentum = 0.99f");
    assertSilent(batchNorm("", "0.1f"));
    assertSilent(batchNorm("@SuppressWarnings(\"Kiln/BatchNormMomentum\")", "0.99f"));
  }

  @Test
  void nodesInAClassWithoutModel() {
    JavaFileObject src = source("Net",
        "abstract class Net {",
        "  @Input(shape = 4) abstract Tensor x();",
        "  @Dense(units = 1) abstract Tensor o(Tensor x);",
        "}");
    Compilation c = compile(src);
    assertThat(c).succeeded();
    assertThat(c).hadWarningContaining("[Kiln/MissingModel] Net declares Kiln nodes (x, o) but has no @Model, so Kiln generates nothing for it;"
        + " annotate it @Model (a block that a @Repeat uses needs @Block)").inFile(src).onLineContaining("abstract class Net");
    assertThat(c).hadWarningCount(1);
    assertSilent(source("Net",
        "@SuppressWarnings(\"Kiln/MissingModel\")",
        "abstract class Net {",
        "  @Input(shape = 4) abstract Tensor x();",
        "}"));
  }

  /** Node methods inherited from an abstract superclass are nodes of the model (base first). */
  @Test
  void inheritedNodesBelongToTheModelAndItsBaseIsNoStray() {
    JavaFileObject src = source("Net",
        "abstract class Base {",
        "  @Input(shape = 4) abstract Tensor x();",
        "  @Dense(units = 3) abstract Tensor h(Tensor x);",
        "}",
        "@Model(maxBatch = 4)",
        "abstract class Net extends Base {",
        "  @Dense(units = 1) abstract Tensor o(Tensor h);",
        "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);",
        "}");
    Compilation c = compile(src);
    assertThat(c).succeeded();
    assertThat(c).hadWarningCount(0);
    assertThat(c).generatedSourceFile("test.KilnNet").contentsAsUtf8String().contains("\"h.weight\"");
  }

  @Test
  void aConcreteModelClassIsOneError() {
    NetSnippets.assertOnlyError(source("Net",
        "@Model(maxBatch = 4)",
        "class Net {",
        "  @Input(shape = 4) Tensor x() { return null; }",
        "  @Dense(units = 1) Tensor o(Tensor x) { return null; }",
        "}"),
        "[Kiln/ModelDeclaration] @Model class Net must be abstract; its node methods are declarations that Kiln implements:"
            + " declare it abstract and make x, o abstract, without bodies",
        "class Net {");
  }

  @Test
  void labelsWithoutTheirAnnotationIsOneError() {
    NetSnippets.assertOnlyError(source("Net",
        "@Model(maxBatch = 4)",
        "abstract class Net {",
        "  @Input(shape = 4) abstract Tensor x();",
        "  @Dense(units = 3) abstract Tensor o(Tensor x);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o,",
        "      IntTensor y);",
        "}"),
        "[Kiln/Labels] loss: @Loss(SOFTMAX_CROSS_ENTROPY) needs its labels parameter marked, and y names no node;"
            + " if y is the labels, write @Labels IntTensor y",
        "IntTensor y");
  }

  private static JavaFileObject lossWithoutWeights(String suppress, String between) {
    return source("Net",
        "@Model(maxBatch = 4)",
        suppress,
        "abstract class Net {",
        "  @Input(shape = {1, 4, 4}) abstract Tensor x();",
        between,
        "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor " + (between.isEmpty() ? "x" : "f") + ", @Labels Tensor y);",
        "}");
  }

  @Test
  void aLossThatNoWeightReachesHasNothingToTrain() {
    String layers = "  @MaxPool(size = 2) abstract Tensor p(Tensor x); @Flatten abstract Tensor f(Tensor p);";
    assertOnlyWarning(lossWithoutWeights("", layers),
        "[Kiln/NothingToTrain] loss: no layer with weights lies between the input and this loss (it scores f), so there is nothing"
            + " to train and the generated class has no trainStep; put a layer that learns before it, e.g. @Dense(units = ...) reading f",
        "@Loss");
    assertOnlyWarning(lossWithoutWeights("", ""), "[Kiln/NothingToTrain] loss: no layer with weights lies between the input and"
        + " this loss (it scores x)", "@Loss");
    assertSilent(lossWithoutWeights("@SuppressWarnings(\"Kiln/NothingToTrain\")", layers));
  }

  @Test
  void aLossThatOneBranchWithWeightsReachesTrains() {
    assertSilent(source("Net",
        "@Model(maxBatch = 4)",
        "abstract class Net {",
        "  @Input(shape = 4) abstract Tensor x();",
        "  @Dense(units = 4) abstract Tensor d(Tensor x);",
        "  @Add abstract Tensor s(Tensor x, Tensor d);",
        "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor s, @Labels Tensor y);",
        "}"));
  }
}
