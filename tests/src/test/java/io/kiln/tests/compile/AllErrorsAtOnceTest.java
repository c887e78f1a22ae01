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
            "[Kiln/NoLayer] forgot: abstract method has no layer annotation; annotate it (@Input, @Dense, @Flatten, @Loss) or give it a body")
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
            "[Kiln/TwoLosses] mse: a second @Loss (the first is 'loss'); a model trains one objective, combine them in one @Loss")
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
