package io.kiln.tests.compile;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.kiln.tests.compile.DiagnosticsTest.compile;
import static io.kiln.tests.compile.DiagnosticsTest.source;

import com.google.testing.compile.Compilation;
import io.kiln.processor.KilnProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One build reports every independent error, not only the first; and an error abandons only the
 * model it is in, never the build of the other types.
 */
class AllErrorsAtOnceTest {

  /** Three unrelated declaration mistakes on three methods: all three, each on its own line. */
  @Test
  void aLossWithWrongLabelsIsReportedEvenWhenItsInputIsBroken() {
    JavaFileObject src = source(
        "test.Net",
        "@Model(maxBatch = 4)",
        "abstract class Net {",
        "  @Input(shape = 4) abstract Tensor x();",
        "  @Dense(units = 0) abstract Tensor logits(Tensor x);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor logits, @Labels Tensor label);",
        "}");
    Compilation compilation = compile(src);
    assertThat(compilation).hadErrorCount(2);
    assertThat(compilation).hadErrorContaining("[Kiln/BadAttribute] logits: @Dense(units = 0)").inFile(src).onLineContaining("units = 0");
    assertThat(compilation).hadErrorContaining("[Kiln/Labels] loss: @Loss(SOFTMAX_CROSS_ENTROPY) takes class indices but 'label' is Tensor")
        .inFile(src).onLineContaining("@Loss");
  }

  @Test
  void threeDeclarationErrorsInOneBuild() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  abstract Tensor forgot(Tensor x);",
            "  @Dense(units = 4)",
            "  abstract float[] hidden(Tensor x);",
            "  @Dense(units = 1)",
            "  abstract Tensor out(String hidden);",
            "}");
    Compilation compilation = compile(src);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(
            "[Kiln/NoLayer] forgot: abstract method has no layer annotation; annotate it with its layer (@Input, @Tokens, @Dense, @Conv, @MaxPool, @Lstm, @Loss, ...) or give it a body")
        .inFile(src)
        .onLineContaining("Tensor forgot(");
    assertThat(compilation)
        .hadErrorContaining(
            "[Kiln/NodeDeclaration] hidden: a node returns Tensor but this returns float[]; declare it as abstract Tensor hidden(...)")
        .inFile(src)
        .onLineContaining("float[] hidden(");
    assertThat(compilation)
        .hadErrorContaining(
            "[Kiln/NodeDeclaration] out: parameter 'hidden' is String; node parameters are Tensor (a node's output) or, on a @Loss, @Labels IntTensor/Tensor")
        .inFile(src)
        .onLineContaining("String hidden");
    assertThat(compilation).hadErrorCount(3);
  }

  /** Three wiring mistakes on three nodes: a typo, a wrong handle type and a second loss. */
  @Test
  void threeGraphErrorsInOneBuild() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 2) abstract Tensor x();",
            "  @Dense(units = 4) abstract Tensor hidden(Tensor x);",
            "  @Dense(units = 3) abstract Tensor logits(Tensor hiden);",
            "  @Dense(units = 3) abstract Tensor other(IntTensor x);",
            "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor hidden, @Labels IntTensor label);",
            "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor mse(Tensor hidden, @Labels Tensor target);",
            "}");
    Compilation compilation = compile(src);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining("[Kiln/UnknownNode] logits: parameter 'hiden' names no node; did you mean 'hidden'?")
        .inFile(src)
        .onLineContaining("Tensor hiden");
    assertThat(compilation)
        .hadErrorContaining(
            "[Kiln/TypeMismatch] other: parameter 'x' is declared IntTensor but node 'x' computes floats; declare it as Tensor x")
        .inFile(src)
        .onLineContaining("IntTensor x");
    assertThat(compilation)
        .hadErrorContaining(
            "[Kiln/TwoLosses] mse: a second @Loss (the first is 'loss'); a model trains one objective, remove mse or train it in a model of its own")
        .inFile(src)
        .onLineContaining("Tensor mse(");
    assertThat(compilation).hadErrorCount(3);
  }

  /** Three attribute and shape mistakes on one layer, each pinned to its own token. */
  @Test
  void threeShapeErrorsInOneBuild() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = {1, 28, 28}) abstract Tensor image();",
            "  @Dense(",
            "      units = 0,",
            "      activation = Activation.STEP)",
            "  abstract Tensor h(Tensor image);",
            "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor h, @Labels Tensor y);",
            "}");
    Compilation compilation = compile(src);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining("[Kiln/BadAttribute] h: @Dense(units = 0) must be at least 1")
        .inFile(src)
        .onLineContaining("units = 0");
    assertThat(compilation)
        .hadErrorContaining(
            "[Kiln/ShapeMismatch] h: @Dense needs [B, n] but image is [B, 1, 28, 28]; insert @Flatten abstract Tensor flat(Tensor image) and read it")
        .inFile(src)
        .onLineContaining("@Dense(");
    assertThat(compilation)
        .hadErrorContaining(
            "[Kiln/StepActivation] h: activation = STEP has no gradient, but 'loss' reads it; STEP may only feed @Loss(PERCEPTRON), use SIGMOID or RELU here")
        .inFile(src)
        .onLineContaining("activation = Activation.STEP");
    assertThat(compilation).hadErrorCount(3);
  }

  /**
   * One mistake per stage in one build: a node with a body (parse), a misspelt name (IR) and a pool
   * window larger than its input (shapes). Each is reported once, on its own line, and none of the
   * nodes downstream of them (flat, out, d, loss) is reported again.
   */
  @Test
  void parseIrAndShapeErrorsInOneBuildWithoutCascades() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = {1, 8, 8}) abstract Tensor image();",
            "  @Conv(filters = 4, kernel = 3)",
            "  Tensor c(Tensor image) { return null; }",
            "  @Flatten abstract Tensor flat(Tensor c);",
            "  @Dense(units = 4) abstract Tensor h(Tensor imgae);",
            "  @Dense(units = 2) abstract Tensor out(Tensor h);",
            "  @MaxPool(",
            "      size = 9)",
            "  abstract Tensor p(Tensor image);",
            "  @Dropout(rate = 0.5) abstract Tensor d(Tensor p);",
            "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor label);",
            "}");
    Compilation compilation = compile(src);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining("[Kiln/NodeDeclaration] c: @Conv node must be abstract; Kiln writes its implementation, remove the body")
        .inFile(src)
        .onLineContaining("Tensor c(Tensor image) {");
    assertThat(compilation)
        .hadErrorContaining("[Kiln/UnknownNode] h: parameter 'imgae' names no node; did you mean 'image'?")
        .inFile(src)
        .onLineContaining("Tensor imgae");
    assertThat(compilation)
        .hadErrorContaining(
            "[Kiln/ShapeMismatch] p: @MaxPool(size = 9) window is larger than image [B, 1, 8, 8], so the output would be empty; use a smaller size or pool earlier")
        .inFile(src)
        .onLineContaining("size = 9");
    assertThat(compilation).hadErrorCount(3);
    // Unused-node warnings are whole-graph findings: not made on a graph with broken nodes.
    assertThat(compilation).hadWarningCount(0);
  }

  /**
   * Class-level mistakes (type parameters, maxBatch) with a cycle and a bad attribute: four
   * independent errors; the loss, downstream of the bad layer, is not reported.
   */
  @Test
  void classGraphAndAttributeErrorsInOneBuild() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model(",
            "    maxBatch = 0)",
            "abstract class Net<T> {",
            "  @Input(shape = 4) abstract Tensor x();",
            "  @Dense(units = 3) abstract Tensor a(Tensor b);",
            "  @Dense(units = 5) abstract Tensor b(Tensor a);",
            "  @Dense(",
            "      units = -1)",
            "  abstract Tensor h(Tensor x);",
            "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor h, @Labels Tensor y);",
            "}");
    Compilation compilation = compile(src);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining("[Kiln/ModelDeclaration] @Model class Net has type parameters; a model's shapes must be fixed, remove them")
        .inFile(src)
        .onLineContaining("class Net<T>");
    assertThat(compilation)
        .hadErrorContaining("[Kiln/BadAttribute] @Model(maxBatch = 0) on Net must be at least 1")
        .inFile(src)
        .onLineContaining("maxBatch = 0");
    assertThat(compilation)
        .hadErrorContaining("[Kiln/Cycle] a: nodes read each other in a cycle (a -> b -> a)")
        .inFile(src)
        .onLineContaining("Tensor a(Tensor b)");
    assertThat(compilation)
        .hadErrorContaining("[Kiln/BadAttribute] h: @Dense(units = -1) must be at least 1")
        .inFile(src)
        .onLineContaining("units = -1");
    assertThat(compilation).hadErrorCount(4);
  }

  /**
   * An @Input the parser rejects (it returns float[]) is still an @Input: no "has no @Input", and
   * its reader h is not "names no node". A second input's chain is checked meanwhile: its @Dense
   * over a matrix (shapes) and its loss without labels (IR) are both reported.
   */
  @Test
  void rejectedInputIsNotMissingAndOtherChainsAreStillChecked() {
    JavaFileObject src =
        source(
            "test.Net",
            "@Model",
            "abstract class Net {",
            "  @Input(shape = 4) abstract float[] x();",
            "  @Dense(units = 3) abstract Tensor h(Tensor x);",
            "  @Input(shape = {2, 5}) abstract Tensor y();",
            "  @Dense(units = 3) abstract Tensor g(Tensor y);",
            "  @Dense(units = 2) abstract Tensor k(Tensor g);",
            "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor k);",
            "}");
    Compilation compilation = compile(src);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining("[Kiln/NodeDeclaration] x: a node returns Tensor but this returns float[]; declare it as abstract Tensor x(...)")
        .inFile(src)
        .onLineContaining("float[] x()");
    assertThat(compilation)
        .hadErrorContaining(
            "[Kiln/ShapeMismatch] g: @Dense needs [B, n] but y is [B, 2, 5]; insert @Flatten abstract Tensor flat(Tensor y) and read it")
        .inFile(src)
        .onLineContaining("Tensor g(Tensor y)");
    assertThat(compilation)
        .hadErrorContaining("[Kiln/Labels] loss: @Loss(MEAN_SQUARED_ERROR) needs a labels parameter; add @Labels Tensor label")
        .inFile(src)
        .onLineContaining("Tensor loss(Tensor k)");
    assertThat(compilation).hadErrorCount(3);
    assertThat(compilation).hadWarningCount(0);
  }

  /**
   * A bad and a good model in one file: the good one's class is still written (and usable from the
   * same build), the bad one gets none.
   */
  @Test
  void badModelDoesNotStopGoodModelInSameFile(@TempDir Path out) throws IOException {
    JavaFileObject src =
        source(
            "test.Models",
            "final class Models {",
            "  @Model",
            "  abstract static class Good {",
            "    @Input(shape = 2) abstract Tensor x();",
            "    @Dense(units = 1) abstract Tensor y(Tensor x);",
            "  }",
            "",
            "  @Model",
            "  abstract static class Bad {",
            "    @Input(shape = 2) abstract Tensor x();",
            "    @Dense(units = 1) abstract Tensor y(Tensor xs);",
            "  }",
            "",
            "  static float firstOutput() {",
            "    return KilnModels_Good.create(1).forward(new float[] {1, 2}).get(0, 0);",
            "  }",
            "}");
    Compilation compilation = compile(src);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining("[Kiln/UnknownNode] y: parameter 'xs' names no node; did you mean 'x'?")
        .inFile(src)
        .onLineContaining("Tensor xs");
    // The only error: the reference to KilnModels_Good resolved, so its class was generated.
    assertThat(compilation).hadErrorCount(1);

    // compile-testing hides generated files once a compilation failed: list them with plain javac.
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    JavaCompiler.CompilationTask task =
        javac.getTask(
            null,
            null,
            diagnostic -> {},
            List.of("-d", out.toString(), "-s", out.toString(), "-cp", System.getProperty("java.class.path")),
            null,
            List.of(src));
    task.setProcessors(List.of(new KilnProcessor()));
    assertThat(task.call()).isFalse();
    try (Stream<Path> files = Files.walk(out)) {
      assertThat(files.filter(f -> f.toString().endsWith(".java")).map(f -> out.relativize(f).toString()).toList())
          .containsExactly("test/KilnModels_Good.java");
    }
  }
}
