package io.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps what the processor knows about a layer kind in its family's package: the passes and the
 * emitters iterate over definitions and writers, so adding a kind touches the annotation, {@code
 * Layer}, the registry and the family, not every pass. A kind is named as {@code Layer.Dense},
 * {@code ForwardCall.DenseForward}, {@code BackwardCall.WeightGrad} or {@code BackwardOp.InputGrad};
 * the kinds are read from the sealed interfaces' declarations, so a new kind is covered without
 * editing this test.
 */
class FamilyBoundariesTest {
  /** Where kinds may be named: the families, the registry that maps kinds to them, the annotation parsing and the declarations of the kinds. */
  private static final List<String> MAY_NAME_KINDS = List.of(
      "family/", "registry/", "parse/", "fuse/ForwardCall.java", "fuse/BackwardCall.java", "grad/BackwardOp.java");

  /**
   * Files outside the families that still name a kind, each for a reason of its own. The test also
   * fails when one of them stops naming a kind, so this list only shrinks.
   */
  private static final Map<String, String> STILL_NAMING_KINDS = Map.of(
      "ir/GraphBuilder.java", "binds a @Loss's labels while building the graph from the parsed declarations",
      "shape/ConvShape.java", "convolution geometry, shared by the conv family and the input family's channels-last checks");

  private static final Map<String, String> DECLARATIONS = Map.of(
      "Layer", "parse/Layer.java",
      "ForwardCall", "fuse/ForwardCall.java",
      "BackwardCall", "fuse/BackwardCall.java",
      "BackwardOp", "grad/BackwardOp.java");

  private static final Pattern RECORD = Pattern.compile("\\brecord\\s+(\\w+)\\s*\\((?:[^()]|\\([^()]*\\))*\\)\\s*implements\\s+([\\w.,\\s]+?)\\s*\\{");

  @Test
  void noFileOutsideTheFamiliesNamesALayerKind() throws IOException {
    Map<String, Set<String>> kinds = kinds();
    Map<String, List<String>> mentions = new TreeMap<>();
    for (Path file : MainSources.all()) {
      String name = MainSources.relative(file);
      if (MAY_NAME_KINDS.stream().noneMatch(name::startsWith)) {
        List<String> found = mentions(Files.readString(file), kinds);
        if (!found.isEmpty()) {
          mentions.put(name, found);
        }
      }
    }
    assertWithMessage("files outside family/ naming a layer kind (move that knowledge into the family)")
        .that(mentions.keySet()).containsExactlyElementsIn(STILL_NAMING_KINDS.keySet());
  }

  @Test
  void theKindsAreReadFromTheirDeclarations() throws IOException {
    Map<String, Set<String>> kinds = kinds();
    assertThat(kinds.get("Layer")).containsAtLeast("Dense", "Conv", "Recurrent", "Loss");
    assertThat(kinds.get("ForwardCall")).containsAtLeast("DenseForward", "RecurrentForward", "DropoutForward");
    assertThat(kinds.get("BackwardCall")).containsAtLeast("ActivationBackward", "GeluBackward", "RecurrentBackward");
    assertThat(kinds.get("BackwardOp")).containsAtLeast("ActivationGrad", "InputGrad");
    assertThat(kinds.get("BackwardOp")).doesNotContain("Route"); // a helper record, not a step
    // every kind the registry's exhaustive switches name is found
    assertThat(kinds.get("Layer")).hasSize(cases("registry/Families.java", "Layer"));
    assertThat(kinds.get("BackwardOp")).hasSize(cases("registry/BackwardSteps.java", "BackwardOp"));
  }

  private static int cases(String file, String type) throws IOException {
    String code = MainSources.code(Files.readString(MainSources.ROOT.resolve(file)));
    return (int) Pattern.compile("\\bcase " + type + "\\.").matcher(code).results().count();
  }

  /** The fixture: a kind put back into an emitter is found; the same words in a comment, a string or a constant are not. */
  @Test
  void aKindPutBackIsFound() throws IOException {
    Map<String, Set<String>> kinds = kinds();
    String emitter = """
        package io.kiln.processor.emit;
        final class OnnxExportWriter {
          CodeBlock call(Node n) {
            // Layer.Dense in a comment is fine
            String s = "Layer.Conv";
            int arity = Layer.TWO_OR_MORE;
            return switch (n.layer()) {
              case Layer.Dense d -> dense(d);
              default -> null;
            };
          }
          boolean inPlace(BackwardCall c) {
            return c instanceof BackwardCall.GeluBackward || c instanceof ForwardCall.RecurrentForward;
          }
        }
        """;
    assertThat(mentions(emitter, kinds)).containsExactly("Layer.Dense", "BackwardCall.GeluBackward", "ForwardCall.RecurrentForward");
    assertThat(mentions(emitter.replace("case Layer.Dense d -> dense(d);", "").replace("c instanceof BackwardCall.GeluBackward || ", "")
        .replace("c instanceof ForwardCall.RecurrentForward", "c.rewritesInPlace()"), kinds)).isEmpty();
  }

  @Test
  void everyFamilyPackageHoldsItsDefinitions() throws IOException {
    try (Stream<Path> families = Files.list(MainSources.ROOT.resolve("family"))) {
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
    for (Path f : MainSources.all()) {
      long lines = Files.readAllLines(f).size();
      if (lines > 600) {
        tooLong.add(MainSources.relative(f) + " has " + lines + " lines");
      }
    }
    assertThat(tooLong).isEmpty();
  }

  /** The kinds of each sealed interface: the records its declaration file declares as implementing it. */
  private static Map<String, Set<String>> kinds() throws IOException {
    Map<String, Set<String>> kinds = new TreeMap<>();
    for (var d : DECLARATIONS.entrySet()) {
      Set<String> names = new TreeSet<>();
      Matcher m = RECORD.matcher(MainSources.code(Files.readString(MainSources.ROOT.resolve(d.getValue()))));
      while (m.find()) {
        if (List.of(m.group(2).split("\\s*,\\s*")).contains(d.getKey())) {
          names.add(m.group(1));
        }
      }
      kinds.put(d.getKey(), names);
    }
    return kinds;
  }

  /** Each {@code Interface.Kind} the code names, in order; comments and string literals do not count. */
  private static List<String> mentions(String source, Map<String, Set<String>> kinds) {
    List<String> found = new ArrayList<>();
    Matcher m = Pattern.compile("\\b(Layer|ForwardCall|BackwardCall|BackwardOp)\\.([A-Z]\\w*)").matcher(MainSources.code(source));
    while (m.find()) {
      if (kinds.get(m.group(1)).contains(m.group(2))) {
        found.add(m.group());
      }
    }
    return found;
  }
}
