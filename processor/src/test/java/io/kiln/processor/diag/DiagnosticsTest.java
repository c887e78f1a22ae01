package io.kiln.processor.diag;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DiagnosticsTest {

  @Test
  void errorIdCodesAreUniqueAndWellFormed() {
    Set<String> codes = new HashSet<>();
    for (ErrorId id : ErrorId.values()) {
      assertWithMessage("%s", id).that(id.code()).matches("Kiln/[A-Z][A-Za-z]+");
      assertWithMessage("duplicate %s", id.code()).that(codes.add(id.code())).isTrue();
      // the code is the enum constant in UpperCamelCase: SHAPE_MISMATCH <-> Kiln/ShapeMismatch
      assertThat(id.code().substring(5).replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase()).isEqualTo(id.name());
    }
  }

  @Test
  void reportKeepsEveryFindingInOrderAndOnlyErrorsStopGeneration() {
    Report report = new Report();
    report.warning(ErrorId.UNUSED_NODE, new SourceRef(3), "w");
    assertThat(report.hasErrors()).isFalse();
    report.error(ErrorId.ARITY, new SourceRef(4), "e1");
    report.error(ErrorId.BAD_ATTRIBUTE, new SourceRef(5), "units", "e2");
    assertThat(report.hasErrors()).isTrue();
    List<Diagnostic> all = report.diagnostics();
    assertThat(all.stream().map(Diagnostic::message).toList()).containsExactly("w", "e1", "e2").inOrder();
    assertThat(all.get(2).attribute()).isEqualTo("units");
    assertThat(all.get(1).attribute()).isNull();
    assertThat(all.get(1).text()).isEqualTo("[Kiln/Arity] e1");
    assertThat(all.get(0).severity()).isEqualTo(Diagnostic.Severity.WARNING);
  }

  /**
   * Every message text is printed by some pass (or by the processor itself): a message nobody
   * uses is a check that was forgotten. Scans the processor's main sources, found relative to the
   * module directory Maven runs tests in.
   */
  @Test
  void everyMessageIsUsedBySomePass() throws IOException {
    Path main = Path.of("src/main/java/io/kiln/processor");
    if (!Files.isDirectory(main)) {
      main = Path.of("processor/src/main/java/io/kiln/processor");
    }
    assertWithMessage("sources at %s", main.toAbsolutePath()).that(Files.isDirectory(main)).isTrue();
    String sources;
    try (Stream<Path> files = Files.walk(main)) {
      sources = files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("Messages.java"))
          .map(p -> {
            try {
              return Files.readString(p);
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          })
          .collect(Collectors.joining("\n"));
    }
    Set<String> unused = new java.util.TreeSet<>();
    for (Method m : Messages.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && !sources.contains("Messages." + m.getName() + "(")) {
        unused.add(m.getName());
      }
    }
    assertWithMessage("Messages methods no pass calls").that(unused).isEmpty();
  }

  /**
   * docs/errors.md catalogues every id with a section of its own (a bad example, the message and the
   * fix): adding an id without documenting it fails here. And it names no id that does not exist.
   */
  @Test
  void everyErrorIdIsCataloguedInDocsErrorsMd() throws IOException {
    Path doc = Path.of("../docs/errors.md");
    if (!Files.exists(doc)) {
      doc = Path.of("docs/errors.md");
    }
    assertWithMessage("catalogue at %s", doc.toAbsolutePath()).that(Files.exists(doc)).isTrue();
    String text = Files.readString(doc);
    Set<String> codes = new java.util.TreeSet<>();
    for (ErrorId id : ErrorId.values()) {
      codes.add(id.code());
      assertWithMessage("docs/errors.md has no section '## %s'", id.code()).that(text).contains("\n## " + id.code() + "\n");
    }
    java.util.regex.Matcher mentioned = java.util.regex.Pattern.compile("Kiln/[A-Z][A-Za-z]+").matcher(text);
    while (mentioned.find()) {
      assertWithMessage("docs/errors.md mentions an id that does not exist").that(codes).contains(mentioned.group());
    }
  }
}
