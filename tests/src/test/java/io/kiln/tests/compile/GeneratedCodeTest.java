package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.kiln.tests.compile.DiagnosticsTest.compile;
import static io.kiln.tests.compile.DiagnosticsTest.source;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Valid models compile cleanly and so does the class Kiln writes for them (compile-testing compiles
 * generated sources in the same build, against the runtime on the test classpath).
 */
class GeneratedCodeTest {

  static JavaFileObject goldenMlp() {
    return source(
        "test.GoldenMlp",
        "/** A small classifier whose generated class is kept as a golden file. */",
        "@Model(maxBatch = 8)",
        "abstract class GoldenMlp {",
        "  @Input(shape = 4) abstract Tensor features();",
        "  @Dense(units = 8, activation = Activation.RELU) abstract Tensor hidden(Tensor features);",
        "  @Dense(units = 3) abstract Tensor logits(Tensor hidden);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor logits, @Labels IntTensor label);",
        "}");
  }

  /** The generated class for a small MLP, compared token by token with a reviewed golden file. */
  @Test
  void mlpMatchesGoldenFile() {
    Compilation compilation = compile(goldenMlp());
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("test.KilnGoldenMlp")
        .hasSourceEquivalentTo(JavaFileObjects.forResource("golden/KilnGoldenMlp.java"));
  }

  /** Each loss kind, @Flatten over an image, inference-only and a perceptron: no warning anywhere. */
  @Test
  void validModelsCompileWithoutWarnings() {
    Compilation compilation =
        compile(
            goldenMlp(),
            source(
                "test.ImageNet",
                "@Model(maxBatch = 16)",
                "abstract class ImageNet {",
                "  @Input(shape = {1, 6, 6}) abstract Tensor image();",
                "  @Flatten abstract Tensor flat(Tensor image);",
                "  @Dense(units = 12, activation = Activation.TANH, init = Init.XAVIER_UNIFORM) abstract Tensor h(Tensor flat);",
                "  @Dense(units = 1) abstract Tensor logit(Tensor h);",
                "  @Loss(LossKind.SIGMOID_BINARY_CROSS_ENTROPY) abstract Tensor loss(Tensor logit, @Labels Tensor target);",
                "}"),
            source(
                "test.Regressor",
                "@Model",
                "abstract class Regressor {",
                "  @Input(shape = 3) abstract Tensor x();",
                "  @Dense(units = 5, activation = Activation.SIGMOID, bias = false) abstract Tensor h(Tensor x);",
                "  @Dense(units = 2) abstract Tensor y(Tensor h);",
                "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor y, @Labels Tensor target);",
                "}"),
            source(
                "test.Perceptron",
                "@Model(maxBatch = 4)",
                "abstract class Perceptron {",
                "  @Input(shape = 2) abstract Tensor x();",
                "  @Dense(units = 1, activation = Activation.STEP) abstract Tensor y(Tensor x);",
                "  @Loss(LossKind.PERCEPTRON) abstract Tensor loss(Tensor y, @Labels Tensor target);",
                "}"),
            source(
                "test.Scorer",
                "/** No loss: the single node nothing reads is the output. */",
                "@Model(maxBatch = 1)",
                "abstract class Scorer {",
                "  @Input(shape = 8) abstract Tensor x();",
                "  @Dense(units = 4, activation = Activation.RELU) abstract Tensor h(Tensor x);",
                "  @Dense(units = 1) abstract Tensor score(Tensor h);",
                "",
                "  /** A concrete helper is the user's own business. */",
                "  static String describe() {",
                "    return \"scorer\";",
                "  }",
                "}"));
    assertThat(compilation).succeededWithoutWarnings();
    for (String generated : new String[] {"KilnGoldenMlp", "KilnImageNet", "KilnRegressor", "KilnPerceptron", "KilnScorer"}) {
      assertThat(compilation).generatedSourceFile("test." + generated);
    }
  }

  /**
   * A loss straight over a view of the input (@Flatten of an @Input): the loss reads the caller's
   * array, which the generated runLoss must be given (it referred to a variable it did not have;
   * found by RandomModelsTest).
   */
  @Test
  void lossOverAFlattenedInputCompiles() {
    Compilation compilation =
        compile(
            source(
                "test.ViewLoss",
                "@Model(maxBatch = 4)",
                "abstract class ViewLoss {",
                "  @Input(shape = {3, 2}) abstract Tensor features();",
                "  @Flatten abstract Tensor flat(Tensor features);",
                "  @Loss(LossKind.SIGMOID_BINARY_CROSS_ENTROPY) abstract Tensor loss(Tensor flat, @Labels Tensor label);",
                "}"));
    assertThat(compilation).succeeded();
    assertThat(compilation).hadWarningContaining("[Kiln/NothingToTrain] loss: no layer with weights lies between the input");
    assertThat(compilation).hadWarningCount(1);
    assertThat(compilation)
        .generatedSourceFile("test.KilnViewLoss")
        .contentsAsUtf8String()
        .contains("runLoss(features, label, batch, false)");
  }

  /** A static nested model is named after its enclosing classes: {@code Kiln<Outer>_<Inner>}. */
  @Test
  void nestedModelIsNamedOuterUnderscoreInner() {
    Compilation compilation =
        compile(
            source(
                "test.Outer",
                "public class Outer {",
                "  @Model",
                "  abstract static class Inner {",
                "    @Input(shape = 2) abstract Tensor x();",
                "    @Dense(units = 1) abstract Tensor y(Tensor x);",
                "  }",
                "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("test.KilnOuter_Inner")
        .contentsAsUtf8String()
        .contains("public final class KilnOuter_Inner implements InferenceModel<KilnOuter_Inner.Input> {");
  }

  /** A model in the unnamed package gets its class in the unnamed package. */
  @Test
  void modelInUnnamedPackage() {
    Compilation compilation =
        compile(
            JavaFileObjects.forSourceLines(
                "Tiny",
                "import io.kiln.dsl.*;",
                "",
                "@Model",
                "abstract class Tiny {",
                "  @Input(shape = 2) abstract Tensor x();",
                "  @Dense(units = 1) abstract Tensor y(Tensor x);",
                "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("KilnTiny")
        .contentsAsUtf8String()
        .contains("public final class KilnTiny implements InferenceModel<KilnTiny.Input> {");
  }

  /** Inputs named like greedyDecode's own parameter and locals get other identifiers in the generated code. */
  @Test
  void inputsNamedLikeGreedyDecodeLocalsCompile() {
    List<String> names = List.of("fed", "b", "t", "r", "given", "predictions");
    List<String> lines = new java.util.ArrayList<>(List.of("@Model(maxBatch = 4)", "abstract class Lm {",
        "  @Tokens(maxLength = 8, decoded = true) abstract IntTensor fed();"));
    for (String name : names.subList(1, names.size())) {
      lines.add("  @Tokens(maxLength = 8) abstract IntTensor " + name + "();");
    }
    List<String> embeddings = new java.util.ArrayList<>();
    for (String name : names) {
      lines.add("  @Embedding(vocab = 10, dim = 4) abstract Tensor e_" + name + "(IntTensor " + name + ");");
      embeddings.add("Tensor e_" + name);
    }
    lines.add("  @Add abstract Tensor s(" + String.join(", ", embeddings) + ");");
    lines.add("  @Dense(units = 10) abstract Tensor o(Tensor s);");
    lines.add("  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);");
    lines.add("}");
    Compilation compilation = compile(source("test.Lm", lines.toArray(String[]::new)));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation).generatedSourceFile("test.KilnLm").contentsAsUtf8String().contains("public int[] greedyDecode(");
  }
}
