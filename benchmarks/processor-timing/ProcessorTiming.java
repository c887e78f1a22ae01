import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.annotation.processing.Processor;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Warm javac timings of the samples, in this JVM: each source compiled {@code rounds} times with
 * {@code -proc:none} and with Kiln's processor (which then also compiles the class it writes),
 * after {@code warmup} rounds of each. Prints min and median per sample; the processor's share
 * is the difference. Run by benchmarks/processor-timing/run.sh, which passes the class path.
 *
 * <p>Usage: {@code java -cp <kiln-processor.jar:javapoet.jar:kiln-dsl.jar> ProcessorTiming.java <classpath> <warmup> <rounds> <name=File.java>...}
 */
public final class ProcessorTiming {
  public static void main(String[] args) throws Exception {
    String classpath = args[0];
    int warmup = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    System.out.printf(Locale.ROOT, "%-11s %12s %12s %12s %12s %12s%n", "sample", "none min", "none median", "kiln min", "kiln median",
        "share (med)");
    for (String spec : Arrays.copyOfRange(args, 3, args.length)) {
      String name = spec.substring(0, spec.indexOf('='));
      File source = new File(spec.substring(spec.indexOf('=') + 1));
      for (int i = 0; i < warmup; i++) {
        compile(javac, classpath, source, false);
        compile(javac, classpath, source, true);
      }
      long[] none = new long[rounds];
      long[] kiln = new long[rounds];
      for (int i = 0; i < rounds; i++) { // interleaved, so load from other users hits both alike
        none[i] = compile(javac, classpath, source, false);
        kiln[i] = compile(javac, classpath, source, true);
      }
      Arrays.sort(none);
      Arrays.sort(kiln);
      System.out.printf(Locale.ROOT, "%-11s %10.0f ms %10.0f ms %10.0f ms %10.0f ms %10.0f ms%n", name, none[0] / 1e6, none[rounds / 2] / 1e6,
          kiln[0] / 1e6, kiln[rounds / 2] / 1e6, (kiln[rounds / 2] - none[rounds / 2]) / 1e6);
    }
  }

  /** One javac run into a fresh folder; returns its nanoseconds, failing on any error. */
  private static long compile(JavaCompiler javac, String classpath, File source, boolean kiln) throws IOException, ReflectiveOperationException {
    Path out = Files.createTempDirectory("kiln-timing");
    try {
      List<String> options = new ArrayList<>(List.of("-d", out.toString(), "-s", out.toString(), "-cp", classpath,
          "--add-modules", "jdk.incubator.vector", "-XDsuppressNotes", "-nowarn"));
      if (!kiln) {
        options.add("-proc:none");
      }
      DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
      long start = System.nanoTime();
      try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
        JavaCompiler.CompilationTask task = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(source));
        if (kiln) {
          // The processor's classes stay loaded and compiled by the JIT across rounds: this is its warm cost.
          task.setProcessors(List.of((Processor) Class.forName("io.kiln.processor.KilnProcessor").getConstructor().newInstance()));
        }
        if (!task.call()) {
          throw new IllegalStateException(source + ": " + diagnostics.getDiagnostics());
        }
      }
      long took = System.nanoTime() - start;
      if (kiln && !diagnostics.getDiagnostics().isEmpty()) {
        throw new IllegalStateException(source + " compiled with diagnostics: " + diagnostics.getDiagnostics());
      }
      return took;
    } finally {
      try (var walk = Files.walk(out)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
