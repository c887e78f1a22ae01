package io.kiln.runtime.simd;

import static com.google.common.truth.Truth.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Lucene-style choice of kernels: Vector API with the module, scalar plus one warning without. */
class FallbackTest {

  @Test
  void inProcessTheVectorKernelsAreChosen() {
    // Surefire starts this JVM with --add-modules jdk.incubator.vector.
    assertThat(Vectorization.provider().name()).startsWith("panama");
    // One provider serves every family: none may fall back to scalar on its own.
    for (String family : FallbackProbe.families(Vectorization.provider()).split(" ")) {
      assertThat(family).startsWith("io.kiln.runtime.panama.");
    }
  }

  @Test
  void withoutTheModuleAChildJvmRunsScalarAndWarnsOnce(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    cmd.add("-Xshare:auto");
    cmd.add("-XX:TieredStopAtLevel=1"); // the probe is tiny; start fast
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(FallbackProbe.class.getName());
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(0);

    List<String> lines = stdout.lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo("scalar");
    assertThat(lines.get(1)).isEqualTo(lines.get(2)); // chosen provider == scalar twins
    assertThat(lines.get(1)).startsWith("[5.0, 0.0, 0.0, 7.0] ");
    assertThat(lines.get(1)).endsWith(" [19.0, 22.0, 43.0, 50.0] [0.0, 0.5, 2.0] [3.0, 5.0, 7.0] [4.0]");
    for (String family : lines.get(3).split(" ")) {
      assertThat(family).startsWith("io.kiln.runtime.simd.");
    }

    long warnings = stderr.lines().filter(l -> l.contains("--add-modules jdk.incubator.vector")).count();
    assertThat(warnings).isEqualTo(1);
  }
}
