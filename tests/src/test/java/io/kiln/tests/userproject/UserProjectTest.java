package io.kiln.tests.userproject;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds {@code tests/user-project}, a separate Maven project that uses Kiln exactly as the README
 * says (dependencies plus an annotation processor path, nothing else), against the artifacts the
 * surrounding {@code install} has put in the local repository; then runs it: it declares its own
 * model, trains, saves, loads and predicts.
 */
class UserProjectTest {
  @TempDir Path work;

  @Test
  void aUsersProjectCompilesTrainsAndPredicts() throws Exception {
    Path root = Path.of(System.getProperty("kiln.repoRoot"));
    Path project = work.resolve("user-project");
    copy(root.resolve("tests/user-project"), project);
    String javaHome = System.getProperty("java.home");

    List<String> build = maven(root, project, "package");
    Result built = run(build, project, javaHome, 600);
    assertWithMessage("user project build failed:\n%s", built.output).that(built.exit).isEqualTo(0);
    assertThat(Files.exists(project.resolve("target/generated-sources/annotations/com/example/KilnRingClassifier.java"))).isTrue();

    // Runs the app as the README says: mvn compile exec:exec (the exec plugin set up in its pom).
    Result ran = run(maven(root, project, "compile", "exec:exec"), project, javaHome, 300);
    assertWithMessage("user program failed:\n%s", ran.output).that(ran.exit).isEqualTo(0);
    assertThat(ran.output).contains("trained: loss");
    assertThat(ran.output).contains("center inside: true, corner inside: false");
    assertWithMessage("the app ran on the scalar kernels: --add-modules did not reach it\n%s", ran.output)
        .that(ran.output).doesNotContain("kernels run scalar");
  }

  private static List<String> maven(Path root, Path project, String... goals) {
    List<String> command = new ArrayList<>(List.of(root.resolve(isWindows() ? "mvnw.cmd" : "mvnw").toString(),
        "-B", "-q", "-ntp", "-f", project.resolve("pom.xml").toString(),
        "-Dkiln.version=" + System.getProperty("kiln.version")));
    command.addAll(List.of(goals));
    String repo = System.getProperty("maven.repo.local");
    if (repo != null && !repo.isBlank()) {
      command.add("-Dmaven.repo.local=" + repo);
    }
    return command;
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command, Path dir, String javaHome, int seconds) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", javaHome);
    Path log = Files.createTempFile(dir, "log", ".txt");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command.get(0) + " did not finish in " + seconds + " s:\n" + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.toString().contains(File.separator + "target")) {
          continue;
        }
        Path dest = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static boolean isWindows() {
    return System.getProperty("os.name").toLowerCase().startsWith("win");
  }
}
