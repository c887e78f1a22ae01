package io.kiln.tests.compile;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln needs nothing from Maven: plain {@code javac -processorpath ... -cp ...}, as an IDE or Gradle
 * runs it, writes and compiles the generated class, and reports a mistake as {@code file:line: error:
 * [Kiln/...]}. Runs the {@code javac} of the JDK running the tests, on jars (or class directories)
 * taken from the test classpath.
 */
class JavacCommandLineTest {

  private static final String[] CLASSPATH = System.getProperty("java.class.path").split(File.pathSeparator);

  /** The classpath entry of a module: its jar in the local repository or its classes in the reactor. */
  private static String entry(String artifact, String module) {
    for (String e : CLASSPATH) {
      String unix = e.replace('\\', '/');
      if (unix.contains("/" + artifact + "-") && unix.endsWith(".jar") || unix.endsWith("/" + module + "/target/classes")) {
        return e;
      }
    }
    throw new AssertionError(artifact + " is not on the test classpath: " + Arrays.toString(CLASSPATH));
  }

  private static String path(String... entries) {
    return String.join(File.pathSeparator, entries);
  }

  private static String tool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }

  private record Result(int exit, String output) {}

  private static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    assertWithMessage("%s timed out", command).that(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), new String(out));
  }

  private static Path write(Path root, String relative, String... lines) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, List.of(lines));
    return file;
  }

  private static List<String> javac(Path out, Path generated, Path... sources) {
    String dsl = entry("kiln-dsl", "dsl-annotations");
    List<String> command = new ArrayList<>(List.of(
        tool("javac"),
        "-processorpath", path(entry("kiln-processor", "processor"), entry("javapoet", "-none-"), dsl),
        "-cp", path(dsl, entry("kiln-runtime", "runtime")),
        "-d", out.toString(),
        "-s", generated.toString()));
    for (Path s : sources) {
      command.add(s.toString());
    }
    return command;
  }

  @Test
  void plainJavacGeneratesAndCompilesTheModelClass(@TempDir Path dir) throws Exception {
    Path model = write(dir, "src/demo/Tiny.java",
        "package demo;",
        "",
        "import io.kiln.dsl.*;",
        "",
        "@Model(maxBatch = 2)",
        "abstract class Tiny {",
        "  @Input(shape = 2) abstract Tensor x();",
        "  @Dense(units = 3, activation = Activation.TANH) abstract Tensor h(Tensor x);",
        "  @Dense(units = 1) abstract Tensor y(Tensor h);",
        "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor y, @Labels Tensor target);",
        "}");
    Path app = write(dir, "src/demo/App.java",
        "package demo;",
        "",
        "public final class App {",
        "  public static void main(String[] args) {",
        "    KilnTiny net = KilnTiny.create(7);",
        "    float[] out = net.predict(new float[] {1, 2, 3, 4});",
        "    System.out.println(\"outputs \" + out.length);",
        "  }",
        "}");
    Path out = Files.createDirectories(dir.resolve("classes"));
    Path generated = Files.createDirectories(dir.resolve("generated"));

    Result compiled = run(dir, javac(out, generated, model, app));
    assertWithMessage("javac output:\n%s", compiled.output()).that(compiled.exit()).isEqualTo(0);
    assertThat(compiled.output()).doesNotContain("Kiln/");
    assertThat(Files.exists(generated.resolve("demo/KilnTiny.java"))).isTrue();
    assertThat(Files.exists(out.resolve("demo/KilnTiny.class"))).isTrue();

    // And it runs with only the DSL and the runtime (scalar kernels without --add-modules).
    Result ran = run(dir, List.of(tool("java"), "-cp",
        path(out.toString(), entry("kiln-dsl", "dsl-annotations"), entry("kiln-runtime", "runtime")), "demo.App"));
    assertWithMessage("java output:\n%s", ran.output()).that(ran.exit()).isEqualTo(0);
    assertThat(ran.output()).contains("outputs 2");
  }

  @Test
  void plainJavacReportsAMistakeWithFileAndLine(@TempDir Path dir) throws Exception {
    Path model = write(dir, "src/demo/Broken.java",
        "package demo;",
        "",
        "import io.kiln.dsl.*;",
        "",
        "@Model",
        "abstract class Broken {",
        "  @Input(shape = 2) abstract Tensor x();",
        "  @Dense(units = 1) abstract Tensor y(Tensor xs);",
        "}");
    Path out = Files.createDirectories(dir.resolve("classes"));
    Path generated = Files.createDirectories(dir.resolve("generated"));

    Result compiled = run(dir, javac(out, generated, model));
    assertWithMessage("javac output:\n%s", compiled.output()).that(compiled.exit()).isEqualTo(1);
    assertThat(compiled.output())
        .contains(model + ":8: error: [Kiln/UnknownNode] y: parameter 'xs' names no node; did you mean 'x'?");
    assertThat(compiled.output()).contains("1 error");
    assertThat(Files.exists(generated.resolve("demo/KilnBroken.java"))).isFalse();
  }
}
