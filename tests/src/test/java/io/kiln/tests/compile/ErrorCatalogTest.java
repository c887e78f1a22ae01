package io.kiln.tests.compile;

import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.kiln.processor.KilnProcessor;
import io.kiln.processor.diag.ErrorId;
import io.kiln.tests.compile.ErrorCatalog.Example;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/errors.md is checked, not just written: every worked example compiles with the Kiln processor
 * to exactly the diagnostics it shows (text, kind and line), and its fixed version compiles without
 * them, either cleanly or with only the different, later diagnostic the section shows. Each test
 * fails once, listing every section that does not hold.
 */
class ErrorCatalogTest {
  /** The examples are files after this import; their line numbers count from the line after it. */
  private static final String IMPORT = "import io.kiln.dsl.*;\n";
  private static final Pattern TOP_LEVEL_TYPE =
      Pattern.compile("^(?:(?:public|abstract|final|static)\\s+)*(?:class|interface|enum|record)\\s+(\\w+)", Pattern.MULTILINE);

  private static List<Example> examples;
  private static List<String> malformed;

  @BeforeAll
  static void readCatalogue() throws IOException {
    Path doc = Path.of("../docs/errors.md");
    if (!Files.exists(doc)) {
      doc = Path.of("docs/errors.md");
    }
    assertWithMessage("catalogue at %s", doc.toAbsolutePath()).that(Files.exists(doc)).isTrue();
    malformed = new ArrayList<>();
    examples = ErrorCatalog.parse(Files.readString(doc), malformed);
  }

  @Test
  void everySectionHasAMistakeItsDiagnosticsAndAFix() {
    assertWithMessage("sections of docs/errors.md not in the documented form").that(malformed).isEmpty();
  }

  @Test
  void everyIdButInternalHasACheckedExample() {
    Set<String> missing = new TreeSet<>();
    for (ErrorId id : ErrorId.values()) {
      if (id != ErrorId.INTERNAL && examples.stream().noneMatch(e -> e.id().equals(id.code()))) {
        missing.add(id.code());
      }
    }
    assertWithMessage("ids without a worked example in docs/errors.md").that(missing).isEmpty();
  }

  @Test
  void everyMistakePrintsExactlyWhatTheCatalogueShows() {
    List<String> mismatches = new ArrayList<>();
    for (Example e : examples) {
      if (e.badPrints().stream().noneMatch(line -> line.contains("[" + e.id() + "] "))) {
        mismatches.add(e.where() + ": the shown diagnostics do not include its own id " + e.id());
      }
      compare(e.where() + " (mistake)", printed(e.bad()), e.badPrints(), mismatches);
    }
    failListing("docs/errors.md examples whose diagnostics differ from what javac prints", mismatches);
  }

  /**
   * Every message reads "node: what is wrong; how to fix it", and a message comparing two operands
   * names two different ones (it once said "image is [B, 1, 4, 4] and image is [B, 1, 4, 4]").
   */
  @Test
  void everyShownMessageGivesAFixAndNamesEachOperandOnce() {
    Pattern sameOperandTwice = Pattern.compile("\\b([\\w.]+) (?:is )?\\[[^\\]]*\\] and \\1 (?:is )?\\[");
    List<String> mismatches = new ArrayList<>();
    for (Example e : examples) {
      for (String line : e.badPrints()) {
        String text = message(line);
        if (!text.contains("; ")) {
          mismatches.add(e.where() + ": no fix after '; ' in " + text);
        }
        if (sameOperandTwice.matcher(text).find()) {
          mismatches.add(e.where() + ": names one operand twice in " + text);
        }
      }
    }
    failListing("docs/errors.md messages without a fix or with an operand named twice", mismatches);
  }

  @Test
  void everyFixCompilesOrMovesOnToADifferentDiagnostic() {
    List<String> mismatches = new ArrayList<>();
    for (Example e : examples) {
      List<String> fixedPrints = printed(e.fixed());
      compare(e.where() + " (fixed)", fixedPrints, e.fixedPrints(), mismatches);
      for (String bad : e.badPrints()) {
        if (fixedPrints.stream().anyMatch(fixed -> message(fixed).equals(message(bad)))) {
          mismatches.add(e.where() + " (fixed): still prints " + message(bad));
        }
      }
    }
    failListing("docs/errors.md fixes that do not compile as the section says", mismatches);
  }

  private static void failListing(String what, List<String> mismatches) {
    if (!mismatches.isEmpty()) {
      fail(what + " (" + mismatches.size() + "):\n  " + String.join("\n  ", mismatches));
    }
  }

  private static void compare(String where, List<String> actual, List<String> expected, List<String> mismatches) {
    if (!actual.equals(expected)) {
      mismatches.add(where + ":\n      shown:   " + String.join("\n               ", expected.isEmpty() ? List.of("(nothing)") : expected)
          + "\n      printed: " + String.join("\n               ", actual.isEmpty() ? List.of("(nothing)") : actual));
    }
  }

  /**
   * What javac prints for {@code snippet}, one line per diagnostic as the catalogue shows it: every
   * error (javac's own too, so an example that is not valid Java fails) and Kiln's warnings.
   */
  private static List<String> printed(String snippet) {
    Matcher type = TOP_LEVEL_TYPE.matcher(snippet);
    if (!type.find()) {
      return List.of("(no top-level class in the example)");
    }
    String file = type.group(1) + ".java";
    JavaFileObject source = JavaFileObjects.forSourceString(type.group(1), IMPORT + snippet);
    Compilation c = Compiler.javac().withProcessors(new KilnProcessor()).compile(source);
    List<String> lines = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : c.diagnostics()) {
      String text = d.getMessage(Locale.ROOT);
      boolean error = d.getKind() == Diagnostic.Kind.ERROR;
      if (error || text.startsWith("[Kiln/")) {
        lines.add(file + ":" + (d.getLineNumber() - 1) + ": " + (error ? "error" : "warning") + ": " + text.lines().findFirst().orElse(""));
      }
    }
    return lines;
  }

  /** A printed line without its file and line number: the same message moved to another line is still not fixed. */
  private static String message(String printed) {
    int at = printed.indexOf(": ");
    return at < 0 ? printed : printed.substring(printed.indexOf(": ", at + 2) + 2);
  }
}
