package io.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The processor's package graph, read from its main sources: no import cycle between packages, so
 * the dependencies point one way: the layer families use the passes' vocabulary ({@code shape},
 * {@code grad}, {@code fuse}, {@code codegen}), the registry names the families, and the passes
 * ({@code pass}, {@code emit}) reach the families only through the registry. References count
 * whether imported or written fully qualified; comments and string literals do not. The same
 * check as the runtime's {@code PackageStructureTest}.
 */
class PackageStructureTest {
  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.kiln\\.processor((?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+io\\.kiln\\.processor((?:\\.[a-z][a-z0-9]*)*);",
      Pattern.MULTILINE);

  @Test
  void processorPackagesHaveNoCycles() throws IOException {
    Map<String, Set<String>> graph = packageGraph();
    assertThat(graph).containsKey("processor.family.dense"); // the sources were found and parsed
    assertThat(graph.get("processor.family.dense")).contains("processor.family");
    assertWithMessage("import cycle between processor packages").that(findCycle(graph)).isEmpty();
  }

  @Test
  void onlyTheRegistryNamesTheFamilies() throws IOException {
    List<String> names = new ArrayList<>();
    packageGraph().forEach((from, targets) -> {
      boolean allowed = from.startsWith("processor.family") || from.equals("processor.registry");
      if (!allowed && targets.stream().anyMatch(to -> to.startsWith("processor.family."))) {
        names.add(from);
      }
    });
    assertThat(names).isEmpty();
  }

  @Test
  void theCycleFinderNamesACycle() {
    Map<String, Set<String>> graph = new TreeMap<>();
    graph.put("a", Set.of("b"));
    graph.put("b", Set.of("c"));
    graph.put("c", Set.of("a"));
    graph.put("d", Set.of("a"));
    assertThat(findCycle(graph)).hasValue(List.of("a", "b", "c", "a"));
    graph.put("c", Set.of());
    assertThat(findCycle(graph)).isEmpty();
  }

  /** A reference the way a pass once named its family back (family.CallWriters from emit) closes a cycle. */
  @Test
  void aPassAndAFamilyReferringToEachOtherAreACycle() {
    Map<String, Set<String>> graph = new TreeMap<>();
    graph.put("processor.emit", new TreeSet<>(Set.of("processor.family")));
    graph.put("processor.family", new TreeSet<>(Set.of("processor.emit")));
    assertThat(findCycle(graph)).hasValue(List.of("processor.emit", "processor.family", "processor.emit"));
    graph.put("processor.family", new TreeSet<>(Set.of(edges(
        "package io.kiln.processor.family;\n// io.kiln.processor.emit.GeneratedClassPart in a comment\nString s = \"io.kiln.processor.emit.X\";")
        .toArray(new String[0]))));
    assertThat(findCycle(graph)).isEmpty();
    graph.put("processor.family", edges("package io.kiln.processor.family;\nimport io.kiln.processor.emit.GeneratedClassPart;"));
    assertThat(findCycle(graph)).isPresent();
  }

  private static Map<String, Set<String>> packageGraph() throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    for (Path file : MainSources.all()) {
      String code = MainSources.code(Files.readString(file));
      graph.computeIfAbsent(packageOf(code), k -> new TreeSet<>()).addAll(edges(code));
    }
    return graph;
  }

  /** The other processor packages one source refers to. */
  private static Set<String> edges(String source) {
    String code = MainSources.code(source);
    String from = packageOf(code);
    Set<String> targets = new TreeSet<>();
    Matcher m = REFERENCE.matcher(code);
    while (m.find()) {
      String to = "processor" + m.group(1);
      if (!to.equals(from)) {
        targets.add(to);
      }
    }
    return targets;
  }

  private static String packageOf(String code) {
    Matcher m = PACKAGE.matcher(code);
    if (!m.find()) {
      throw new AssertionError("no io.kiln.processor package declaration in a processor source");
    }
    return "processor" + m.group(1);
  }

  /** A cycle as the list of packages from one back to itself, if the graph has one. */
  static Optional<List<String>> findCycle(Map<String, Set<String>> graph) {
    Set<String> done = new TreeSet<>();
    for (String start : graph.keySet()) {
      Optional<List<String>> cycle = visit(start, graph, done, new ArrayDeque<>());
      if (cycle.isPresent()) {
        return cycle;
      }
    }
    return Optional.empty();
  }

  private static Optional<List<String>> visit(String node, Map<String, Set<String>> graph, Set<String> done,
      Deque<String> path) {
    if (path.contains(node)) {
      List<String> cycle = new ArrayList<>();
      boolean in = false;
      for (String p : (Iterable<String>) path::descendingIterator) {
        in |= p.equals(node);
        if (in) {
          cycle.add(p);
        }
      }
      cycle.add(node);
      return Optional.of(cycle);
    }
    if (done.contains(node)) {
      return Optional.empty();
    }
    path.push(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      Optional<List<String>> cycle = visit(next, graph, done, path);
      if (cycle.isPresent()) {
        return cycle;
      }
    }
    path.pop();
    done.add(node);
    return Optional.empty();
  }
}
