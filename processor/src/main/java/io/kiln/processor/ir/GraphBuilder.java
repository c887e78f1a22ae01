package io.kiln.processor.ir;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.parse.ModelSpec;
import io.kiln.processor.parse.NodeSpec;
import io.kiln.processor.parse.ParamSpec;
import io.kiln.processor.parse.ValueType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The IR pass: binds each parameter to the node it names, checks arity and handle types, orders
 * the graph topologically (reporting cycles), finds the output and drops unused nodes.
 */
public final class GraphBuilder {
  private final Report report;
  private List<Node> checked = List.of();

  public GraphBuilder(Report report) {
    this.report = report;
  }

  /** Returns the graph, or null when an error was reported. */
  public Graph build(ModelSpec spec) {
    Graph graph = buildHealthy(spec, Map.of());
    return report.hasErrors() ? null : graph;
  }

  /**
   * Binds and orders every node that is sound, reporting each error found, and returns the graph of
   * the sound nodes so later passes can check them in the same build (the caller must not generate
   * code when the report has errors). {@code broken} names the node methods the parse pass rejected
   * (already reported), each mapped to its layer annotation ("" when it has none). A node reading a
   * broken or failed node, directly or through others, is skipped silently: one mistake is reported
   * once, never again downstream. Whole-graph checks (the output, unused nodes) are only made when
   * every node is sound, since a partial graph would give false findings.
   */
  public Graph buildHealthy(ModelSpec spec, Map<String, String> broken) {
    Map<String, NodeSpec> byName = new LinkedHashMap<>();
    spec.nodes().forEach(n -> byName.putIfAbsent(n.name(), n));
    Set<String> failed = new HashSet<>(broken.keySet());
    List<Node> nodes = new ArrayList<>();
    NodeSpec loss = null;
    for (NodeSpec n : spec.nodes()) {
      Node node = bind(n, byName, broken.keySet());
      if (node == null) {
        failed.add(n.name());
        continue;
      }
      if (node.isLoss()) {
        if (loss != null) {
          report.error(ErrorId.TWO_LOSSES, n.ref(), Messages.twoLosses(n.name(), loss.name()));
          failed.add(n.name());
          continue;
        }
        loss = n;
      }
      nodes.add(node);
    }
    // Downstream of a failure: drop silently, to a fixpoint since a reader may be declared first.
    for (boolean changed = true; changed; ) {
      changed = false;
      for (var it = nodes.iterator(); it.hasNext(); ) {
        Node n = it.next();
        if (n.inputs().stream().anyMatch(failed::contains)) {
          it.remove();
          failed.add(n.name());
          changed = true;
        }
      }
    }
    // Look at the declarations, not at the nodes that bound: an @Input with a stray parameter is
    // already an arity error and must not also read as "the model has no @Input". Nor may a method
    // the parser rejected: it may be the @Input (or be meant as one, if it lacks its annotation).
    boolean mayHaveInput = spec.nodes().stream().anyMatch(n -> n.layer().isInput())
        || broken.containsValue("@Input") || broken.containsValue("@Tokens") || broken.containsValue("");
    boolean noInput = false;
    if (spec.nodes().isEmpty() && broken.isEmpty()) {
      report.error(ErrorId.NO_INPUT, spec.ref(), Messages.emptyModel(spec.declaredName()));
      noInput = true;
    } else if (!mayHaveInput) {
      report.error(ErrorId.NO_INPUT, spec.ref(), Messages.noInput(spec.declaredName()));
      noInput = true;
    }
    List<Node> order = topologicalOrder(nodes); // the acyclic part; cycles are reported
    checked = order;
    Node lossNode = order.stream().filter(Node::isLoss).findFirst().orElse(null);
    ValueType labelsType = lossNode == null ? null
        : byName.get(lossNode.name()).params().stream().filter(ParamSpec::labels).findFirst().orElseThrow().type();
    if (!failed.isEmpty() || order.size() < nodes.size() || noInput) {
      Node output = lossNode == null ? null : order.stream().filter(n -> n.name().equals(lossNode.input())).findFirst().orElse(null);
      return new Graph(spec, order, output, lossNode, labelsType);
    }
    Node output = findOutput(spec, order, lossNode);
    if (output == null) {
      return new Graph(spec, order, null, lossNode, labelsType);
    }
    Set<String> needed = ancestors(order, lossNode != null ? lossNode : output);
    List<Node> kept = new ArrayList<>();
    for (Node n : order) {
      if (needed.contains(n.name())) {
        kept.add(n);
      } else {
        report.warning(ErrorId.UNUSED_NODE, n.ref(), Messages.unusedNode(n.name(), lossNode != null ? lossNode.name() : output.name()));
      }
    }
    return new Graph(spec, kept, output, lossNode, labelsType);
  }

  /**
   * Every sound node of the last build in topological order, the unused ones included: they are
   * not computed, but their declarations are still checked (an unused @Dropout(rate = 1.0)
   * compiled with only an "unused" warning; found by RandomModelsTest).
   */
  public List<Node> checkedNodes() {
    return checked;
  }

  /** Resolves parameter names; null if the node is broken (errors reported). */
  private Node bind(NodeSpec n, Map<String, NodeSpec> byName, Set<String> broken) {
    boolean ok = true;
    boolean readsBroken = false;
    List<String> inputs = new ArrayList<>();
    String labels = null;
    String state = null;
    // A loss without @Labels whose parameter names no node: that parameter is the labels, unmarked.
    boolean labelsMarked = n.params().stream().anyMatch(ParamSpec::labels);
    if (n.layer().arity() == 0 && !n.params().isEmpty()) {
      // An input reads nothing: whatever its parameters name, removing them is the fix.
      report.error(ErrorId.ARITY, n.ref(), Messages.arity(n.name(), n.layer().annotation(), 0, n.params().stream().map(ParamSpec::name).toList()));
      return null;
    }
    ParamSpec unmarkedLabels = null;
    for (ParamSpec p : n.params()) {
      if (p.labels()) {
        if (labels != null) {
          report.error(ErrorId.LABELS, p.ref(), Messages.twoLabels(n.name(), labels, p.name()));
          ok = false;
        }
        labels = p.name();
        continue;
      }
      NodeSpec target = byName.get(p.name());
      if (target == null && broken.contains(p.name())) {
        inputs.add(p.name()); // counts for arity; the node itself is skipped silently
        readsBroken = true;
        continue;
      }
      if (target == null && n.layer().isLoss() && !labelsMarked && unmarkedLabels == null) {
        unmarkedLabels = p;
        continue;
      }
      if (target == null) {
        report.error(ErrorId.UNKNOWN_NODE, p.ref(), Messages.unknownNode(n.name(), p.name(), closest(p.name(), without(byName.keySet(), n.name()))));
        ok = false;
        continue;
      }
      ValueType produced = target.layer().holdsIds() ? ValueType.INT_TENSOR : ValueType.TENSOR;
      if (p.type() != produced) {
        // Every node computes floats except @Tokens, whose ids only an @Embedding reads.
        report.error(ErrorId.TYPE_MISMATCH, p.ref(), produced == ValueType.TENSOR
            ? Messages.intTensorParam(n.name(), p.name()) : Messages.tensorParamForTokens(n.name(), p.name()));
        ok = false;
        continue;
      }
      if (target.layer().isLoss()) {
        report.error(ErrorId.TYPE_MISMATCH, p.ref(), Messages.readsLoss(n.name(), p.name()));
        ok = false;
        continue;
      }
      if (p.initialState()) {
        state = p.name();
        continue;
      }
      inputs.add(p.name());
    }
    int expected = n.layer().arity();
    if (state != null) {
      inputs.add(state); // last: ordering and reachability see it; dataInputs() leaves it out
      expected++;
    }
    if (ok && expected == Layer.TWO_OR_MORE) {
      if (inputs.size() < 2) {
        report.error(ErrorId.ARITY, n.ref(), Messages.tooFewInputs(n.name(), n.layer().annotation(), inputs));
        ok = false;
      }
    } else if (ok && inputs.size() != expected) {
      report.error(ErrorId.ARITY, n.ref(), Messages.arity(n.name(), n.layer().annotation(), expected, inputs));
      ok = false;
    }
    if (n.layer() instanceof Layer.Loss loss && labels == null) {
      if (unmarkedLabels != null) {
        report.error(ErrorId.LABELS, unmarkedLabels.ref(), Messages.unmarkedLabels(n.name(), loss.kind(), unmarkedLabels.name()));
      } else {
        report.error(ErrorId.LABELS, n.ref(), Messages.missingLabels(n.name(), loss.kind()));
      }
      ok = false;
    }
    return ok && !readsBroken ? new Node(n.name(), n.layer(), inputs, labels, n.ref(), state) : null;
  }

  /**
   * Kahn's algorithm, ties broken by declaration order; reports one error per cycle. Returns the
   * nodes outside cycles and not downstream of one (all of them when there is no cycle).
   */
  private List<Node> topologicalOrder(List<Node> nodes) {
    Map<String, Node> byName = new LinkedHashMap<>();
    nodes.forEach(n -> byName.put(n.name(), n));
    Map<String, Integer> pending = new HashMap<>();
    for (Node n : nodes) {
      pending.put(n.name(), n.inputs().size());
    }
    List<Node> order = new ArrayList<>();
    Set<String> done = new HashSet<>();
    boolean progress = true;
    while (progress) {
      progress = false;
      for (Node n : nodes) {
        if (!done.contains(n.name()) && done.containsAll(n.inputs())) {
          order.add(n);
          done.add(n.name());
          progress = true;
          break; // restart so the earliest declared ready node always goes first
        }
      }
    }
    if (order.size() == nodes.size()) {
      return order;
    }
    Set<String> reported = new HashSet<>();
    for (Node n : nodes) {
      if (done.contains(n.name()) || reported.contains(n.name())) {
        continue;
      }
      List<String> cycle = findCycle(n, byName);
      if (cycle != null && reported.add(cycle.get(0))) {
        reported.addAll(cycle);
        report.error(ErrorId.CYCLE, byName.get(cycle.get(0)).ref(), Messages.cycle(cycle));
      }
    }
    return order;
  }

  private static List<String> findCycle(Node start, Map<String, Node> byName) {
    Deque<String> path = new ArrayDeque<>();
    return dfs(start.name(), byName, path, new HashSet<>());
  }

  private static List<String> dfs(String name, Map<String, Node> byName, Deque<String> path, Set<String> finished) {
    if (path.contains(name)) {
      List<String> cycle = new ArrayList<>();
      boolean in = false;
      for (String p : path) {
        in |= p.equals(name);
        if (in) {
          cycle.add(p);
        }
      }
      cycle.add(name);
      return cycle;
    }
    if (finished.contains(name) || !byName.containsKey(name)) {
      return null;
    }
    path.addLast(name);
    for (String in : byName.get(name).inputs()) {
      List<String> c = dfs(in, byName, path, finished);
      if (c != null) {
        return c;
      }
    }
    path.removeLast();
    finished.add(name);
    return null;
  }

  private Node findOutput(ModelSpec spec, List<Node> order, Node loss) {
    if (loss != null) {
      return order.stream().filter(n -> n.name().equals(loss.input())).findFirst().orElseThrow();
    }
    Set<String> read = new HashSet<>();
    order.forEach(n -> read.addAll(n.inputs()));
    List<Node> sinks = order.stream().filter(n -> !read.contains(n.name()) && !n.isInput()).toList();
    if (sinks.size() == 1) {
      return sinks.get(0);
    }
    // A repeated block's last copy is known to the user by the @Repeat node's name.
    Map<String, String> declared = new HashMap<>();
    spec.repeats().forEach(r -> declared.put(r.lastOutput(), r.name()));
    report.error(ErrorId.NO_OUTPUT, spec.ref(), Messages.noOutput(spec.declaredName(),
        sinks.stream().map(n -> declared.getOrDefault(n.name(), n.name())).toList()));
    return null;
  }

  private static Set<String> ancestors(List<Node> order, Node root) {
    Map<String, Node> byName = new HashMap<>();
    order.forEach(n -> byName.put(n.name(), n));
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(root.name()));
    while (!todo.isEmpty()) {
      String n = todo.pop();
      if (seen.add(n)) {
        todo.addAll(byName.get(n).inputs());
      }
    }
    return seen;
  }

  /** {@code names} less {@code self}: a node never reads itself, so it is no suggestion. */
  private static Set<String> without(Set<String> names, String self) {
    Set<String> rest = new LinkedHashSet<>(names);
    rest.remove(self);
    return rest;
  }

  /** The declared name closest to {@code name} by edit distance, or null if none is close. */
  static String closest(String name, Set<String> names) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : names) {
      int d = editDistance(name.toLowerCase(), candidate.toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return bestDistance <= Math.max(2, name.length() / 3) ? best : null;
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
