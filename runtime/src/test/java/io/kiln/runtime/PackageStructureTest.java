package io.kiln.runtime;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The runtime's package graph, read from its main sources: no import cycle between packages, and
 * the Vector API linked from {@code io.kiln.runtime.panama} only (so the scalar fallback never
 * loads it). References count whether imported or written fully qualified; comments and string
 * literals do not.
 */
class PackageStructureTest {
  private static final Path MAIN = Path.of("src/main/java/io/kiln/runtime");
  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.kiln\\.runtime((?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+io\\.kiln\\.runtime((?:\\.[a-z][a-z0-9]*)*);",
      Pattern.MULTILINE);

  @Test
  void runtimePackagesHaveNoCycles() throws IOException {
    Map<String, Set<String>> graph = packageGraph();
    assertThat(graph).containsKey("runtime.simd"); // the sources were found and parsed
    assertWithMessage("import cycle between runtime packages").that(findCycle(graph)).isEmpty();
  }

  @Test
  void onlyThePanamaPackageUsesTheVectorApi() throws IOException {
    List<String> users = new ArrayList<>();
    for (Path file : sources()) {
      String code = code(Files.readString(file));
      if (code.contains("jdk.incubator.vector") && !packageOf(code).equals("runtime.panama")) {
        users.add(MAIN.relativize(file).toString());
      }
    }
    assertThat(users).isEmpty();
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

  private static Map<String, Set<String>> packageGraph() throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    for (Path file : sources()) {
      String code = code(Files.readString(file));
      String from = packageOf(code);
      Set<String> targets = graph.computeIfAbsent(from, k -> new TreeSet<>());
      Matcher m = REFERENCE.matcher(code);
      while (m.find()) {
        String to = "runtime" + m.group(1);
        if (!to.equals(from)) {
          targets.add(to);
        }
      }
    }
    return graph;
  }

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
  }

  private static String packageOf(String code) {
    Matcher m = PACKAGE.matcher(code);
    if (!m.find()) {
      throw new AssertionError("no io.kiln.runtime package declaration in a runtime source");
    }
    return "runtime" + m.group(1);
  }

  /** The source without comments, string and character literals (text blocks included). */
  static String code(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", " ")
        .replaceAll("(?s)\"\"\".*?\"\"\"", "\"\"")
        .replaceAll("\"(?:\\\\.|[^\"\\\\\\n])*\"", "\"\"")
        .replaceAll("'(?:\\\\.|[^'\\\\\\n])+'", "' '")
        .replaceAll("//[^\\n]*", " ");
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
