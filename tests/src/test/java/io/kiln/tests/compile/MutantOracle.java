package io.kiln.tests.compile;

import io.kiln.tests.compile.MutantNet.Decl;
import io.kiln.tests.compile.MutantNet.Param;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Kiln must say about a {@link MutantNet}, worked out independently of the processor from the
 * DSL's documented rules (docs/errors.md), for the layers and mistakes the mutation test makes:
 * the nodes whose line must carry an error (a node reading a broken one is not reported again),
 * or, for a valid model, the lint warnings it must get.
 */
final class MutantOracle {

  /** A per-sample shape: token ids of {@code steps} steps, or float dims per step (steps 0: no sequence). */
  record Shape(boolean ids, int steps, List<Integer> dims) {
    static Shape of(int... dims) {
      return new Shape(false, 0, Arrays.stream(dims).boxed().toList());
    }

    boolean seq() {
      return steps > 0;
    }

    int rank() {
      return dims.size();
    }

    int dim(int i) {
      return dims.get(i);
    }

    Shape withDims(int... d) {
      return new Shape(false, steps, Arrays.stream(d).boxed().toList());
    }

    boolean seqOfVectors() {
      return seq() && rank() == 1;
    }
  }

  /**
   * The nodes that must get an error, and the warnings (node → id) of a model without errors.
   * {@code agreements} are the errors that are a size two declarations must agree on, each valid
   * alone (an encoder's and a decoder's units, an output's classes and an embedding's vocab): the
   * source cannot say which of the two was mistyped, so the one that reads the other reports it.
   */
  record Verdict(Set<Decl> errors, Set<Decl> agreements, Map<Decl, String> warnings, boolean classWarning) {
    boolean valid() {
      return errors.isEmpty();
    }
  }

  private final MutantNet net;
  private final Map<String, Decl> byName = new HashMap<>();
  private final Map<Decl, Shape> shapes = new IdentityHashMap<>();
  private final Set<Decl> visited = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<Decl> errors = new LinkedHashSet<>();
  private final Set<Decl> agreements = new LinkedHashSet<>();

  private MutantOracle(MutantNet net) {
    this.net = net;
    net.nodes.forEach(d -> byName.put(d.name, d));
  }

  static Verdict judge(MutantNet net) {
    return new MutantOracle(net).judge();
  }

  private Verdict judge() {
    if (net.modelAnnotation.isEmpty()) {
      return new Verdict(Set.of(), Set.of(), Map.of(), true); // not a model: only the MissingModel warning
    }
    net.nodes.forEach(this::visit);
    decoded();
    Map<Decl, String> warnings = new IdentityHashMap<>();
    if (errors.isEmpty()) {
      lints(warnings);
    }
    return new Verdict(errors, agreements, warnings, false);
  }

  private void error(Decl d) {
    errors.add(d);
  }

  private Shape visit(Decl d) {
    if (!visited.add(d)) {
      return shapes.get(d);
    }
    List<Shape> ins = new ArrayList<>();
    boolean healthy = true;
    for (Param p : d.params) {
      if (p.labels()) {
        continue;
      }
      Decl source = byName.get(p.name());
      Shape s = visit(source);
      if (s == null) {
        healthy = false;
        continue;
      }
      if (source.kind.equals("Tokens") != p.type().equals("IntTensor")) {
        error(d); // the handle type does not match the node it names
        return null;
      }
      if (!p.state()) {
        ins.add(s);
      }
    }
    if (!healthy) {
      if (d.kind.equals("Loss")) {
        labels(d); // independent of the broken input
      }
      return null;
    }
    Shape out = infer(d, ins, net.nodes, byName);
    if (out != null) {
      shapes.put(d, out);
    }
    return out;
  }

  private Shape fail(Decl d) {
    error(d);
    return null;
  }

  /** An error in the size {@code d} and another declaration must agree on: reported on {@code d}. */
  private Shape disagree(Decl d) {
    agreements.add(d);
    return fail(d);
  }

  private Shape infer(Decl d, List<Shape> ins, List<Decl> scope, Map<String, Decl> names) {
    Shape in = ins.isEmpty() ? null : ins.get(0);
    return switch (d.kind) {
      case "Input" -> {
        int[] dims = Arrays.stream(d.attrs.get("shape").replaceAll("[{} ]", "").split(",")).mapToInt(Integer::parseInt).toArray();
        yield Arrays.stream(dims).allMatch(x -> x >= 1) ? Shape.of(dims) : fail(d);
      }
      case "Tokens" -> d.integer("maxLength", 0) >= 1 ? new Shape(true, d.integer("maxLength", 0), List.of()) : fail(d);
      case "Embedding" -> {
        int vocab = d.integer("vocab", 0);
        int dim = d.integer("dim", 0);
        boolean ok = vocab >= 1 && dim >= 1 && in.ids();
        String shares = d.attrs.get("shares");
        if (ok && shares != null) {
          Decl owner = names.get(shares.replace("\"", ""));
          if (owner.integer("vocab", 0) != vocab || owner.integer("dim", 0) != dim) {
            yield disagree(d);
          }
        }
        yield ok ? in.withDims(dim) : fail(d);
      }
      case "Dense" -> d.integer("units", 0) >= 1 && in.rank() == 1 && !in.ids() ? in.withDims(d.integer("units", 0)) : fail(d);
      case "Conv" -> conv(d, in);
      case "MaxPool", "AvgPool" -> {
        int size = d.integer("size", 0);
        int stride = d.integer("stride", 0);
        if (size < 1 || stride < 0 || in.rank() != 3 || in.seq()) {
          yield fail(d);
        }
        int s = stride == 0 ? size : stride;
        int oh = Math.floorDiv(in.dim(1) - size, s) + 1;
        int ow = Math.floorDiv(in.dim(2) - size, s) + 1;
        yield oh >= 1 && ow >= 1 ? Shape.of(in.dim(0), oh, ow) : disagree(d);
      }
      case "BatchNorm" -> {
        double momentum = Double.parseDouble(d.attrs.getOrDefault("momentum", "0.1"));
        yield momentum > 0 && momentum <= 1 && (in.rank() == 1 || in.rank() == 3) && !in.seq() ? in : fail(d);
      }
      case "Dropout" -> in.ids() ? fail(d) : in;
      case "Flatten" -> in.seq() ? fail(d) : Shape.of(in.dims().stream().reduce(1, (a, b) -> a * b));
      case "Lstm", "Gru", "Rnn" -> recurrent(d, in, names);
      case "Attention" -> {
        Shape keys = ins.get(1);
        if (!in.seqOfVectors() || !keys.seqOfVectors()) {
          yield fail(d);
        }
        yield in.dim(0) == keys.dim(0) ? in.withDims(keys.dim(0)) : disagree(d);
      }
      case "Concat" -> {
        int width = 0;
        for (Shape s : ins) {
          if (s.rank() != 1 || s.ids() || s.steps() != in.steps()) {
            yield fail(d);
          }
          width += s.dim(0);
        }
        yield in.withDims(width);
      }
      case "Add" -> add(d, ins, names);
      case "LayerNorm" -> in.rank() == 1 && !in.ids() ? in : fail(d);
      case "MultiHeadAttention" -> {
        int heads = d.integer("heads", 0);
        if (!in.seqOfVectors() || heads < 1) {
          yield fail(d);
        }
        yield in.dim(0) % heads == 0 ? in : disagree(d);
      }
      case "PositionEmbedding" -> {
        int max = d.integer("maxLength", 0);
        yield in.seqOfVectors() && max >= 0 && (max == 0 || max >= in.steps()) ? in : fail(d);
      }
      case "Repeat" -> repeat(d, in);
      case "Loss" -> loss(d, in);
      default -> throw new AssertionError(d.kind);
    };
  }

  private Shape conv(Decl d, Shape in) {
    int filters = d.integer("filters", 0);
    int kernel = d.integer("kernel", 0);
    int kh = kernel != 0 ? kernel : d.integer("kernelHeight", 0);
    int kw = kernel != 0 ? kernel : d.integer("kernelWidth", 0);
    int stride = d.integer("stride", 1);
    int pad = d.integer("pad", 0);
    String padding = d.constant("padding", "VALID");
    if (filters < 1 || kh < 1 || kw < 1 || stride < 1 || pad < 0 || pad > 0 && !padding.equals("EXPLICIT") || in.rank() != 3 || in.seq()) {
      return fail(d);
    }
    int h = in.dim(1);
    int w = in.dim(2);
    int oh;
    int ow;
    if (padding.equals("SAME")) {
      oh = (h + stride - 1) / stride;
      ow = (w + stride - 1) / stride;
    } else {
      oh = Math.floorDiv(h - kh + 2 * pad, stride) + 1;
      ow = Math.floorDiv(w - kw + 2 * pad, stride) + 1;
    }
    return oh >= 1 && ow >= 1 ? Shape.of(filters, oh, ow) : disagree(d);
  }

  private Shape recurrent(Decl d, Shape in, Map<String, Decl> names) {
    int units = d.integer("units", 0);
    boolean ok = units >= 1 && in.seqOfVectors();
    for (Param p : d.params) {
      if (p.state()) {
        Decl source = names.get(p.name());
        ok &= source.kind.equals(d.kind);
        if (ok && source.integer("units", 0) != units) {
          return disagree(d);
        }
      }
    }
    if (!ok) {
      return fail(d);
    }
    return "false".equals(d.attrs.get("returnSequences")) ? Shape.of(units) : in.withDims(units);
  }

  /**
   * Inputs of one shape; a residual branch that ends on a {@code @Dense} of another width is that
   * {@code @Dense}'s error (its units are the line to change, or the width it must keep).
   */
  private Shape add(Decl d, List<Shape> ins, Map<String, Decl> names) {
    Shape first = ins.get(0);
    for (int i = 1; i < ins.size(); i++) {
      Shape s = ins.get(i);
      if (s.equals(first)) {
        continue;
      }
      Decl operand = names.get(d.inputs().get(i).name());
      boolean width = s.rank() == 1 && first.rank() == 1 && s.seq() == first.seq() && !s.dims().equals(first.dims());
      return width && operand.kind.equals("Dense") ? disagree(operand) : fail(d);
    }
    return first;
  }

  private boolean labels(Decl loss) {
    List<Param> labels = loss.params.stream().filter(Param::labels).toList();
    String wanted = loss.constant("value", "").equals("SOFTMAX_CROSS_ENTROPY") ? "IntTensor" : "Tensor";
    if (labels.size() != 1 || !labels.get(0).type().equals(wanted)) {
      error(loss);
      return false;
    }
    return true;
  }

  private Shape loss(Decl d, Shape in) {
    boolean ok = labels(d);
    if (in.ids() || d.constant("value", "").equals("SOFTMAX_CROSS_ENTROPY") && in.rank() != 1) {
      ok = false;
      error(d);
    } else if (d.constant("value", "").equals("SOFTMAX_CROSS_ENTROPY") && in.dim(0) < 2) {
      ok = false;
      disagree(d); // one unit, or a loss over classes: either line may be the mistake
    }
    return ok ? Shape.of() : null;
  }

  /**
   * The block's nodes, once per copy, each copy reading the previous one's output; an error in a
   * block node is one error on its line, and a block that does not give back its input's shape is
   * an error on the {@code @Repeat}.
   */
  private Shape repeat(Decl d, Shape in) {
    int times = d.integer("times", 0);
    if (times < 1) {
      return fail(d);
    }
    Map<String, Decl> names = new HashMap<>();
    net.block.forEach(b -> names.put(b.name, b));
    Shape current = in;
    Shape firstOut = null;
    for (int copy = 0; copy < times && current != null; copy++) {
      Map<Decl, Shape> local = new IdentityHashMap<>();
      Decl output = null;
      for (Decl b : net.block) {
        if (b.kind.equals("BlockInput")) {
          local.put(b, current);
          continue;
        }
        List<Shape> ins = new ArrayList<>();
        for (Param p : b.inputs()) {
          ins.add(local.get(names.get(p.name())));
        }
        if (ins.contains(null)) {
          continue;
        }
        Shape out = errors.contains(b) ? null : infer(b, ins, net.block, names);
        if (out != null) {
          local.put(b, out);
        }
        output = b; // the block's last node is its output in every block this test builds
      }
      current = local.get(output);
      if (copy == 0) {
        firstOut = current;
      }
    }
    if (times > 1 && firstOut != null && !firstOut.equals(in)) {
      error(d);
      return null;
    }
    return current;
  }

  /** A decoded input: per-step class scores that the embeddings can read back, and causal layers only. */
  private void decoded() {
    for (Decl tokens : net.nodes) {
      if (!tokens.kind.equals("Tokens") || !"true".equals(tokens.attrs.get("decoded"))) {
        continue;
      }
      Decl loss = net.nodes.stream().filter(n -> n.kind.equals("Loss")).findFirst().orElse(null);
      Decl output = loss == null ? null : byName.get(loss.inputs().get(0).name());
      Shape out = output == null ? null : shapes.get(output);
      if (out != null && loss.constant("value", "").equals("SOFTMAX_CROSS_ENTROPY") && out.seqOfVectors()) {
        for (Decl reader : net.nodes) {
          if (reader.kind.equals("Embedding") && reader.params.stream().anyMatch(p -> p.name().equals(tokens.name))
              && out.dim(0) > reader.integer("vocab", 0)) {
            agreements.add(output);
            error(output);
          }
        }
      } else if (out != null) {
        error(tokens);
      }
      Set<String> downstream = new HashSet<>(List.of(tokens.name));
      boolean changed = true;
      while (changed) {
        changed = false;
        for (Decl n : net.nodes) {
          if (!downstream.contains(n.name) && n.params.stream().anyMatch(p -> !p.labels() && downstream.contains(p.name()))) {
            changed = downstream.add(n.name);
          }
        }
      }
      for (Decl n : net.nodes) {
        boolean lookAhead = downstream.contains(n.name) && (n.kind.equals("MultiHeadAttention") && !"true".equals(n.attrs.get("causal"))
            || n.kind.equals("Attention") && downstream.contains(n.inputs().get(1).name())
            || n.kind.equals("Repeat") && net.block.stream().anyMatch(b -> b.kind.equals("MultiHeadAttention") && !"true".equals(b.attrs.get("causal"))));
        if (lookAhead) {
          error(tokens);
        }
      }
    }
  }

  private void lints(Map<Decl, String> warnings) {
    for (Decl loss : net.nodes) {
      if (loss.kind.equals("Loss") && List.of("SOFTMAX_CROSS_ENTROPY", "SIGMOID_BINARY_CROSS_ENTROPY").contains(loss.constant("value", ""))) {
        Decl scored = byName.get(loss.inputs().get(0).name());
        if ((scored.kind.equals("Dense") || scored.kind.equals("Conv")) && scored.constant("activation", "NONE").equals("SIGMOID")) {
          warnings.put(scored, "Kiln/DoubleActivation");
        }
      }
    }
    for (Decl d : net.nodes) {
      double momentum = Double.parseDouble(d.attrs.getOrDefault("momentum", "0.1"));
      if (d.kind.equals("BatchNorm") && momentum > 0.5 && momentum < 1) {
        warnings.put(d, "Kiln/BatchNormMomentum");
      }
      if (d.kind.equals("Input") && shapes.containsKey(d)) {
        List<Integer> dims = shapes.get(d).dims();
        boolean channelsLast = dims.size() == 3 && dims.get(2) <= 4 && dims.get(0) > 4 && dims.get(1) > 4;
        boolean readAsImage = net.nodes.stream().anyMatch(n -> List.of("Conv", "MaxPool", "AvgPool").contains(n.kind)
            && n.params.stream().anyMatch(p -> p.name().equals(d.name)));
        if (channelsLast && readAsImage) {
          warnings.put(d, "Kiln/ChannelsLast");
        }
      }
    }
  }
}
