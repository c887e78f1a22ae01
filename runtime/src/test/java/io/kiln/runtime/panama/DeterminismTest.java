package io.kiln.runtime.panama;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.dsl.Activation;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same inputs give the same output bits whether the kernels run in the interpreter or as C2
 * code: activations, softmax, softmax-CE, BCE, MSE, GEMM with sigmoid/tanh epilogues and a layer
 * norm's row sums, Vector API and scalar. The JDK's lanewise EXP/TANH failed this (their C2 intrinsics differ from their Java
 * fallback in the last bit), and so did reduceLanes(ADD) (C2 sums the lanes as a tree, the
 * fallback in order), so a model's losses depended on JIT timing.
 */
class DeterminismTest {

  private static List<String> child(Path tmp, String tag, List<String> vmFlags, int warmUp) throws Exception {
    Path out = tmp.resolve(tag + ".out");
    Path err = tmp.resolve(tag + ".err");
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    cmd.add("--add-modules");
    cmd.add("jdk.incubator.vector");
    cmd.addAll(vmFlags);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DeterminismProbe.class.getName());
    cmd.add(Integer.toString(warmUp));
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertWithMessage("%s timed out", tag).that(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertWithMessage("%s: %s", tag, Files.readString(err, StandardCharsets.UTF_8)).that(p.exitValue()).isEqualTo(0);
    return Files.readAllLines(out, StandardCharsets.UTF_8);
  }

  @Test
  void interpreterAndC2GiveTheSameBits(@TempDir Path tmp) throws Exception {
    // Interpreter only: the Vector API runs its Java fallback, lane by lane.
    List<String> interpreted = child(tmp, "xint", List.of("-Xint"), 0);
    // C2 only, compiling early, and many rounds so the printed one runs compiled code.
    List<String> compiled = child(tmp, "c2", List.of("-XX:-TieredCompilation", "-XX:CompileThreshold=200",
        "-XX:-BackgroundCompilation"), 30);
    // both providers: each activation, 4 losses; 2 GEMMs; a layer norm's statistics and ∂u
    assertThat(interpreted).hasSize(2 * (Activation.values().length + 4) + 2 * 2 + 2);
    assertThat(compiled).containsExactlyElementsIn(interpreted).inOrder();
  }
}
