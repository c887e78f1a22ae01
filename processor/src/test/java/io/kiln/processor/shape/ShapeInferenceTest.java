package io.kiln.processor.shape;

import io.kiln.processor.pass.ShapeInference;
import static com.google.common.truth.Truth.assertThat;
import static io.kiln.dsl.Activation.NONE;
import static io.kiln.dsl.Activation.RELU;
import static io.kiln.dsl.Activation.SIGMOID;
import static io.kiln.dsl.Activation.STEP;
import static io.kiln.dsl.Activation.TANH;
import static io.kiln.dsl.LossKind.MEAN_SQUARED_ERROR;
import static io.kiln.dsl.LossKind.PERCEPTRON;
import static io.kiln.dsl.LossKind.SIGMOID_BINARY_CROSS_ENTROPY;
import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;
import static io.kiln.processor.Specs.INT_TENSOR;
import static io.kiln.processor.Specs.TENSOR;
import static io.kiln.processor.Specs.dense;
import static io.kiln.processor.Specs.errors;
import static io.kiln.processor.Specs.flatten;
import static io.kiln.processor.Specs.graph;
import static io.kiln.processor.Specs.input;
import static io.kiln.processor.Specs.loss;
import static io.kiln.processor.Specs.model;
import static io.kiln.processor.Specs.onlyError;
import static io.kiln.processor.Specs.ref;

import io.kiln.processor.Specs;
import io.kiln.processor.diag.Diagnostic;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Report;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.parse.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {
  private final Report report = new Report();

  private ShapedGraph infer(ModelSpec spec) {
    return new ShapeInference(report).infer(graph(spec));
  }

  @Test
  void denseShapesFollowUnits() {
    ShapedGraph s = infer(Specs.mlp(784, 10, 128, 64));
    Specs.assertClean(report);
    assertThat(s.shape("x")).isEqualTo(Shape.of(784));
    assertThat(s.shape("h1")).isEqualTo(Shape.of(128));
    assertThat(s.shape("h2")).isEqualTo(Shape.of(64));
    assertThat(s.shape("logits")).isEqualTo(Shape.of(10));
    assertThat(s.shape("loss")).isEqualTo(Shape.of());
    assertThat(s.labelsShape()).isEqualTo(Shape.of()); // one class index per sample
  }

  @Test
  void flattenIsTheProductOfTheDims() {
    ShapedGraph s = infer(model(
        input("image", 3, 4, 5),
        flatten("flat", "image"),
        dense("y", 2, "flat"),
        loss("loss", MEAN_SQUARED_ERROR, "y", "target", TENSOR)));
    Specs.assertClean(report);
    assertThat(s.shape("image")).isEqualTo(Shape.of(3, 4, 5));
    assertThat(s.shape("flat")).isEqualTo(Shape.of(60));
    assertThat(s.shape("flat").withBatch()).isEqualTo("[B, 60]");
    assertThat(s.labelsShape()).isEqualTo(Shape.of(2)); // float targets: the scored node's shape
  }

  @Test
  void denseOnARank3InputNamesTheShapeAndSuggestsFlatten() {
    infer(model(
        input("p2", 16, 5, 5),
        dense("f1", 120, RELU, "p2"),
        dense("logits", 10, "f1"),
        loss("loss", SOFTMAX_CROSS_ENTROPY, "logits", "label", INT_TENSOR)));
    Diagnostic d = onlyError(report); // and logits / loss downstream are not reported again
    assertThat(d.id()).isEqualTo(ErrorId.SHAPE_MISMATCH);
    assertThat(d.ref()).isEqualTo(ref("f1"));
    assertThat(d.message()).contains("[B, 16, 5, 5]");
    assertThat(d.message()).contains("@Flatten");
    assertThat(d.message()).isEqualTo(
        "f1: @Dense needs [B, n] but p2 is [B, 16, 5, 5]; insert @Flatten abstract Tensor flat(Tensor p2) and read it");
  }

  @Test
  void unitsZeroIsABadAttributeOnUnits() {
    infer(model(input("x", 4), dense("h", 0, "x"), loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.BAD_ATTRIBUTE);
    assertThat(d.ref()).isEqualTo(ref("h"));
    assertThat(d.attribute()).isEqualTo("units");
    assertThat(d.message()).isEqualTo("h: @Dense(units = 0) must be at least 1; units is the width of the output, e.g. units = 1");
  }

  @Test
  void emptyInputShapeIsABadAttributeOnShape() {
    infer(model(input("x"), dense("h", 2, "x"), loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.BAD_ATTRIBUTE);
    assertThat(d.ref()).isEqualTo(ref("x"));
    assertThat(d.attribute()).isEqualTo("shape");
    assertThat(d.message()).contains("@Input(shape = {}) is empty");
  }

  @Test
  void negativeOrZeroDimensionIsABadAttribute() {
    infer(model(input("x", 3, -1), flatten("f", "x"), dense("h", 2, "f"), loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.BAD_ATTRIBUTE);
    assertThat(d.attribute()).isEqualTo("shape");
    assertThat(d.message()).isEqualTo("x: @Input(shape = {3, -1}) has a dimension below 1; every dimension must be positive:"
        + " write each size of one sample (the batch is not part of the shape, and no size is inferred from -1)");

    Report other = new Report();
    new ShapeInference(other).infer(graph(model(input("x", 0), dense("h", 2, "x"), loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR))));
    assertThat(onlyError(other).id()).isEqualTo(ErrorId.BAD_ATTRIBUTE);
  }

  @Test
  void hugeInputIsReportedNotOverflowed() {
    infer(model(input("x", 8192, 8192), flatten("f", "x"), dense("h", 2, "f"), loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    assertThat(onlyError(report).message()).contains("is too large for one sample");
  }

  @Test
  void inputWhoseSizeOverflowsALongIsReportedNotAccepted() {
    // 65536^4 = 2^64 wraps to 0 in a long product: it must still be "too large", not a crash later.
    Report r = new Report();
    ShapedGraph s = new ShapeInference(r).infer(graph(model(
        input("x", 65536, 65536, 65536, 65536), flatten("f", "x"), dense("h", 2, "f"),
        loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR))));
    assertThat(s).isNull();
    assertThat(onlyError(r).message()).contains("is too large for one sample");
  }

  @Test
  void anInputWithAMaxLengthIsASequenceOfItsShape() {
    ShapedGraph s = infer(model(
        Specs.node("frames", new Layer.Input(new int[] {4}, 50)),
        Specs.node("l", new Layer.Recurrent(Layer.Recurrent.Cell.LSTM, 8, TANH, true, true, false), "frames"),
        dense("y", 2, "l"),
        loss("loss", MEAN_SQUARED_ERROR, "y", "target", TENSOR)));
    Specs.assertClean(report);
    assertThat(s.shape("frames")).isEqualTo(Shape.sequence(50, 4));
    assertThat(s.shape("frames").size()).isEqualTo(200);
    assertThat(s.shape("y")).isEqualTo(Shape.sequence(50, 2));
  }

  @Test
  void aSeriesCountsItsStepsTowardsTheSizeLimit() {
    // 8192 features fit one sample; 8192 steps of them do not.
    infer(model(Specs.node("frames", new Layer.Input(new int[] {8192}, 8192)), dense("h", 2, "frames"),
        loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    assertThat(onlyError(report).message()).isEqualTo("frames: @Input(shape = {8192}, maxLength = 8192) is too large for one sample"
        + " (more than 2^25 floats); lower maxLength (split longer series) or use fewer features per step");
  }

  @Test
  void stepMayOnlyFeedAPerceptronLoss() {
    infer(model(
        input("x", 2),
        dense("s", 4, STEP, "x"),
        dense("y", 1, "s"),
        loss("loss", MEAN_SQUARED_ERROR, "y", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.STEP_ACTIVATION);
    assertThat(d.ref()).isEqualTo(ref("s"));
    assertThat(d.attribute()).isEqualTo("activation");
    assertThat(d.message()).contains("s: activation = STEP has no gradient, but 'y' reads it");
  }

  @Test
  void stepFeedingAPerceptronIsFine() {
    ShapedGraph s = infer(model(input("x", 2), dense("y", 1, STEP, "x"), loss("loss", PERCEPTRON, "y", "target", TENSOR)));
    Specs.assertClean(report);
    assertThat(s.shape("y")).isEqualTo(Shape.of(1));
  }

  @Test
  void perceptronWithoutStepIsReportedOnTheLoss() {
    infer(model(input("x", 2), dense("y", 1, SIGMOID, "x"), loss("loss", PERCEPTRON, "y", "target", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.STEP_ACTIVATION);
    assertThat(d.ref()).isEqualTo(ref("loss"));
    assertThat(d.attribute()).isEqualTo("value");
    assertThat(d.message()).contains("'y' is not @Dense(activation = STEP); set activation = STEP on y");
  }

  @Test
  void softmaxWithIntTensorLabelsIsFineWithTensorLabelsIsNot() {
    infer(Specs.mlp(4, 3, 8));
    Specs.assertClean(report);

    infer(model(input("x", 4), dense("logits", 3, "x"), loss("loss", SOFTMAX_CROSS_ENTROPY, "logits", "label", TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.LABELS);
    assertThat(d.ref()).isEqualTo(ref("loss"));
    assertThat(d.message()).isEqualTo(
        "loss: @Loss(SOFTMAX_CROSS_ENTROPY) takes class indices but 'label' is Tensor; declare @Labels IntTensor label");
  }

  @Test
  void regressionLossesTakeFloatTargets() {
    infer(model(input("x", 4), dense("y", 1, "x"), loss("loss", SIGMOID_BINARY_CROSS_ENTROPY, "y", "t", INT_TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.LABELS);
    assertThat(d.message()).contains("takes float targets but 't' is IntTensor; declare @Labels Tensor t");
  }

  @Test
  void softmaxOverOneClassIsReported() {
    infer(model(input("x", 4), dense("logits", 1, "x"), loss("loss", SOFTMAX_CROSS_ENTROPY, "logits", "label", INT_TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.SHAPE_MISMATCH);
    assertThat(d.ref()).isEqualTo(ref("loss"));
    assertThat(d.message()).contains("over logits [B, 1] has a single class; use SIGMOID_BINARY_CROSS_ENTROPY");
  }

  @Test
  void softmaxOverARank3NodeNeedsAVector() {
    infer(model(input("x", 2, 3, 4), loss("loss", SOFTMAX_CROSS_ENTROPY, "x", "label", INT_TENSOR)));
    Diagnostic d = onlyError(report);
    assertThat(d.id()).isEqualTo(ErrorId.SHAPE_MISMATCH);
    assertThat(d.message()).contains("needs [B, classes] but x is [B, 2, 3, 4]");
  }

  @Test
  void aBrokenNodesConsumersAreNotReportedAgain() {
    // h is broken (units 0); h2, logits and the loss read it and must stay silent.
    ShapedGraph s = infer(model(
        input("x", 4),
        dense("h", 0, TANH, "x"),
        dense("h2", 8, NONE, "h"),
        flatten("flat", "h2"),
        dense("logits", 1, "flat"), // would also be "single class" if checked
        loss("loss", SOFTMAX_CROSS_ENTROPY, "logits", "label", INT_TENSOR)));
    assertThat(s).isNull();
    List<Diagnostic> errors = errors(report);
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).ref()).isEqualTo(ref("h"));
  }

  @Test
  void independentShapeErrorsAreAllReported() {
    // One error per broken node, not only the first.
    infer(model(
        input("x", 4),
        dense("h", 0, "x"),
        input("y", 0),
        loss("loss", MEAN_SQUARED_ERROR, "h", "target", TENSOR)));
    // y is unused and dropped by the IR pass before shapes, so only h is left to report.
    assertThat(errors(report)).hasSize(1);

    Report r = new Report();
    new ShapeInference(r).infer(graph(model(
        input("x", 2, 2),
        dense("bad", 0, "x"), // units 0 and rank 2: two independent findings on one node
        loss("loss", MEAN_SQUARED_ERROR, "bad", "target", TENSOR))));
    assertThat(errors(r).stream().map(Diagnostic::id).toList())
        .containsExactly(ErrorId.BAD_ATTRIBUTE, ErrorId.SHAPE_MISMATCH).inOrder();
  }

  @Test
  void shapeToStringAndBatchForm() {
    Shape s = Shape.of(16, 5, 5);
    assertThat(s.toString()).isEqualTo("[16, 5, 5]");
    assertThat(s.withBatch()).isEqualTo("[B, 16, 5, 5]");
    assertThat(Shape.of().withBatch()).isEqualTo("[B]");
    assertThat(s.size()).isEqualTo(400);
    assertThat(s.rank()).isEqualTo(3);
  }
}
