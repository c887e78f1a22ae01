package io.kiln.tests.compile;

import static com.google.common.truth.Truth.assertWithMessage;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.kiln.processor.KilnProcessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * A seeded generator of random model declarations, valid and deliberately invalid, over every
 * annotation of the DSL. A valid one must compile without errors, and so must the class Kiln writes
 * for it; an invalid one must get at least one {@code [Kiln/...]} error, never an internal error nor
 * a javac crash. Models are compiled {@value #PER_COMPILE} per javac run, each in its own file, and
 * errors are attributed to a model by the file they are in.
 *
 * <p>Change the run with {@code -Dkiln.randomModels.seed=N} and {@code -Dkiln.randomModels.count=N};
 * a failure prints the seed and the sources of the models at fault. {@link ModelMutantsTest} is its
 * complement: realistic models of every layer family, each with one realistic mistake, checked for
 * the line the error is on.
 */
class RandomModelsTest {
  static final long SEED = Long.getLong("kiln.randomModels.seed", 20261125L);
  static final int COUNT = Integer.getInteger("kiln.randomModels.count", 600);
  static final int PER_COMPILE = 25;
  private static final Pattern ID = Pattern.compile("\\[(Kiln/[A-Za-z]+)\\]");

  /** How an invalid model was made invalid; each one is sure to give at least one Kiln error. */
  enum Mutation {
    UNKNOWN_NAME, CYCLE, BAD_ATTRIBUTE, WRONG_SHAPE, LABELS, NODE_DECLARATION, NO_LAYER, DUPLICATE, INT_TENSOR_PARAM,
    READS_LOSS, ARITY, TWO_LOSSES, NO_INPUT, STEP, NO_OUTPUT, CLASS_DECLARATION
  }

  record Case(String name, boolean valid, List<Mutation> mutations, JavaFileObject source, String text) {}

  @Test
  void randomDeclarationsCompileOrGetKilnErrorsAndNeverCrash() {
    Random random = new Random(SEED);
    List<Case> valid = new ArrayList<>();
    List<Case> invalid = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      Case c = new Generator(random, "M" + i).generate(random.nextInt(100) < 45);
      (c.valid() ? valid : invalid).add(c);
    }
    List<String> failures = new ArrayList<>();
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < valid.size(); i += PER_COMPILE) {
      checkValid(valid.subList(i, Math.min(valid.size(), i + PER_COMPILE)), failures);
    }
    for (int i = 0; i < invalid.size(); i += PER_COMPILE) {
      checkInvalid(invalid.subList(i, Math.min(invalid.size(), i + PER_COMPILE)), failures, ids);
    }
    assertWithMessage("seed %s: %s of %s models failed:\n%s", SEED, failures.size(), COUNT,
        String.join("\n\n", failures.subList(0, Math.min(8, failures.size()))))
        .that(failures).isEmpty();

    // The generator covers what it claims: both kinds, every mutation, and the error ids they give.
    assertWithMessage("valid").that(valid.size()).isAtLeast(COUNT / 4);
    assertWithMessage("invalid").that(invalid.size()).isAtLeast(COUNT / 4);
    for (String layer : List.of("@Tokens", "@MultiHeadAttention", "@Attention(", "@LayerNorm", "@Add", "@Concat", "@Lstm")) {
      assertWithMessage("valid models with %s", layer).that(valid.stream().filter(c -> c.text().contains(layer)).count())
          .isAtLeast(COUNT >= 500 ? 5L : 0L);
    }
    if (COUNT >= 500) {
      Set<Mutation> used = EnumSet.noneOf(Mutation.class);
      invalid.forEach(c -> used.addAll(c.mutations()));
      assertWithMessage("mutations used").that(used).containsExactlyElementsIn(EnumSet.allOf(Mutation.class));
      assertWithMessage("error ids seen").that(ids).containsAtLeast(
          "Kiln/ModelDeclaration", "Kiln/BadAttribute", "Kiln/NoLayer", "Kiln/TwoLayers", "Kiln/NodeDeclaration",
          "Kiln/DuplicateNode", "Kiln/UnknownNode", "Kiln/TypeMismatch", "Kiln/Arity", "Kiln/Cycle", "Kiln/NoInput",
          "Kiln/Labels", "Kiln/TwoLosses", "Kiln/ShapeMismatch", "Kiln/StepActivation", "Kiln/NoOutput");
    }
  }

  private static Compilation compile(List<Case> batch) {
    return Compiler.javac().withProcessors(new KilnProcessor()).compile(batch.stream().map(Case::source).toList());
  }

  /** The model a diagnostic belongs to: the file it is in, the generated Kiln class included. */
  private static String owner(Diagnostic<? extends JavaFileObject> d) {
    if (d.getSource() == null) {
      return null;
    }
    String file = d.getSource().getName();
    String simple = file.substring(file.lastIndexOf('/') + 1).replace(".java", "");
    return simple.startsWith("Kiln") ? simple.substring(4).replaceAll("_.*", "") : simple;
  }

  private static void checkValid(List<Case> batch, List<String> failures) {
    Compilation compilation = compile(batch);
    Map<String, List<String>> errors = new LinkedHashMap<>();
    for (Diagnostic<? extends JavaFileObject> d : compilation.errors()) {
      errors.computeIfAbsent(String.valueOf(owner(d)), k -> new ArrayList<>()).add(d.getMessage(null));
    }
    for (Case c : batch) {
      if (errors.containsKey(c.name())) {
        failures.add("valid " + c.name() + " got errors " + errors.get(c.name()) + "\n" + c.text());
      }
    }
    errors.keySet().removeAll(batch.stream().map(Case::name).toList());
    if (!errors.isEmpty()) {
      failures.add("errors on no model of the batch: " + errors);
    }
    if (compilation.status() == Compilation.Status.SUCCESS) {
      for (Case c : batch) {
        if (compilation.generatedSourceFile("test.Kiln" + c.name()).isEmpty()) {
          failures.add("valid " + c.name() + " generated no class\n" + c.text());
        }
      }
    }
  }

  private static void checkInvalid(List<Case> batch, List<String> failures, Set<String> ids) {
    Compilation compilation = compile(batch);
    Map<String, List<String>> kiln = new LinkedHashMap<>();
    for (Diagnostic<? extends JavaFileObject> d : compilation.errors()) {
      String message = d.getMessage(null);
      if (message.contains("[Kiln/Internal]")) {
        failures.add("internal error in " + owner(d) + ": " + message + "\n"
            + batch.stream().filter(c -> c.name().equals(owner(d))).map(Case::text).findFirst().orElse(""));
      }
      Matcher m = ID.matcher(message);
      if (m.find()) {
        ids.add(m.group(1));
        kiln.computeIfAbsent(String.valueOf(owner(d)), k -> new ArrayList<>()).add(message);
      }
    }
    for (Case c : batch) {
      if (!kiln.containsKey(c.name())) {
        List<String> others = compilation.errors().stream().filter(d -> c.name().equals(owner(d))).map(d -> d.getMessage(null)).toList();
        failures.add("invalid " + c.name() + " " + c.mutations() + " got no Kiln error (javac: " + others + ")\n" + c.text());
      }
    }
  }

  // --- the generator ------------------------------------------------------------------------------

  /** A node method being generated: its layer and attributes, its parameters, its declaration. */
  static final class Node {
    String name;
    String kind; // Input, Dense, Conv, MaxPool, AvgPool, Flatten, Dropout, BatchNorm, Loss
    final Map<String, String> attrs = new LinkedHashMap<>();
    final List<String> params = new ArrayList<>(); // as written: "Tensor conv1", "@Labels IntTensor label"
    String returnType = "Tensor";
    String typeParams = "";
    String extraAnnotation = "";
    boolean hasBody;
    boolean noAnnotation;
    int[] in; // the shape this node reads in the valid model (null for an input)
    int[] out;
    boolean probe; // a side node nothing reads

    Node(String name, String kind) {
      this.name = name;
      this.kind = kind;
    }

    /** The node parameter naming what it reads (not @Labels), or null. */
    int tensorParam() {
      for (int i = 0; i < params.size(); i++) {
        if (!params.get(i).startsWith("@Labels")) {
          return i;
        }
      }
      return -1;
    }

    String reads() {
      int i = tensorParam();
      return i < 0 ? null : params.get(i).substring(params.get(i).lastIndexOf(' ') + 1);
    }

    String annotation() {
      if (noAnnotation) {
        return "";
      }
      if (kind.equals("Loss")) {
        return "@Loss(LossKind." + attrs.get("value") + ") ";
      }
      if (attrs.isEmpty()) {
        return "@" + kind + " ";
      }
      return "@" + kind + "(" + attrs.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue()).collect(Collectors.joining(", ")) + ") ";
    }

    String render() {
      String mods = hasBody ? "" : "abstract ";
      return "  " + extraAnnotation + annotation() + mods + typeParams + returnType + " " + name + "(" + String.join(", ", params) + ")"
          + (hasBody ? " { return null; }" : ";");
    }
  }

  /** Generates one model: first a valid one, then, for an invalid case, one to three mutations. */
  static final class Generator {
    private static final String[] ACTIVATIONS = {"NONE", "RELU", "SIGMOID", "TANH"};
    private static final String[] INITS = {"DEFAULT", "XAVIER_NORMAL", "XAVIER_UNIFORM", "HE_NORMAL", "HE_UNIFORM", "ZEROS", "ONES"};

    private final Random r;
    private final String className;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Node> chain = new ArrayList<>(); // input first, each reading the one before
    private int counter;
    private String maxBatch;
    private String classHeader = "abstract class";
    private String classTypeParams = "";
    private String wrap = ""; // "", "inner" or "private": the model nested in class <className>
    private Node loss;

    Generator(Random r, String className) {
      this.r = r;
      this.className = className;
    }

    Case generate(boolean valid) {
      if (valid && r.nextInt(3) == 0) {
        buildSequence(); // valid only: the mutations below assume single-input image and vector layers
      } else {
        buildValid();
      }
      List<Mutation> mutations = new ArrayList<>();
      if (!valid) {
        int n = r.nextInt(10) < 7 ? 1 : r.nextInt(10) < 7 ? 2 : 3;
        while (mutations.size() < n) {
          Mutation m = Mutation.values()[r.nextInt(Mutation.values().length)];
          if (mutate(m)) {
            mutations.add(m);
          }
        }
      }
      if (r.nextInt(10) < 3) {
        Collections.shuffle(nodes, r); // declaration order is free: the processor orders the graph
      }
      String text = render();
      return new Case(className, valid, mutations, JavaFileObjects.forSourceString("test." + className, text), text);
    }

    private <T> T pick(T[] options) {
      return options[r.nextInt(options.length)];
    }

    private int between(int lo, int hi) {
      return lo + r.nextInt(hi - lo + 1);
    }

    private String dims(int[] shape) {
      if (shape.length == 1 && r.nextBoolean()) {
        return String.valueOf(shape[0]);
      }
      return Arrays.stream(shape).mapToObj(String::valueOf).collect(Collectors.joining(", ", "{", "}"));
    }

    private Node add(String prefix, String kind, Node from) {
      Node n = new Node(prefix + (++counter), kind);
      if (from != null) {
        n.params.add("Tensor " + from.name);
        n.in = from.out;
      }
      nodes.add(n);
      return n;
    }

    // --- valid models ---

    private void buildValid() {
      maxBatch = pick(new String[] {null, "1", "2", "4", "8", "16", "64"});
      Node input = new Node(pick(new String[] {"x", "image", "features", "pixels"}), "Input");
      input.out = switch (r.nextInt(3)) {
        case 0 -> new int[] {between(1, 3), between(3, 10), between(3, 10)};
        case 1 -> new int[] {between(1, 12)};
        default -> new int[] {between(2, 5), between(2, 5)};
      };
      input.attrs.put("shape", dims(input.out));
      nodes.add(input);
      chain.add(input);
      Node cur = input;
      int layers = between(1, 5);
      for (int i = 0; i < layers; i++) {
        cur = layer(cur);
        chain.add(cur);
      }
      switch (r.nextInt(5)) {
        case 0 -> { } // inference only: the last node is the output
        case 1 -> {
          if (cur.out.length != 1) {
            chain.add(cur = add("flat", "Flatten", cur));
            cur.out = new int[] {size(cur.in)};
          }
          chain.add(cur = dense(cur, between(2, 5), pick(ACTIVATIONS)));
          lossNode(cur, "SOFTMAX_CROSS_ENTROPY", "IntTensor");
        }
        case 2 -> lossNode(cur, "SIGMOID_BINARY_CROSS_ENTROPY", "Tensor");
        case 3 -> lossNode(cur, "MEAN_SQUARED_ERROR", "Tensor");
        default -> {
          if (cur.out.length != 1) {
            chain.add(cur = add("flat", "Flatten", cur));
            cur.out = new int[] {size(cur.in)};
          }
          chain.add(cur = dense(cur, between(1, 3), "STEP"));
          lossNode(cur, "PERCEPTRON", "Tensor");
        }
      }
      if (loss != null && r.nextInt(8) == 0) {
        // A side node nothing reads: a warning, still a valid model. Never off a STEP node.
        List<Node> sources = chain.stream().filter(n -> n != loss && !"Activation.STEP".equals(n.attrs.get("activation"))).toList();
        Node probe = add("probe", "Dropout", pick(sources.toArray(Node[]::new)));
        probe.attrs.put("rate", "0.5");
        probe.out = probe.in;
        probe.probe = true;
      }
    }

    /**
     * A valid sequence model: token ids, an embedding, then recurrent, attention, Transformer and
     * join layers in random order (each join reading an earlier sequence of the right width),
     * sometimes through a repeated block, scored per step or left as the output.
     */
    private void buildSequence() {
      maxBatch = pick(new String[] {null, "1", "3", "8"});
      int maxLength = between(1, 6);
      Node tokens = new Node(pick(new String[] {"ids", "text", "tokens"}), "Tokens");
      tokens.attrs.put("maxLength", String.valueOf(maxLength));
      tokens.returnType = "IntTensor";
      tokens.out = new int[] {0};
      nodes.add(tokens);
      int vocab = between(2, 9);
      Node cur = add("emb", "Embedding", tokens);
      cur.params.set(0, "IntTensor " + tokens.name);
      cur.attrs.put("vocab", String.valueOf(vocab));
      cur.attrs.put("dim", String.valueOf(pick(new Integer[] {2, 3, 4, 6})));
      cur.out = new int[] {Integer.parseInt(cur.attrs.get("dim"))};
      List<Node> sequences = new ArrayList<>(List.of(cur));
      int layers = between(1, 5);
      for (int i = 0; i < layers; i++) {
        cur = sequenceLayer(cur, sequences, maxLength);
        sequences.add(cur);
      }
      if (r.nextInt(4) != 0) {
        Node scores = add("logits", "Dense", cur);
        scores.attrs.put("units", String.valueOf(Math.max(2, vocab)));
        scores.out = new int[] {Math.max(2, vocab)};
        // Decoding needs every layer causal in the tokens: here all attention reads them.
        boolean causal = nodes.stream().noneMatch(n -> n.kind.equals("Attention")
            || n.kind.equals("MultiHeadAttention") && !n.attrs.containsKey("causal"));
        if (causal && r.nextBoolean()) {
          tokens.attrs.put("decoded", "true");
          scores.attrs.put("units", String.valueOf(vocab < 2 ? 2 : vocab));
        }
        loss = add("loss", "Loss", scores);
        loss.attrs.put("value", "SOFTMAX_CROSS_ENTROPY");
        loss.params.add("@Labels IntTensor next");
        loss.out = new int[0];
      }
    }

    private Node sequenceLayer(Node cur, List<Node> sequences, int maxLength) {
      int width = cur.out[0];
      // Another sequence of the same width, for a residual add or for attention's keys.
      List<Node> others = sequences.stream().filter(n -> n.out[0] == width && n != cur).toList();
      Node other = others.isEmpty() ? null : others.get(r.nextInt(others.size()));
      Node n;
      switch (r.nextInt(11)) {
        case 0 -> {
          n = add("rec", pick(new String[] {"Lstm", "Gru", "Rnn"}), cur);
          int units = between(1, 5);
          n.attrs.put("units", String.valueOf(units));
          n.out = new int[] {units};
        }
        case 1 -> {
          n = add("attn", "MultiHeadAttention", cur);
          List<Integer> divisors = new ArrayList<>();
          for (int h = 1; h <= width; h++) {
            if (width % h == 0) {
              divisors.add(h);
            }
          }
          n.attrs.put("heads", String.valueOf(divisors.get(r.nextInt(divisors.size()))));
          if (r.nextBoolean()) {
            n.attrs.put("causal", "true");
          }
          n.out = cur.out;
        }
        case 2 -> n = layerNorm(cur);
        case 3 -> {
          n = dense(cur, between(1, 6), pick(new String[] {"NONE", "RELU", "TANH", "SIGMOID", "GELU"}));
        }
        case 4 -> {
          if (others.isEmpty()) {
            n = layerNorm(cur);
          } else {
            n = add("res", "Add", cur);
            n.params.add("Tensor " + other.name);
            n.out = cur.out;
          }
        }
        case 5 -> {
          n = add("pos", "PositionEmbedding", cur);
          if (r.nextBoolean()) {
            n.attrs.put("maxLength", String.valueOf(maxLength + between(0, 3)));
          }
          n.out = cur.out;
        }
        case 6 -> {
          if (others.isEmpty()) {
            n = layerNorm(cur);
          } else {
            n = add("ctx", "Attention", cur);
            n.params.add("Tensor " + other.name);
            String score = pick(new String[] {"DOT", "GENERAL", "ADDITIVE"});
            n.attrs.put("score", "Score." + score);
            if (score.equals("ADDITIVE") && r.nextBoolean()) {
              n.attrs.put("units", String.valueOf(between(1, 4)));
            }
            n.out = cur.out;
          }
        }
        case 7 -> {
          Node second = sequences.get(r.nextInt(sequences.size()));
          if (second == cur) {
            n = dropout(cur);
          } else {
            n = add("cat", "Concat", cur);
            n.params.add("Tensor " + second.name);
            n.out = new int[] {width + second.out[0]};
          }
        }
        default -> n = dropout(cur);
      }
      return n;
    }

    private Node layerNorm(Node from) {
      Node n = add("norm", "LayerNorm", from);
      if (r.nextInt(4) == 0) {
        n.attrs.put("epsilon", "1e-3");
      }
      n.out = from.out;
      return n;
    }

    private static int size(int[] shape) {
      return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    private void lossNode(Node scored, String kind, String labelsType) {
      loss = add("loss", "Loss", scored);
      loss.attrs.put("value", kind);
      loss.params.add("@Labels " + labelsType + " " + pick(new String[] {"label", "labels", "target", "y"}));
      loss.out = new int[0];
      chain.add(loss);
    }

    private Node dense(Node from, int units, String activation) {
      Node n = add(pick(new String[] {"dense", "fc", "hidden", "logits"}), "Dense", from);
      n.attrs.put("units", String.valueOf(units));
      if (!activation.equals("NONE") || r.nextBoolean()) {
        n.attrs.put("activation", "Activation." + activation);
      }
      if (r.nextInt(4) == 0) {
        n.attrs.put("bias", String.valueOf(r.nextBoolean()));
      }
      if (r.nextInt(4) == 0 && !activation.equals("STEP")) {
        n.attrs.put("init", "Init." + pick(INITS));
      }
      n.out = new int[] {units};
      return n;
    }

    private Node layer(Node from) {
      int[] s = from.out;
      if (s.length == 3) {
        return switch (r.nextInt(9)) {
          case 0, 1, 2 -> conv(from);
          case 3, 4 -> pool(from, r.nextBoolean());
          case 5 -> batchNorm(from);
          case 6 -> dropout(from);
          default -> flatten(from);
        };
      }
      if (s.length == 1) {
        return switch (r.nextInt(6)) {
          case 0, 1, 2 -> dense(from, between(1, 8), pick(ACTIVATIONS));
          case 3 -> dropout(from);
          case 4 -> batchNorm(from);
          default -> flatten(from);
        };
      }
      return r.nextBoolean() ? flatten(from) : dropout(from);
    }

    private Node conv(Node from) {
      int h = from.out[1];
      int w = from.out[2];
      Node n = add(pick(new String[] {"conv", "c", "features"}), "Conv", from);
      int filters = between(1, 4);
      n.attrs.put("filters", String.valueOf(filters));
      String padding = pick(new String[] {"VALID", "SAME", "EXPLICIT"});
      int pad = padding.equals("EXPLICIT") ? between(0, 2) : 0;
      int maxH = padding.equals("SAME") ? 4 : Math.min(5, h + 2 * pad);
      int maxW = padding.equals("SAME") ? 4 : Math.min(5, w + 2 * pad);
      int kh;
      int kw;
      boolean square = r.nextBoolean();
      if (square) {
        kh = kw = between(1, Math.min(maxH, maxW));
      } else {
        kh = between(1, maxH);
        kw = between(1, maxW);
      }
      if (padding.equals("EXPLICIT") && pad >= Math.min(kh, kw)) {
        // An explicit pad must stay below the window (else edge windows see only padding):
        // the smallest pad that still fits the kernel, or a kernel that fits unpadded.
        pad = Math.max(0, Math.max(kh - h + 1, kw - w + 1) / 2);
        if (pad >= Math.min(kh, kw)) {
          pad = 0;
          kh = Math.min(kh, h);
          kw = square ? Math.min(kh, w) : Math.min(kw, w);
          kh = square ? kw : kh;
        }
      }
      if (square) {
        n.attrs.put("kernel", String.valueOf(kh));
      } else {
        n.attrs.put("kernelHeight", String.valueOf(kh));
        n.attrs.put("kernelWidth", String.valueOf(kw));
      }
      int stride = between(1, 2);
      if (stride != 1 || r.nextInt(4) == 0) {
        n.attrs.put("stride", String.valueOf(stride));
      }
      if (!padding.equals("VALID") || r.nextInt(4) == 0) {
        n.attrs.put("padding", "Padding." + padding);
      }
      if (padding.equals("EXPLICIT") && (pad != 0 || r.nextBoolean())) {
        n.attrs.put("pad", String.valueOf(pad));
      }
      if (r.nextBoolean()) {
        n.attrs.put("activation", "Activation." + pick(ACTIVATIONS));
      }
      if (r.nextInt(5) == 0) {
        n.attrs.put("bias", "false");
      }
      if (r.nextInt(5) == 0) {
        n.attrs.put("init", "Init." + pick(INITS));
      }
      int oh = padding.equals("SAME") ? (h + stride - 1) / stride : Math.floorDiv(h - kh + 2 * pad, stride) + 1;
      int ow = padding.equals("SAME") ? (w + stride - 1) / stride : Math.floorDiv(w - kw + 2 * pad, stride) + 1;
      n.out = new int[] {filters, oh, ow};
      return n;
    }

    private Node pool(Node from, boolean max) {
      int h = from.out[1];
      int w = from.out[2];
      Node n = add("pool", max ? "MaxPool" : "AvgPool", from);
      int size = between(1, Math.min(3, Math.min(h, w)));
      n.attrs.put("size", String.valueOf(size));
      int stride = r.nextBoolean() ? 0 : between(1, size + 1);
      if (stride != 0) {
        n.attrs.put("stride", String.valueOf(stride));
      }
      int s = stride == 0 ? size : stride;
      n.out = new int[] {from.out[0], Math.floorDiv(h - size, s) + 1, Math.floorDiv(w - size, s) + 1};
      return n;
    }

    private Node batchNorm(Node from) {
      if ("1".equals(maxBatch) && (from.out.length == 3 ? from.out[1] * from.out[2] : 1) < 2) {
        return from; // one value per channel at the largest batch: batch statistics cannot train
      }
      Node n = add("bn", "BatchNorm", from);
      String momentum = pick(new String[] {null, "0.1", "0.01", "1.0", "0.5"});
      if (momentum != null) {
        n.attrs.put("momentum", momentum);
      }
      String epsilon = pick(new String[] {null, "1e-5", "1e-3"});
      if (epsilon != null) {
        n.attrs.put("epsilon", epsilon);
      }
      n.out = from.out;
      return n;
    }

    private Node dropout(Node from) {
      Node n = add("drop", "Dropout", from);
      n.attrs.put("rate", pick(new String[] {"0.0", "0.1", "0.25", "0.5", "0.9"}));
      n.out = from.out;
      return n;
    }

    private Node flatten(Node from) {
      Node n = add("flat", "Flatten", from);
      n.out = new int[] {size(from.out)};
      return n;
    }

    // --- mutations: each returns false when it does not apply to this model ---

    private Node any(java.util.function.Predicate<Node> filter) {
      List<Node> matching = nodes.stream().filter(filter).toList();
      return matching.isEmpty() ? null : matching.get(r.nextInt(matching.size()));
    }

    private Node input() {
      return nodes.stream().filter(n -> n.kind.equals("Input")).findFirst().orElse(null);
    }

    private boolean mutate(Mutation m) {
      switch (m) {
        case UNKNOWN_NAME -> {
          Node n = any(x -> x.tensorParam() >= 0);
          if (n == null) {
            return false;
          }
          int i = n.tensorParam();
          n.params.set(i, n.params.get(i) + "x");
          return true;
        }
        case CYCLE -> {
          // A chain node reads itself or a node after it (not the loss): a cycle back to it.
          List<Node> candidates = chain.stream().filter(n -> !n.kind.equals("Input") && !n.kind.equals("Loss") && n.tensorParam() >= 0).toList();
          if (candidates.isEmpty()) {
            return false;
          }
          Node n = candidates.get(r.nextInt(candidates.size()));
          int from = candidates.indexOf(n);
          Node target = candidates.get(between(from, candidates.size() - 1));
          if (n.params.contains("Tensor " + target.name)) {
            return false; // javac would reject two parameters with one name
          }
          n.params.set(n.tensorParam(), "Tensor " + target.name);
          return true;
        }
        case BAD_ATTRIBUTE -> {
          return badAttribute();
        }
        case WRONG_SHAPE -> {
          return wrongShape();
        }
        case LABELS -> {
          if (loss != null && r.nextInt(4) != 0) {
            int labels = loss.params.size() - 1;
            switch (r.nextInt(3)) {
              case 0 -> loss.params.set(labels, loss.params.get(labels).contains("IntTensor")
                  ? loss.params.get(labels).replace("IntTensor", "Tensor") : loss.params.get(labels).replace("Tensor", "IntTensor"));
              case 1 -> loss.params.remove(labels);
              default -> loss.params.add("@Labels Tensor second" + (++counter));
            }
            return true;
          }
          Node n = any(x -> !x.kind.equals("Loss"));
          if (n == null) {
            return false;
          }
          n.params.add("@Labels Tensor stray" + (++counter));
          return true;
        }
        case NODE_DECLARATION -> {
          Node n = pick(nodes.toArray(Node[]::new));
          switch (r.nextInt(4)) {
            case 0 -> n.hasBody = true;
            case 1 -> n.typeParams = "<T> ";
            case 2 -> n.returnType = "float[]";
            default -> n.params.add("String note" + (++counter));
          }
          return true;
        }
        case NO_LAYER -> {
          Node n = r.nextBoolean() ? pick(nodes.toArray(Node[]::new)) : null;
          if (n != null) {
            n.noAnnotation = true; // an abstract method that lost its layer annotation
          } else {
            Node orphan = add("helper", "Dense", input());
            orphan.noAnnotation = true;
          }
          if (n != null && !n.extraAnnotation.isEmpty()) {
            n.extraAnnotation = "";
          }
          return true;
        }
        case DUPLICATE -> {
          if (r.nextBoolean()) {
            Node n = any(x -> !x.kind.equals("Flatten") && !x.noAnnotation);
            if (n == null) {
              return false;
            }
            n.extraAnnotation = "@Flatten "; // two layer annotations on one method
            return true;
          }
          // An overload of an existing node, declared after it (nothing has three parameters).
          Node original = pick(nodes.toArray(Node[]::new));
          Node overload = new Node(original.name, "Dense");
          overload.attrs.put("units", "2");
          // Six parameters: more than any mutated node can have, so javac sees a true overload.
          overload.params.addAll(List.of("Tensor a", "Tensor b", "Tensor c", "Tensor d", "Tensor e", "Tensor f"));
          nodes.add(overload);
          return true;
        }
        case INT_TENSOR_PARAM -> {
          Node n = any(x -> x.tensorParam() >= 0 && !x.kind.equals("Loss") && x.params.get(x.tensorParam()).startsWith("Tensor "));
          if (n == null) {
            return false;
          }
          n.params.set(n.tensorParam(), n.params.get(n.tensorParam()).replace("Tensor ", "IntTensor "));
          return true;
        }
        case READS_LOSS -> {
          if (loss == null) {
            return false;
          }
          Node after = add("after", "Dense", loss);
          after.attrs.put("units", "1");
          return true;
        }
        case ARITY -> {
          Node n = pick(nodes.toArray(Node[]::new));
          if (n.kind.equals("Input")) {
            n.params.add("Tensor other");
          } else if (r.nextBoolean() && n.tensorParam() >= 0) {
            n.params.remove(n.tensorParam());
          } else {
            Node second = pick(nodes.toArray(Node[]::new));
            String name = n.params.stream().anyMatch(p -> p.endsWith(" " + second.name)) || second.name.equals(n.name) ? "extra" + (++counter) : second.name;
            n.params.add(n.tensorParam() < 0 ? 0 : n.tensorParam() + 1, "Tensor " + name);
          }
          return true;
        }
        case TWO_LOSSES -> {
          if (loss == null) {
            return false;
          }
          Node second = add("mse", "Loss", pick(chain.stream().filter(n -> n != loss).toArray(Node[]::new)));
          second.attrs.put("value", "MEAN_SQUARED_ERROR");
          second.params.add("@Labels Tensor target2");
          return true;
        }
        case NO_INPUT -> {
          Node in = input();
          if (in == null) {
            return false;
          }
          nodes.remove(in);
          return true;
        }
        case STEP -> {
          if (loss != null && !loss.attrs.get("value").equals("PERCEPTRON") && r.nextBoolean()) {
            loss.attrs.put("value", "PERCEPTRON"); // over a node that is not a STEP @Dense
            int labels = loss.params.size() - 1;
            loss.params.set(labels, loss.params.get(labels).replace("IntTensor", "Tensor"));
            return true;
          }
          // STEP on a @Dense that a node other than a perceptron loss reads.
          List<Node> dense = chain.stream().filter(n -> n.kind.equals("Dense") && readByNonPerceptron(n)).toList();
          if (dense.isEmpty()) {
            return false;
          }
          dense.get(r.nextInt(dense.size())).attrs.put("activation", "Activation.STEP");
          return true;
        }
        case NO_OUTPUT -> {
          if (loss != null) {
            return false;
          }
          // A second sink: read any chain node but the last (reading the last would leave one sink).
          Node second = add("other", "Dropout", pick(chain.subList(0, chain.size() - 1).toArray(Node[]::new)));
          second.attrs.put("rate", "0.5");
          return true;
        }
        case CLASS_DECLARATION -> {
          switch (r.nextInt(6)) {
            case 0 -> classHeader = "final class";
            case 1 -> classHeader = "class";
            case 2 -> classHeader = "interface";
            case 3 -> classTypeParams = "<T>";
            case 4 -> wrap = "inner";
            default -> wrap = "private";
          }
          return true;
        }
        default -> throw new AssertionError(m);
      }
    }

    private boolean readByNonPerceptron(Node n) {
      return nodes.stream().anyMatch(x -> n.name.equals(x.reads()) && !(x.kind.equals("Loss") && x.attrs.get("value").equals("PERCEPTRON")));
    }

    private boolean badAttribute() {
      if (r.nextInt(8) == 0) {
        maxBatch = pick(new String[] {"0", "-4", String.valueOf(Integer.MAX_VALUE)});
        return true;
      }
      Node n = any(x -> !x.kind.equals("Flatten") && !x.kind.equals("Loss"));
      if (n == null) {
        return false;
      }
      switch (n.kind) {
        case "Input" -> n.attrs.put("shape", pick(new String[] {"{}", "{0}", "{3, -1}", "{1024, 1024, 64}"}));
        case "Dense" -> n.attrs.put("units", pick(new String[] {"0", "-3", "67108864"}));
        case "Conv" -> {
          switch (r.nextInt(7)) {
            case 0 -> n.attrs.put("filters", pick(new String[] {"0", "-2", "67108864"}));
            case 1 -> {
              n.attrs.remove("kernelHeight");
              n.attrs.remove("kernelWidth");
              n.attrs.put("kernel", pick(new String[] {"-1", "0"})); // 0: no kernel at all
            }
            case 2 -> {
              n.attrs.put("kernel", "3");
              n.attrs.put("kernelHeight", "3");
            }
            case 3 -> n.attrs.put("stride", pick(new String[] {"0", "-1"}));
            case 4 -> {
              n.attrs.put("padding", "Padding.EXPLICIT");
              n.attrs.put("pad", "-1");
            }
            case 5 -> {
              n.attrs.put("padding", "Padding." + pick(new String[] {"VALID", "SAME"}));
              n.attrs.put("pad", "2");
            }
            default -> {
              // A kernel larger than the unpadded input.
              n.attrs.remove("kernelHeight");
              n.attrs.remove("kernelWidth");
              n.attrs.remove("pad");
              n.attrs.put("padding", "Padding.VALID");
              n.attrs.put("kernel", String.valueOf(Math.max(n.in[1], n.in[2]) + 1));
            }
          }
        }
        case "MaxPool", "AvgPool" -> {
          switch (r.nextInt(3)) {
            case 0 -> n.attrs.put("size", "0");
            case 1 -> n.attrs.put("stride", "-1");
            default -> n.attrs.put("size", String.valueOf(Math.max(n.in[1], n.in[2]) + 1));
          }
        }
        case "Dropout" -> n.attrs.put("rate", pick(new String[] {"1.0", "-0.1", "1.5"}));
        case "BatchNorm" -> {
          if (r.nextBoolean()) {
            n.attrs.put("momentum", pick(new String[] {"0", "1.5", "-0.1"}));
          } else {
            n.attrs.put("epsilon", pick(new String[] {"0", "-1e-3"}));
          }
        }
        default -> throw new AssertionError(n.kind);
      }
      return true;
    }

    /** Replaces a layer by one its input's shape cannot feed, keeping its name and parameters. */
    private boolean wrongShape() {
      if (loss != null && loss.attrs.get("value").equals("SOFTMAX_CROSS_ENTROPY") && r.nextBoolean()) {
        Node scored = nodes.stream().filter(n -> n.name.equals(loss.reads())).findFirst().orElseThrow();
        Node image = any(x -> x.out != null && x.out.length > 1 && !x.probe);
        if (image != null) {
          loss.params.set(loss.tensorParam(), "Tensor " + image.name); // softmax over an image
        } else {
          scored.attrs.put("units", "1"); // softmax over one class
        }
        return true;
      }
      Node n = any(x -> x.in != null && !x.kind.equals("Loss") && !x.probe);
      if (n == null) {
        return false;
      }
      n.attrs.clear();
      switch (n.in.length) {
        case 3 -> {
          n.kind = "Dense";
          n.attrs.put("units", "3");
        }
        case 1 -> {
          n.kind = pick(new String[] {"Conv", "MaxPool", "AvgPool"});
          if (n.kind.equals("Conv")) {
            n.attrs.put("filters", "2");
            n.attrs.put("kernel", "1");
          } else {
            n.attrs.put("size", "1");
          }
        }
        default -> {
          n.kind = pick(new String[] {"Dense", "BatchNorm", "Conv", "MaxPool"});
          switch (n.kind) {
            case "Dense" -> n.attrs.put("units", "2");
            case "Conv" -> {
              n.attrs.put("filters", "2");
              n.attrs.put("kernel", "1");
            }
            case "MaxPool" -> n.attrs.put("size", "1");
            default -> { }
          }
        }
      }
      return true;
    }

    private String render() {
      List<String> lines = new ArrayList<>(List.of("package test;", "", "import io.kiln.dsl.*;", ""));
      String model = maxBatch == null ? "@Model" : "@Model(maxBatch = " + maxBatch + ")";
      String indent = wrap.isEmpty() ? "" : "  ";
      if (!wrap.isEmpty()) {
        lines.add("final class " + className + " {");
      }
      String name = wrap.isEmpty() ? className : "Net";
      String header = switch (wrap) {
        case "inner" -> "abstract class";
        case "private" -> "private abstract static class";
        default -> classHeader;
      };
      lines.add(indent + model);
      lines.add(indent + header + " " + name + classTypeParams + " {");
      for (Node n : nodes) {
        lines.add(indent + n.render());
      }
      lines.add(indent + "}");
      if (!wrap.isEmpty()) {
        lines.add("}");
      }
      return String.join("\n", lines) + "\n";
    }
  }
}
