package io.kiln.tests.onnx;

import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every exported file passes ONNX's own checker with shape inference ({@code
 * onnx.checker.check_model(model, full_check=True)}), run by Debian's {@code python3} with the
 * {@code python3-onnx} package. Skipped, saying so, where that package is absent.
 */
class OnnxCheckerTest {
  /** Debian's interpreter: a pyenv or venv python earlier on PATH usually lacks the system's onnx. */
  private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

  private static final String CHECK = String.join("\n",
      "import sys, onnx",
      "for path in sys.argv[1:]:",
      "    model = onnx.load(path)",
      "    onnx.checker.check_model(model, full_check=True)",
      "    assert model.opset_import[0].version >= 17, path",
      "print('checked', len(sys.argv) - 1)");

  @TempDir
  Path dir;

  @Test
  void everyExportPassesTheOnnxChecker() throws Exception {
    assumeTrue(run(List.of(PYTHON, "-c", "import onnx")).exit() == 0,
        "python3-onnx is not installed (Debian: apt-get install python3-onnx); the ONNX checker test is skipped");
    List<String> command = new ArrayList<>(List.of(PYTHON, "-c", CHECK));
    for (ExportedModels.Case c : ExportedModels.all().toList()) {
      Path file = dir.resolve(c.name() + ".onnx");
      ExportedModels.perturbed(c).exportOnnx(file);
      command.add(file.toString());
    }
    Outcome checked = run(command);
    assertWithMessage("onnx.checker on the exported files:\n%s", checked.output()).that(checked.exit()).isEqualTo(0);
    assertWithMessage("checker output").that(checked.output()).contains("checked " + (command.size() - 3));
  }

  private record Outcome(int exit, String output) {}

  private static Outcome run(List<String> command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Outcome(-1, "cannot start " + command.get(0) + ": " + e.getMessage());
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return new Outcome(-1, "timed out\n" + out);
    }
    return new Outcome(p.exitValue(), out);
  }
}
