package io.kiln.processor.family;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps what the processor knows about a layer kind in its family's package: the passes iterate
 * over definitions and writers, so adding a kind touches the annotation, {@code Layer}, the
 * registry and the family, not every pass.
 */
class FamilyBoundariesTest {
  private static final Path SOURCES = Path.of("src/main/java/io/kiln/processor");

  /** The passes that once switched over layer kinds, calls or backward steps. */
  private static final List<String> PASSES = List.of(
      "shape/ShapeInference.java",
      "grad/BackwardDerivation.java",
      "fuse/Fusion.java",
      "fuse/ForwardLowering.java",
      "fuse/BackwardLowering.java",
      "emit/ForwardPass.java",
      "emit/BackwardPass.java",
      "emit/Declarations.java",
      "ir/Node.java");

  /** A specific kind: a Layer record, a forward or backward call, or a backward step. */
  private static final Pattern KIND = Pattern.compile("\\b(Layer|ForwardCall|BackwardCall|BackwardOp)\\.[A-Z]\\w*");

  @Test
  void noPassNamesASpecificLayerKind() throws IOException {
    List<String> mentions = new ArrayList<>();
    for (String pass : PASSES) {
      Path file = SOURCES.resolve(pass);
      assertThat(Files.exists(file)).isTrue();
      Matcher m = KIND.matcher(Files.readString(file));
      while (m.find()) {
        mentions.add(pass + ": " + m.group());
      }
    }
    assertThat(mentions).isEmpty();
  }

  @Test
  void everyFamilyPackageHoldsItsDefinitions() throws IOException {
    try (Stream<Path> families = Files.list(SOURCES.resolve("family"))) {
      List<Path> packages = families.filter(Files::isDirectory).toList();
      assertThat(packages).isNotEmpty();
      for (Path family : packages) {
        try (Stream<Path> files = Files.list(family)) {
          assertWithMessage(family.toString()).that(files.anyMatch(f -> f.getFileName().toString().endsWith("Family.java"))).isTrue();
        }
      }
    }
  }

  @Test
  void noProcessorSourceFileIsOver600Lines() throws IOException {
    List<String> tooLong = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        long lines = Files.readAllLines(f).size();
        if (lines > 600) {
          tooLong.add(SOURCES.relativize(f) + " has " + lines + " lines");
        }
      }
    }
    assertThat(tooLong).isEmpty();
  }
}
