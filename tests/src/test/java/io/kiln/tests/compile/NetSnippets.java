package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.kiln.processor.KilnProcessor;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;

/** A model {@code test.Net} from a few node lines, and the assertions the diagnostics suites share. */
public final class NetSnippets {
  private NetSnippets() {}

  /** {@code @Model(maxBatch = 4) abstract class Net} holding {@code lines}, after {@code import io.kiln.dsl.*;}. */
  public static JavaFileObject net(List<String> lines) {
    List<String> all = new ArrayList<>(List.of("package test;", "", "import io.kiln.dsl.*;", "", "@Model(maxBatch = 4)",
        "abstract class Net {"));
    all.addAll(lines);
    all.add("}");
    return JavaFileObjects.forSourceLines("test.Net", all);
  }

  /** Compiling {@code src} fails with exactly one error, {@code message}, on the line containing {@code token}. */
  public static void assertOnlyError(JavaFileObject src, String message, String token) {
    Compilation c = Compiler.javac().withProcessors(new KilnProcessor()).compile(src);
    assertThat(c).failed();
    assertThat(c).hadErrorContaining(message).inFile(src).onLineContaining(token);
    assertThat(c).hadErrorCount(1);
  }

  /** The model {@code test.Net} holding {@code lines} compiles, and so does the class Kiln writes for it. */
  public static void assertCompiles(List<String> lines) {
    Compilation c = Compiler.javac().withProcessors(new KilnProcessor()).compile(net(lines));
    assertThat(c).succeeded();
  }
}
