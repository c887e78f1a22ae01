package io.kiln.tests.compile;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.kiln.tests.compile.DiagnosticsTest.source;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import io.kiln.processor.KilnProcessor;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * An unexpected exception in the processor never crashes javac: it becomes one
 * {@code [Kiln/Internal]} error on the model, with the stack trace to report, and the other models
 * of the build are still generated. The crash is provoked with the test-only option
 * {@code -Akiln.debug.crash=<model name>}.
 */
class InternalErrorTest {

  private static final String INTERNAL = "[Kiln/Internal] internal error while compiling @Model Bad; please report it with this trace:";

  private static JavaFileObject bad(String... extra) {
    String[] lines = new String[5 + extra.length];
    lines[0] = "@Model";
    lines[1] = "abstract class Bad {";
    lines[2] = "  @Input(shape = 2) abstract Tensor x();";
    lines[3] = "  @Dense(units = 1) abstract Tensor y(Tensor x);";
    System.arraycopy(extra, 0, lines, 4, extra.length);
    lines[lines.length - 1] = "}";
    return source("test.Bad", lines);
  }

  private static JavaFileObject good() {
    return source(
        "test.Good",
        "@Model",
        "abstract class Good {",
        "  @Input(shape = 2) abstract Tensor x();",
        "  @Dense(units = 1) abstract Tensor y(Tensor x);",
        "}");
  }

  /** Uses the generated KilnGood: if it were not written, this would not compile. */
  private static JavaFileObject user() {
    return source(
        "test.User",
        "final class User {",
        "  static float first() {",
        "    return KilnGood.create(1).forward(new float[] {1, 2}).get(0, 0);",
        "  }",
        "}");
  }

  private static Compilation compileCrashing(String model, JavaFileObject... sources) {
    return Compiler.javac().withProcessors(new KilnProcessor()).withOptions("-Akiln.debug.crash=" + model).compile(sources);
  }

  @Test
  void crashBecomesOneInternalErrorWithTraceAndOtherModelsStillGenerate() {
    JavaFileObject bad = bad();
    Compilation compilation = compileCrashing("Bad", bad, good(), user());
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining(INTERNAL).inFile(bad).onLineContaining("abstract class Bad");
    // The only error: KilnGood was written and User compiled against it.
    assertThat(compilation).hadErrorCount(1);
    // The option is declared (@SupportedOptions): javac does not warn that nobody recognized it.
    assertThat(compilation).hadWarningCount(0);
    String message = compilation.errors().get(0).getMessage(null);
    assertThat(message).contains("java.lang.IllegalStateException: -Akiln.debug.crash=Bad (a test-only crash)");
    assertThat(message).contains("\tat io.kiln.processor.KilnProcessor.compile(");
    assertThat(message.lines().count()).isGreaterThan(3L);
  }

  /** The qualified name selects the model too. */
  @Test
  void qualifiedNameSelectsTheModel() {
    Compilation compilation = compileCrashing("test.Bad", bad(), good());
    assertThat(compilation).hadErrorContaining(INTERNAL);
    assertThat(compilation).hadErrorCount(1);
  }

  /** What the passes found before the crash is still reported, then the internal error. */
  @Test
  void errorsFoundBeforeTheCrashAreStillReported() {
    JavaFileObject bad = bad("  abstract Tensor forgot(Tensor x);");
    Compilation compilation = compileCrashing("Bad", bad);
    assertThat(compilation)
        .hadErrorContaining("[Kiln/NoLayer] forgot: abstract method has no layer annotation")
        .inFile(bad)
        .onLineContaining("Tensor forgot(");
    assertThat(compilation).hadErrorContaining(INTERNAL);
    assertThat(compilation).hadErrorCount(2);
    assertThat(compilation.errors().stream().map(d -> d.getKind()).distinct().toList()).containsExactly(Diagnostic.Kind.ERROR);
  }

  /** Without the option nothing crashes: the same sources compile. */
  @Test
  void withoutTheOptionTheSameSourcesCompile() {
    Compilation compilation = Compiler.javac().withProcessors(new KilnProcessor()).compile(bad(), good(), user());
    assertThat(compilation).succeededWithoutWarnings();
  }
}
