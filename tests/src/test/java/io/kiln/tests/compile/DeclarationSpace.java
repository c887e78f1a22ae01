package io.kiln.tests.compile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fixed list of declarations that explores what the mutants of valid models do not reach: every
 * annotation attribute at its edges (zero, negative, huge, {@code Integer.MAX_VALUE}, empty and
 * over-long arrays, NaN and infinities), every annotation on the elements it can be put on, odd
 * model classes (interfaces, records, inner and local classes, generics, name clashes with the
 * generated class), broken graphs (cycles, missing and misspelled references) and layer
 * combinations that cannot work. Each case is one compilation unit in package {@code space} whose
 * model class names all start with the case id ({@code C0001}).
 */
final class DeclarationSpace {
  /** One declaration to compile: {@code id} starts every class name in {@code source}. */
  record Case(String id, String title, String source) {}

  private static final Pattern SLOT = Pattern.compile("«(\\w+)=([^»]*)»");

  private static final List<String> INTS = List.of("0", "-1", "1000000", "2147483647");
  private static final List<String> INT_ARRAYS = List.of("{}", "{0}", "{-1}", "{2147483647}", "{1, 2, 3}", "{2, 3}");
  private static final List<String> SHAPES = List.of("{}", "{0}", "{2147483647}", "{65536, 65536}", "{1, 2, 3, 4}", "{12, 12, 1}");
  private static final List<String> DOUBLES = List.of("0", "-1", "1", "Double.NaN", "Double.POSITIVE_INFINITY",
      "Double.MIN_VALUE", "1e300");
  private static final List<String> BOOLEANS = List.of("true", "false");

  private final List<Case> cases = new ArrayList<>();

  static List<Case> all() {
    DeclarationSpace space = new DeclarationSpace();
    space.attributeEdges();
    space.modelClasses();
    space.nodeMethods();
    space.wrongElements();
    space.references();
    space.layerCombinations();
    space.generatedNames();
    return space.cases;
  }

  private void add(String title, String body) {
    String id = String.format("C%04d", cases.size() + 1);
    cases.add(new Case(id, title, "package space;\n\nimport io.kiln.dsl.*;\n\n" + body.replace("%N", id) + "\n"));
  }

  // ---------------------------------------------------------------- attribute edges

  /** Which edge values a slot gets, by the kind its name says. */
  private static List<String> edges(String slot) {
    return switch (slot.replaceAll("\\d+$", "")) {
      case "INT" -> INTS;
      case "ARR" -> INT_ARRAYS;
      case "SHAPE" -> SHAPES;
      case "DBL" -> DOUBLES;
      case "BOOL" -> BOOLEANS;
      case "ACT" -> List.of("Activation.NONE", "Activation.SIGMOID", "Activation.TANH", "Activation.GELU", "Activation.STEP");
      case "INIT" -> List.of("Init.XAVIER_NORMAL", "Init.XAVIER_UNIFORM", "Init.HE_NORMAL", "Init.HE_UNIFORM", "Init.ZEROS", "Init.ONES");
      case "PAD" -> List.of("Padding.SAME", "Padding.EXPLICIT");
      case "LOSS" -> List.of("LossKind.SIGMOID_BINARY_CROSS_ENTROPY", "LossKind.MEAN_SQUARED_ERROR", "LossKind.PERCEPTRON");
      case "SCORE" -> List.of("Score.GENERAL", "Score.ADDITIVE");
      case "CELL" -> List.of("Gru", "Rnn");
      case "STR" -> List.of("\"\"", "\"missing\"", "\"e\"", "\"o\"", "\"text\"", "\"E\"");
      default -> throw new IllegalArgumentException("no edges for slot " + slot);
    };
  }

  /**
   * A valid model with slots {@code «KIND=default»}: the model with every default, then one model
   * per slot and edge value, the other slots at their defaults.
   */
  private void template(String title, String text) {
    Map<String, String> defaults = new LinkedHashMap<>();
    Matcher m = SLOT.matcher(text);
    int n = 0;
    while (m.find()) {
      defaults.put(m.group(1) + "#" + n++, m.group(2));
    }
    add(title + " (as declared)", fill(text, -1, null));
    int index = 0;
    for (Map.Entry<String, String> slot : defaults.entrySet()) {
      String kind = slot.getKey().substring(0, slot.getKey().indexOf('#'));
      for (String value : edges(kind)) {
        if (!value.equals(slot.getValue())) {
          add(title + ": slot " + index + " = " + value, fill(text, index, value));
        }
      }
      index++;
    }
  }

  private static String fill(String text, int slot, String value) {
    Matcher m = SLOT.matcher(text);
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(i++ == slot ? value : m.group(2)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private void attributeEdges() {
    template("mlp", """
        @Model(maxBatch = «INT=4»)
        abstract class %N {
          @Input(shape = «SHAPE={8}») abstract Tensor x();
          @Dense(units = «INT=6», activation = «ACT=Activation.RELU», init = «INIT=Init.DEFAULT», bias = «BOOL=true») abstract Tensor h(Tensor x);
          @Dense(units = 3) abstract Tensor o(Tensor h);
          @Loss(value = LossKind.SOFTMAX_CROSS_ENTROPY, ignoreIndex = «INT=-2147483648») abstract Tensor loss(Tensor o, @Labels IntTensor y);
        }""");
    template("regression loss", """
        @Model(maxBatch = 4)
        abstract class %N {
          @Input(shape = 5) abstract Tensor x();
          @Dense(units = 2) abstract Tensor o(Tensor x);
          @Loss(«LOSS=LossKind.MEAN_SQUARED_ERROR») abstract Tensor loss(Tensor o, @Labels Tensor y);
        }""");
    template("conv", """
        @Model(maxBatch = 4)
        abstract class %N {
          @Input(shape = «SHAPE={1, 12, 12}») abstract Tensor image();
          @Conv(filters = «INT=4», kernel = «INT=3», stride = «ARR=1», padding = «PAD=Padding.VALID», pad = «ARR=0», dilation = «ARR=1»,
              activation = Activation.RELU) abstract Tensor c1(Tensor image);
          @MaxPool(size = «ARR=2», stride = «ARR=0») abstract Tensor p1(Tensor c1);
          @Flatten abstract Tensor flat(Tensor p1);
          @Dense(units = 3) abstract Tensor o(Tensor flat);
          @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor y);
        }""");
    template("conv with a rectangular kernel and explicit padding", """
        @Model(maxBatch = 4)
        abstract class %N {
          @Input(shape = {2, 10, 9}) abstract Tensor image();
          @Conv(filters = 3, kernelHeight = «INT=3», kernelWidth = «INT=2», padding = Padding.EXPLICIT, pad = «ARR={1, 0}»)
              abstract Tensor c1(Tensor image);
          @AvgPool(size = «ARR={2, 2}», stride = «ARR={2, 1}») abstract Tensor p1(Tensor c1);
          @BatchNorm(momentum = «DBL=0.1», epsilon = «DBL=1e-5») abstract Tensor bn(Tensor p1);
          @GlobalAvgPool abstract Tensor g(Tensor bn);
          @Dropout(rate = «DBL=0.5») abstract Tensor d(Tensor g);
          @Dense(units = 2) abstract Tensor o(Tensor d);
          @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor y);
        }""");
    template("conv1d", """
        @Model(maxBatch = 4)
        abstract class %N {
          @Input(shape = «SHAPE={2, 16}») abstract Tensor signal();
          @Conv1d(filters = «INT=4», kernel = «INT=3», stride = «INT=1», padding = «PAD=Padding.VALID», pad = «INT=0», dilation = «INT=1»)
              abstract Tensor c(Tensor signal);
          @MaxPool1d(size = «INT=2», stride = «INT=0») abstract Tensor p(Tensor c);
          @AvgPool1d(size = «INT=2», stride = «INT=1») abstract Tensor a(Tensor p);
          @Flatten abstract Tensor flat(Tensor a);
          @Dense(units = 2) abstract Tensor o(Tensor flat);
          @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor y);
        }""");
    template("char rnn", """
        @Model(maxBatch = 4)
        abstract class %N {
          @Tokens(maxLength = «INT=8», decoded = «BOOL=false») abstract IntTensor text();
          @Embedding(vocab = «INT=12», dim = «INT=6») abstract Tensor e(IntTensor text);
          @«CELL=Lstm»(units = «INT=10», returnSequences = «BOOL=true», bias = «BOOL=true», bidirectional = «BOOL=false») abstract Tensor l(Tensor e);
          @Dense(units = «INT=12») abstract Tensor o(Tensor l);
          @Loss(value = LossKind.SOFTMAX_CROSS_ENTROPY, ignoreIndex = «INT=-2147483648») abstract Tensor loss(Tensor o, @Labels IntTensor next);
        }""");
    template("rnn activation", """
        @Model(maxBatch = 4)
        abstract class %N {
          @Tokens(maxLength = 5) abstract IntTensor text();
          @Embedding(vocab = 7, dim = 3) abstract Tensor e(IntTensor text);
          @Rnn(units = 4, activation = «ACT=Activation.TANH», returnSequences = false) abstract Tensor l(Tensor e);
          @Dense(units = 1) abstract Tensor o(Tensor l);
          @Loss(LossKind.SIGMOID_BINARY_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels Tensor y);
        }""");
    template("float series", """
        @Model(maxBatch = 4)
        abstract class %N {
          @Input(shape = «SHAPE={4}», maxLength = «INT=6») abstract Tensor frames();
          @Gru(units = 5, returnSequences = «BOOL=false», bidirectional = «BOOL=false») abstract Tensor g(Tensor frames);
          @Dense(units = 2) abstract Tensor o(Tensor g);
          @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);
        }""");
    template("gpt", """
        @Model(maxBatch = 4)
        abstract class %N {
          @Tokens(maxLength = «INT=8», decoded = «BOOL=true») abstract IntTensor text();
          @Embedding(vocab = «INT=10», dim = «INT=8») abstract Tensor e(IntTensor text);
          @PositionEmbedding(maxLength = «INT=0») abstract Tensor p(Tensor e);
          @Repeat(block = Layer.class, times = «INT=2») abstract Tensor b(Tensor p);
          @LayerNorm(epsilon = «DBL=1e-5») abstract Tensor n(Tensor b);
          @Dense(units = «INT=10») abstract Tensor o(Tensor n);
          @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);

          @Block
          abstract static class Layer {
            @BlockInput abstract Tensor x();
            @LayerNorm abstract Tensor norm1(Tensor x);
            @MultiHeadAttention(heads = «INT=2», causal = «BOOL=true») abstract Tensor attn(Tensor norm1);
            @Add abstract Tensor r1(Tensor x, Tensor attn);
            @Dense(units = «INT=16», activation = Activation.GELU) abstract Tensor up(Tensor r1);
            @Dense(units = «INT=8») abstract Tensor down(Tensor up);
            @Add abstract Tensor r2(Tensor r1, Tensor down);
          }
        }""");
    template("seq2seq with attention", """
        @Model(maxBatch = 4)
        abstract class %N {
          @Tokens(maxLength = 6) abstract IntTensor source();
          @Tokens(maxLength = «INT=5», decoded = «BOOL=true») abstract IntTensor target();
          @Embedding(vocab = 9, dim = 4) abstract Tensor se(IntTensor source);
          @Embedding(vocab = 9, dim = 4, shares = «STR="se"») abstract Tensor te(IntTensor target);
          @Gru(units = 6, bidirectional = «BOOL=false») abstract Tensor enc(Tensor se);
          @Gru(units = «INT=6», bidirectional = «BOOL=false») abstract Tensor dec(Tensor te, @InitialState Tensor enc);
          @Attention(score = «SCORE=Score.DOT», units = «INT=0») abstract Tensor context(Tensor dec, Tensor enc);
          @Concat abstract Tensor joined(Tensor dec, Tensor context);
          @Dense(units = «INT=9») abstract Tensor o(Tensor joined);
          @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);
        }""");
    template("perceptron", """
        @Model(maxBatch = 4)
        abstract class %N {
          @Input(shape = «SHAPE={2}») abstract Tensor x();
          @Dense(units = «INT=1», activation = Activation.STEP) abstract Tensor o(Tensor x);
          @Loss(«LOSS=LossKind.PERCEPTRON») abstract Tensor loss(Tensor o, @Labels Tensor y);
        }""");
  }

  // ---------------------------------------------------------------- model classes

  private static final String NODES = """
        @Input(shape = 3) abstract Tensor x();
        @Dense(units = 2) abstract Tensor o(Tensor x);
        @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);
      """;

  /** The opening of a model reading a vector {@code x}, and the loss closing it over a node {@code o}. */
  private static final String VECTOR_MODEL = "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n";
  private static final String MSE_LOSS = "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);\n}";

  private void modelClasses() {
    add("an interface as the model", "@Model interface %N {\n  @Input(shape = 3) Tensor x();\n  @Dense(units = 2) Tensor o(Tensor x);\n}");
    add("an enum as the model", "@Model enum %N { A }");
    add("a record as the model", "@Model record %N(int a) {}");
    add("an annotation type as the model", "@Model @interface %N {}");
    add("a concrete class as the model", "@Model class %N {\n  @Input(shape = 3) Tensor x() { return null; }\n}");
    add("a final class as the model", "@Model final class %N {}");
    add("a model without nodes", "@Model abstract class %N {}");
    add("a model with only an input", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n}");
    add("a model without a loss", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n  @Dense(units = 2) abstract Tensor o(Tensor x);\n}");
    add("a generic model class", "@Model abstract class %N<T> {\n" + NODES + "}");
    add("a static nested model", "class %NOuter {\n  @Model abstract static class %N {\n" + NODES + "  }\n}");
    add("an inner (non-static) model", "class %NOuter {\n  @Model abstract class %N {\n" + NODES + "  }\n}");
    add("a private nested model", "class %NOuter {\n  @Model private abstract static class %N {\n" + NODES + "  }\n}");
    add("a model nested in an interface", "interface %NOuter {\n  @Model abstract class %N {\n" + NODES + "  }\n}");
    add("a local model class", "class %NOuter {\n  void f() {\n    @Model abstract class %N {\n" + NODES + "    }\n  }\n}");
    add("a model with a private constructor", "@Model abstract class %N {\n  private %N() {}\n" + NODES + "}");
    add("a model with only a constructor taking arguments", "@Model abstract class %N {\n  %N(int a) {}\n" + NODES + "}");
    add("two models in one file", "@Model abstract class %N {\n" + NODES + "}\n@Model abstract class %NTwo {\n" + NODES + "}");
    add("a model extending a model", "@Model abstract class %N {\n" + NODES + "}\n@Model abstract class %NSub extends %N {}");
    add("nodes inherited from an abstract superclass", "abstract class %NBase {\n" + NODES + "}\n@Model abstract class %N extends %NBase {}");
    add("a node overriding an inherited node", "abstract class %NBase {\n" + NODES + "}\n@Model abstract class %N extends %NBase {\n"
        + "  @Dense(units = 2) @Override abstract Tensor o(Tensor x);\n}");
    add("nodes from an interface", "interface %NBase {\n  @Input(shape = 3) Tensor x();\n}\n@Model abstract class %N implements %NBase {\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);\n}");
    add("a model extending a concrete class with a field", "class %NBase { int a = 1; }\n@Model abstract class %N extends %NBase {\n" + NODES + "}");
    add("a model with fields and a concrete helper", "@Model abstract class %N {\n  static final int SIZE = 3;\n  int count;\n"
        + "  int helper() { return 1; }\n" + NODES + "}");
    add("a @Block used as a model", "@Model @Block abstract class %N {\n" + NODES + "}");
    add("a model in a class that also holds another model's block", "@Model abstract class %N {\n" + NODES
        + "  @Block abstract static class Unused {\n    @BlockInput abstract Tensor x();\n    @Dense(units = 3) abstract Tensor d(Tensor x);\n  }\n}");
    add("maxBatch at its edge with a large input", "@Model(maxBatch = 2147483647) abstract class %N {\n" + NODES.replace("shape = 3", "shape = 4096") + "}");
    add("a deprecated model", "@Deprecated @Model abstract class %N {\n" + NODES + "}");
    add("a model with a javadoc and comments", "/** A model. */\n@Model abstract class %N {\n  /** The input. */\n" + NODES + "}");
    add("a model with an unrelated annotation on nodes", "@Model abstract class %N {\n  @Input(shape = 3) @Deprecated abstract Tensor x();\n"
        + "  @Dense(units = 2) @SuppressWarnings(\"x\") abstract Tensor o(Tensor x);\n"
        + "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);\n}");
  }

  // ---------------------------------------------------------------- node methods

  private void nodeMethods() {
    String head = VECTOR_MODEL;
    String tail = MSE_LOSS;
    for (String type : List.of("int", "float[][]", "String", "IntTensor", "Object", "java.util.List<Tensor>", "Tensor[]", "void", "%NRec")) {
      String rec = type.equals("%NRec") ? "record %NRec(int a) {}\n" : "";
      add("a dense returning " + type, rec + head + "  @Dense(units = 2) abstract " + type + " o(Tensor x);\n" + tail);
    }
    for (String type : List.of("int", "float[]", "IntTensor", "Object", "String", "Tensor[]")) {
      add("a dense reading a parameter of type " + type, head + "  @Dense(units = 2) abstract Tensor o(" + type + " x);\n" + tail);
    }
    add("an input with a parameter", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x(Tensor y);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n}");
    add("an input returning IntTensor", "@Model abstract class %N {\n  @Input(shape = 3) abstract IntTensor x();\n"
        + "  @Dense(units = 2) abstract Tensor o(IntTensor x);\n" + tail);
    add("tokens returning Tensor", "@Model abstract class %N {\n  @Tokens(maxLength = 4) abstract Tensor x();\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n" + tail);
    add("a node with a body", head + "  @Dense(units = 2) Tensor o(Tensor x) { return x; }\n" + tail);
    add("a generic node method", head + "  @Dense(units = 2) abstract <T> Tensor o(Tensor x);\n" + tail);
    add("a node with a throws clause", head + "  @Dense(units = 2) abstract Tensor o(Tensor x) throws Exception;\n" + tail);
    add("a varargs node", head + "  @Dense(units = 2) abstract Tensor o(Tensor... x);\n" + tail);
    add("a protected node", head + "  @Dense(units = 2) protected abstract Tensor o(Tensor x);\n" + tail);
    add("a public node", head + "  @Dense(units = 2) public abstract Tensor o(Tensor x);\n" + tail);
    add("overloaded nodes", head + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n  @Dense(units = 2) abstract Tensor o(Tensor x, Tensor y);\n" + tail);
    add("a static annotated method", head + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n  @Dense(units = 2) static Tensor s(Tensor x) { return x; }\n" + tail);
    add("an abstract method without annotation", head + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n  abstract Tensor plain(Tensor o);\n" + tail);
    add("an abstract int method without annotation", head + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n  abstract int size();\n" + tail);
    add("two layer annotations on one node", head + "  @Dense(units = 2) @Dropout(rate = 0.5) abstract Tensor o(Tensor x);\n" + tail);
    add("an @Input that is also a @Dense", "@Model abstract class %N {\n  @Input(shape = 3) @Dense(units = 3) abstract Tensor x();\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n" + tail);
    add("two inputs", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n  @Input(shape = 3) abstract Tensor z();\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n" + tail);
    add("two inputs both used", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n  @Input(shape = 3) abstract Tensor z();\n"
        + "  @Add abstract Tensor s(Tensor x, Tensor z);\n  @Dense(units = 2) abstract Tensor o(Tensor s);\n" + tail);
    add("two losses", head + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n" + tail.replace("}", "")
        + "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss2(Tensor o, @Labels Tensor z);\n}");
    add("labels twice", head + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n"
        + "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(@Labels Tensor o, @Labels Tensor y);\n}");
    add("a loss without labels", head + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n"
        + "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o);\n}");
    add("a loss reading two nodes and labels", head + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n"
        + "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, Tensor x, @Labels Tensor y);\n}");
    add("labels on a dense", head + "  @Dense(units = 2) abstract Tensor o(Tensor x, @Labels Tensor y);\n" + tail);
    add("labels named like a node", head + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n"
        + "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor x);\n}");
    add("a node reading the loss", head + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n" + tail.replace("}", "")
        + "  @Dense(units = 2) abstract Tensor after(Tensor loss);\n}");
    add("initial state on a dense", head + "  @Dense(units = 2) abstract Tensor o(Tensor x, @InitialState Tensor x2);\n" + tail);
    add("a block input in the model", head + "  @BlockInput abstract Tensor b();\n  @Dense(units = 2) abstract Tensor o(Tensor x);\n" + tail);
    add("a @Block class that is not repeated", head + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n" + tail.replace("}", "")
        + "  @Block abstract static class B {\n    @BlockInput abstract Tensor i();\n    @Dense(units = 3) abstract Tensor d(Tensor i);\n  }\n}");
    add("a repeat of a non-block class", head + "  @Repeat(block = String.class, times = 2) abstract Tensor r(Tensor x);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor r);\n" + tail);
    add("a repeat of the model itself", head + "  @Repeat(block = %N.class, times = 2) abstract Tensor r(Tensor x);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor r);\n" + tail);
    add("a block that repeats itself", head + "  @Repeat(block = B.class, times = 2) abstract Tensor r(Tensor x);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor r);\n" + tail.replace("}", "")
        + "  @Block abstract static class B {\n    @BlockInput abstract Tensor i();\n"
        + "    @Repeat(block = B.class, times = 2) abstract Tensor d(Tensor i);\n  }\n}");
    add("a block without a block input", head + "  @Repeat(block = B.class, times = 2) abstract Tensor r(Tensor x);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor r);\n" + tail.replace("}", "")
        + "  @Block abstract static class B {\n    @Input(shape = 3) abstract Tensor i();\n    @Dense(units = 3) abstract Tensor d(Tensor i);\n  }\n}");
    add("a block with two block inputs", head + "  @Repeat(block = B.class, times = 2) abstract Tensor r(Tensor x);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor r);\n" + tail.replace("}", "")
        + "  @Block abstract static class B {\n    @BlockInput abstract Tensor i();\n    @BlockInput abstract Tensor j();\n"
        + "    @Add abstract Tensor d(Tensor i, Tensor j);\n  }\n}");
    add("an empty block", head + "  @Repeat(block = B.class, times = 2) abstract Tensor r(Tensor x);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor r);\n" + tail.replace("}", "") + "  @Block abstract static class B {}\n}");
    add("a block with a loss", head + "  @Repeat(block = B.class, times = 1) abstract Tensor r(Tensor x);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor r);\n" + tail.replace("}", "")
        + "  @Block abstract static class B {\n    @BlockInput abstract Tensor i();\n"
        + "    @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor l(Tensor i, @Labels Tensor y);\n  }\n}");
    add("a block reading a model node", head + "  @Repeat(block = B.class, times = 2) abstract Tensor r(Tensor x);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor r);\n" + tail.replace("}", "")
        + "  @Block abstract static class B {\n    @BlockInput abstract Tensor i();\n    @Add abstract Tensor d(Tensor i, Tensor x);\n  }\n}");
    add("a block with tokens inside", head + "  @Repeat(block = B.class, times = 2) abstract Tensor r(Tensor x);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor r);\n" + tail.replace("}", "")
        + "  @Block abstract static class B {\n    @BlockInput abstract Tensor i();\n    @Tokens(maxLength = 3) abstract IntTensor t();\n"
        + "    @Dense(units = 3) abstract Tensor d(Tensor i);\n  }\n}");
    add("a repeat with labels", head + "  @Repeat(block = B.class, times = 2) abstract Tensor r(Tensor x, @Labels Tensor q);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor r);\n" + tail.replace("}", "")
        + "  @Block abstract static class B {\n    @BlockInput abstract Tensor i();\n    @Dense(units = 3) abstract Tensor d(Tensor i);\n  }\n}");
    add("a repeat reading two nodes", head + "  @Repeat(block = B.class, times = 2) abstract Tensor r(Tensor x, Tensor x2);\n"
        + "  @Dense(units = 3) abstract Tensor x2(Tensor x);\n  @Dense(units = 2) abstract Tensor o(Tensor r);\n" + tail.replace("}", "")
        + "  @Block abstract static class B {\n    @BlockInput abstract Tensor i();\n    @Dense(units = 3) abstract Tensor d(Tensor i);\n  }\n}");
  }

  /** Annotations where their {@code @Target} does not allow them: javac's own error, which the processor must survive. */
  private void wrongElements() {
    String tail = "  @Dense(units = 2) abstract Tensor o(Tensor x);\n}";
    add("@Input on a field", "@Model abstract class %N {\n  @Input(shape = 3) Tensor x;\n" + tail);
    add("@Dense on a static field", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n  @Dense(units = 2) static Tensor f;\n" + tail);
    add("@Labels on a method", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n  @Labels abstract Tensor y();\n" + tail);
    add("@Model on a method", "abstract class %N {\n  @Model abstract Tensor x();\n}");
    add("@Block on a method", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n  @Block abstract Tensor b(Tensor x);\n" + tail);
    add("@Dense on a class", "@Dense(units = 2) @Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n" + tail);
    add("@Input on a constructor", "@Model abstract class %N {\n  @Input(shape = 3) %N() {}\n  @Input(shape = 3) abstract Tensor x();\n" + tail);
    add("@Dense on a parameter", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n"
        + "  @Dense(units = 2) abstract Tensor o(@Dense(units = 2) Tensor x);\n}");
    add("@Dense on a final method", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n"
        + "  @Dense(units = 2) final Tensor o(Tensor x) { return x; }\n}");
    add("@Dense on a private method", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n"
        + "  @Dense(units = 2) private Tensor o(Tensor x) { return x; }\n}");
    add("@Dense on a default interface method", "interface %NBase {\n  @Dense(units = 2) default Tensor o(Tensor x) { return x; }\n}\n"
        + "@Model abstract class %N implements %NBase {\n  @Input(shape = 3) abstract Tensor x();\n}");
    add("@Dense on an enum constant's method", "enum %NKind {\n  A;\n  @Dense(units = 2) Tensor o(Tensor x) { return x; }\n}");
    add("@InitialState on a method", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n  @InitialState abstract Tensor s();\n" + tail);
    add("vocabulary of one", "@Model abstract class %N {\n  @Tokens(maxLength = 4) abstract IntTensor t();\n"
        + "  @Embedding(vocab = 1, dim = 2) abstract Tensor e(IntTensor t);\n  @Dense(units = 2) abstract Tensor o(Tensor e);\n"
        + "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor l(Tensor o, @Labels IntTensor y);\n}");
    add("sequences of one step", "@Model abstract class %N {\n  @Tokens(maxLength = 1, decoded = true) abstract IntTensor t();\n"
        + "  @Embedding(vocab = 5, dim = 4) abstract Tensor e(IntTensor t);\n  @PositionEmbedding abstract Tensor p(Tensor e);\n"
        + "  @MultiHeadAttention(heads = 4, causal = true) abstract Tensor a(Tensor p);\n  @Dense(units = 5) abstract Tensor o(Tensor a);\n"
        + "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor l(Tensor o, @Labels IntTensor y);\n}");
    add("a batch of one", "@Model(maxBatch = 1) abstract class %N {\n  @Input(shape = {1, 3, 3}) abstract Tensor x();\n"
        + "  @Conv(filters = 1, kernel = 3) abstract Tensor c(Tensor x);\n  @BatchNorm abstract Tensor n(Tensor c);\n"
        + "  @Flatten abstract Tensor f(Tensor n);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n"
        + "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor l(Tensor o, @Labels IntTensor y);\n}");
    add("a one-pixel image through every image layer", "@Model abstract class %N {\n  @Input(shape = {1, 1, 1}) abstract Tensor x();\n"
        + "  @Conv(filters = 2, kernel = 1) abstract Tensor c(Tensor x);\n  @MaxPool(size = 1) abstract Tensor p(Tensor c);\n"
        + "  @AvgPool(size = 1) abstract Tensor a(Tensor p);\n  @GlobalAvgPool abstract Tensor g(Tensor a);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor g);\n  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor l(Tensor o, @Labels IntTensor y);\n}");
  }

  // ---------------------------------------------------------------- references

  private void references() {
    String head = VECTOR_MODEL;
    String tail = MSE_LOSS;
    add("a reference to a missing node", head + "  @Dense(units = 2) abstract Tensor o(Tensor missing);\n" + tail);
    add("a misspelled reference", head + "  @Dense(units = 2) abstract Tensor o(Tensor X);\n" + tail);
    add("a reference to itself", head + "  @Dense(units = 2) abstract Tensor o(Tensor o);\n" + tail);
    add("a reference to a node declared later", head + "  @Dense(units = 3) abstract Tensor h(Tensor z);\n"
        + "  @Dense(units = 3) abstract Tensor z(Tensor x);\n  @Dense(units = 2) abstract Tensor o(Tensor h);\n" + tail);
    add("a cycle of two", head + "  @Dense(units = 3) abstract Tensor a(Tensor b);\n  @Dense(units = 3) abstract Tensor b(Tensor a);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor b);\n" + tail);
    add("a cycle through an add", head + "  @Add abstract Tensor a(Tensor x, Tensor c);\n  @Dense(units = 3) abstract Tensor c(Tensor a);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n" + tail);
    add("a cycle not reaching the input", head + "  @Dense(units = 3) abstract Tensor a(Tensor b);\n  @Dense(units = 3) abstract Tensor b(Tensor a);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor x);\n" + tail);
    add("an add of a node with itself", head + "  @Add abstract Tensor a(Tensor x, Tensor x);\n  @Dense(units = 2) abstract Tensor o(Tensor a);\n" + tail);
    add("a reference to the labels", head + "  @Dense(units = 2) abstract Tensor o(Tensor y);\n" + tail);
    add("a reference to a method without annotation", head + "  abstract Tensor helper();\n  @Dense(units = 2) abstract Tensor o(Tensor helper);\n" + tail);
    add("a dense reading two nodes", head + "  @Dense(units = 2) abstract Tensor o(Tensor x, Tensor x2);\n  @Dense(units = 3) abstract Tensor x2(Tensor x);\n" + tail);
    add("a dense reading nothing", head + "  @Dense(units = 2) abstract Tensor o();\n" + tail);
    add("an add reading one node", head + "  @Add abstract Tensor a(Tensor x);\n  @Dense(units = 2) abstract Tensor o(Tensor a);\n" + tail);
    add("an add of three nodes", head + "  @Dense(units = 3) abstract Tensor b(Tensor x);\n  @Add abstract Tensor a(Tensor x, Tensor b, Tensor x);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor a);\n" + tail);
    add("a concat reading one node", head + "  @Concat abstract Tensor a(Tensor x);\n  @Dense(units = 2) abstract Tensor o(Tensor a);\n" + tail);
    add("a concat of five nodes", head + "  @Concat abstract Tensor a(Tensor x, Tensor b, Tensor c, Tensor d, Tensor e);\n"
        + "  @Dense(units = 1) abstract Tensor b(Tensor x);\n  @Dense(units = 1) abstract Tensor c(Tensor x);\n"
        + "  @Dense(units = 1) abstract Tensor d(Tensor x);\n  @Dense(units = 1) abstract Tensor e(Tensor x);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor a);\n" + tail);
    add("embedding shares a dense", "@Model abstract class %N {\n  @Tokens(maxLength = 4) abstract IntTensor t();\n"
        + "  @Embedding(vocab = 5, dim = 3) abstract Tensor e(IntTensor t);\n  @Embedding(vocab = 5, dim = 3, shares = \"h\") abstract Tensor f(IntTensor t);\n"
        + "  @Dense(units = 3) abstract Tensor h(Tensor e);\n  @Add abstract Tensor s(Tensor h, Tensor f);\n"
        + "  @Dense(units = 5) abstract Tensor o(Tensor s);\n  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor y);\n}");
    add("embeddings sharing each other", "@Model abstract class %N {\n  @Tokens(maxLength = 4) abstract IntTensor t();\n"
        + "  @Embedding(vocab = 5, dim = 3, shares = \"f\") abstract Tensor e(IntTensor t);\n  @Embedding(vocab = 5, dim = 3, shares = \"e\") abstract Tensor f(IntTensor t);\n"
        + "  @Add abstract Tensor s(Tensor e, Tensor f);\n"
        + "  @Dense(units = 5) abstract Tensor o(Tensor s);\n  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor y);\n}");
    add("initial state from a dense", "@Model abstract class %N {\n  @Tokens(maxLength = 4) abstract IntTensor t();\n"
        + "  @Embedding(vocab = 5, dim = 3) abstract Tensor e(IntTensor t);\n  @Dense(units = 4) abstract Tensor h0(Tensor e);\n"
        + "  @Lstm(units = 4) abstract Tensor l(Tensor e, @InitialState Tensor h0);\n"
        + "  @Dense(units = 5) abstract Tensor o(Tensor l);\n  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor y);\n}");
    add("initial state from itself", "@Model abstract class %N {\n  @Tokens(maxLength = 4) abstract IntTensor t();\n"
        + "  @Embedding(vocab = 5, dim = 3) abstract Tensor e(IntTensor t);\n"
        + "  @Gru(units = 4) abstract Tensor l(Tensor e, @InitialState Tensor l);\n"
        + "  @Dense(units = 5) abstract Tensor o(Tensor l);\n  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor y);\n}");
  }

  // ---------------------------------------------------------------- layer combinations

  private void layerCombinations() {
    String tokens = "@Model abstract class %N {\n  @Tokens(maxLength = 6) abstract IntTensor t();\n"
        + "  @Embedding(vocab = 7, dim = 4) abstract Tensor e(IntTensor t);\n";
    String image = "@Model abstract class %N {\n  @Input(shape = {1, 8, 8}) abstract Tensor image();\n";
    String ce = "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor y);\n}";
    add("recurrent after conv without flatten", image + "  @Conv(filters = 2, kernel = 3) abstract Tensor c(Tensor image);\n"
        + "  @Lstm(units = 3) abstract Tensor l(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor l);\n" + ce);
    add("recurrent over a vector", "@Model abstract class %N {\n  @Input(shape = 4) abstract Tensor v();\n"
        + "  @Gru(units = 3) abstract Tensor l(Tensor v);\n  @Dense(units = 2) abstract Tensor o(Tensor l);\n" + ce);
    add("recurrent over a fixed-length series", "@Model abstract class %N {\n  @Input(shape = {6, 4}) abstract Tensor v();\n"
        + "  @Lstm(units = 3, returnSequences = false) abstract Tensor l(Tensor v);\n  @Dense(units = 2) abstract Tensor o(Tensor l);\n" + ce);
    add("attention over vectors", "@Model abstract class %N {\n  @Input(shape = 4) abstract Tensor a();\n  @Input(shape = 4) abstract Tensor b();\n"
        + "  @Attention abstract Tensor c(Tensor a, Tensor b);\n  @Dense(units = 2) abstract Tensor o(Tensor c);\n" + ce);
    add("multi-head attention over vectors", "@Model abstract class %N {\n  @Input(shape = 4) abstract Tensor a();\n"
        + "  @MultiHeadAttention(heads = 2) abstract Tensor c(Tensor a);\n  @Dense(units = 2) abstract Tensor o(Tensor c);\n" + ce);
    add("multi-head attention over an image", image + "  @MultiHeadAttention(heads = 1) abstract Tensor c(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("multi-head attention with heads not dividing the width", tokens + "  @MultiHeadAttention(heads = 3) abstract Tensor c(Tensor e);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor c);\n" + ce);
    add("multi-head attention with more heads than width", tokens + "  @MultiHeadAttention(heads = 8) abstract Tensor c(Tensor e);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor c);\n" + ce);
    add("attention of sequences with different widths", tokens + "  @Lstm(units = 5) abstract Tensor k(Tensor e);\n"
        + "  @Attention abstract Tensor c(Tensor e, Tensor k);\n  @Dense(units = 7) abstract Tensor o(Tensor c);\n" + ce);
    add("attention reading one node", tokens + "  @Attention abstract Tensor c(Tensor e);\n  @Dense(units = 7) abstract Tensor o(Tensor c);\n" + ce);
    add("attention over a sequence and its own states", tokens + "  @Attention(score = Score.ADDITIVE, units = 3) abstract Tensor c(Tensor e, Tensor e);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor c);\n" + ce);
    add("pooling bigger than its input", image + "  @MaxPool(size = 9) abstract Tensor p(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor p);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("pooling of a vector", "@Model abstract class %N {\n  @Input(shape = 8) abstract Tensor v();\n"
        + "  @MaxPool(size = 2) abstract Tensor p(Tensor v);\n  @Dense(units = 2) abstract Tensor o(Tensor p);\n" + ce);
    add("pooling of a sequence", tokens + "  @MaxPool(size = 2) abstract Tensor p(Tensor e);\n  @Dense(units = 7) abstract Tensor o(Tensor p);\n" + ce);
    add("1-d pooling of an image", image + "  @MaxPool1d(size = 2) abstract Tensor p(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor p);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("conv1d over an image", image + "  @Conv1d(filters = 2, kernel = 3) abstract Tensor c(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("conv1d over a token sequence", tokens + "  @Conv1d(filters = 2, kernel = 3) abstract Tensor c(Tensor e);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor c);\n" + ce);
    add("conv kernel bigger than the padded input", image + "  @Conv(filters = 2, kernel = 11, padding = Padding.EXPLICIT, pad = 1) abstract Tensor c(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("dilation making the receptive field too big", image + "  @Conv(filters = 2, kernel = 3, dilation = 4) abstract Tensor c(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("stride bigger than the input", image + "  @Conv(filters = 2, kernel = 3, stride = 20) abstract Tensor c(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("same padding with stride and dilation", image + "  @Conv(filters = 2, kernel = 3, stride = 3, dilation = 2, padding = Padding.SAME) abstract Tensor c(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("padding larger than the kernel", image + "  @Conv(filters = 2, kernel = 1, padding = Padding.EXPLICIT, pad = 5) abstract Tensor c(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("a pad with valid padding", image + "  @Conv(filters = 2, kernel = 3, pad = 1) abstract Tensor c(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("kernel and kernelHeight both", image + "  @Conv(filters = 2, kernel = 3, kernelHeight = 2) abstract Tensor c(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("no kernel at all", image + "  @Conv(filters = 2) abstract Tensor c(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("only kernelWidth", image + "  @Conv(filters = 2, kernelWidth = 3) abstract Tensor c(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("conv over a vector", "@Model abstract class %N {\n  @Input(shape = 8) abstract Tensor v();\n"
        + "  @Conv(filters = 2, kernel = 3) abstract Tensor c(Tensor v);\n  @Dense(units = 2) abstract Tensor o(Tensor c);\n" + ce);
    add("dense over an image without flatten", image + "  @Dense(units = 2) abstract Tensor o(Tensor image);\n" + ce);
    add("flatten of a vector", "@Model abstract class %N {\n  @Input(shape = 8) abstract Tensor v();\n"
        + "  @Flatten abstract Tensor f(Tensor v);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("flatten twice", image + "  @Flatten abstract Tensor f(Tensor image);\n  @Flatten abstract Tensor g(Tensor f);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor g);\n" + ce);
    add("global average pool of a vector", "@Model abstract class %N {\n  @Input(shape = 8) abstract Tensor v();\n"
        + "  @GlobalAvgPool abstract Tensor g(Tensor v);\n  @Dense(units = 2) abstract Tensor o(Tensor g);\n" + ce);
    add("global average pool of a token sequence", tokens + "  @GlobalAvgPool abstract Tensor g(Tensor e);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor g);\n" + ce);
    add("embedding over floats", "@Model abstract class %N {\n  @Input(shape = 4) abstract Tensor v();\n"
        + "  @Embedding(vocab = 5, dim = 3) abstract Tensor e(Tensor v);\n  @Flatten abstract Tensor f(Tensor e);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("embedding of an embedding", tokens + "  @Embedding(vocab = 7, dim = 4) abstract Tensor e2(Tensor e);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor e2);\n" + ce);
    add("dense over token ids", "@Model abstract class %N {\n  @Tokens(maxLength = 6) abstract IntTensor t();\n"
        + "  @Dense(units = 7) abstract Tensor o(IntTensor t);\n" + ce);
    add("position embedding over an image", image + "  @PositionEmbedding abstract Tensor p(Tensor image);\n"
        + "  @Flatten abstract Tensor f(Tensor p);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("position embedding shorter than the tokens", tokens + "  @PositionEmbedding(maxLength = 3) abstract Tensor p(Tensor e);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor p);\n" + ce);
    add("layer norm of an image", image + "  @LayerNorm abstract Tensor n(Tensor image);\n  @Flatten abstract Tensor f(Tensor n);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("batch norm of a sequence", tokens + "  @BatchNorm abstract Tensor n(Tensor e);\n  @Dense(units = 7) abstract Tensor o(Tensor n);\n" + ce);
    add("add of an image and a vector", image + "  @Flatten abstract Tensor f(Tensor image);\n  @Add abstract Tensor a(Tensor image, Tensor f);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("concat of an image and a vector", image + "  @Flatten abstract Tensor f(Tensor image);\n  @Concat abstract Tensor a(Tensor image, Tensor f);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("concat of two images", image + "  @Conv(filters = 2, kernel = 1) abstract Tensor c(Tensor image);\n  @Concat abstract Tensor a(Tensor image, Tensor c);\n"
        + "  @Flatten abstract Tensor f(Tensor a);\n  @Dense(units = 2) abstract Tensor o(Tensor f);\n" + ce);
    add("concat of a sequence and a vector", tokens + "  @Lstm(units = 3, returnSequences = false) abstract Tensor l(Tensor e);\n"
        + "  @Concat abstract Tensor a(Tensor e, Tensor l);\n  @Dense(units = 7) abstract Tensor o(Tensor a);\n" + ce);
    add("add of sequences of two token inputs", "@Model abstract class %N {\n  @Tokens(maxLength = 6) abstract IntTensor t();\n"
        + "  @Tokens(maxLength = 4) abstract IntTensor u();\n  @Embedding(vocab = 7, dim = 4) abstract Tensor e(IntTensor t);\n"
        + "  @Embedding(vocab = 7, dim = 4) abstract Tensor f(IntTensor u);\n  @Add abstract Tensor a(Tensor e, Tensor f);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor a);\n" + ce);
    add("decoded tokens twice", "@Model abstract class %N {\n  @Tokens(maxLength = 6, decoded = true) abstract IntTensor t();\n"
        + "  @Tokens(maxLength = 6, decoded = true) abstract IntTensor u();\n  @Embedding(vocab = 7, dim = 4) abstract Tensor e(IntTensor t);\n"
        + "  @Embedding(vocab = 7, dim = 4) abstract Tensor f(IntTensor u);\n  @Add abstract Tensor a(Tensor e, Tensor f);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor a);\n" + ce);
    add("decoded tokens with a per-sample output", "@Model abstract class %N {\n  @Tokens(maxLength = 6, decoded = true) abstract IntTensor t();\n"
        + "  @Embedding(vocab = 7, dim = 4) abstract Tensor e(IntTensor t);\n  @Lstm(units = 3, returnSequences = false) abstract Tensor l(Tensor e);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor l);\n" + ce);
    add("decoded tokens and a bidirectional-in-time attention", "@Model abstract class %N {\n  @Tokens(maxLength = 6, decoded = true) abstract IntTensor t();\n"
        + "  @Embedding(vocab = 7, dim = 4) abstract Tensor e(IntTensor t);\n  @MultiHeadAttention(heads = 2) abstract Tensor a(Tensor e);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor a);\n" + ce);
    add("a sequence output with per-sample labels", tokens + "  @Dense(units = 7) abstract Tensor o(Tensor e);\n"
        + "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);\n}");
    add("softmax cross-entropy over one class", "@Model abstract class %N {\n  @Input(shape = 4) abstract Tensor v();\n"
        + "  @Dense(units = 1) abstract Tensor o(Tensor v);\n" + ce);
    add("a loss over an image", image + "  @Conv(filters = 2, kernel = 3) abstract Tensor o(Tensor image);\n"
        + "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);\n}");
    add("a loss over an image with class labels", image + "  @Conv(filters = 2, kernel = 3) abstract Tensor o(Tensor image);\n" + ce);
    add("a loss over the input", "@Model abstract class %N {\n  @Input(shape = 4) abstract Tensor o();\n" + ce);
    add("a loss over token ids", "@Model abstract class %N {\n  @Tokens(maxLength = 4) abstract IntTensor o();\n"
        + "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(IntTensor o, @Labels IntTensor y);\n}");
    add("a perceptron loss over a softmax width", "@Model abstract class %N {\n  @Input(shape = 4) abstract Tensor v();\n"
        + "  @Dense(units = 3, activation = Activation.STEP) abstract Tensor o(Tensor v);\n"
        + "  @Loss(LossKind.PERCEPTRON) abstract Tensor loss(Tensor o, @Labels Tensor y);\n}");
    add("a step activation inside a trained network", "@Model abstract class %N {\n  @Input(shape = 4) abstract Tensor v();\n"
        + "  @Dense(units = 3, activation = Activation.STEP) abstract Tensor h(Tensor v);\n  @Dense(units = 2) abstract Tensor o(Tensor h);\n" + ce);
    add("an ignore index on a regression loss", "@Model abstract class %N {\n  @Input(shape = 4) abstract Tensor v();\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor v);\n"
        + "  @Loss(value = LossKind.MEAN_SQUARED_ERROR, ignoreIndex = 0) abstract Tensor loss(Tensor o, @Labels Tensor y);\n}");
    add("an ignore index outside the classes", "@Model abstract class %N {\n  @Input(shape = 4) abstract Tensor v();\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor v);\n"
        + "  @Loss(value = LossKind.SOFTMAX_CROSS_ENTROPY, ignoreIndex = 7) abstract Tensor loss(Tensor o, @Labels IntTensor y);\n}");
    add("a huge dense", "@Model abstract class %N {\n  @Input(shape = 65536) abstract Tensor v();\n"
        + "  @Dense(units = 65536) abstract Tensor o(Tensor v);\n" + ce);
    add("a huge embedding", "@Model abstract class %N {\n  @Tokens(maxLength = 4) abstract IntTensor t();\n"
        + "  @Embedding(vocab = 2147483647, dim = 2147483647) abstract Tensor e(IntTensor t);\n  @Dense(units = 7) abstract Tensor o(Tensor e);\n" + ce);
    add("a huge recurrent layer", tokens + "  @Lstm(units = 1000000) abstract Tensor l(Tensor e);\n  @Dense(units = 7) abstract Tensor o(Tensor l);\n" + ce);
    add("a huge token length", "@Model abstract class %N {\n  @Tokens(maxLength = 2147483647) abstract IntTensor t();\n"
        + "  @Embedding(vocab = 7, dim = 4) abstract Tensor e(IntTensor t);\n  @MultiHeadAttention(heads = 2) abstract Tensor a(Tensor e);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor a);\n" + ce);
    add("a huge repeat", tokens + "  @Repeat(block = B.class, times = 2147483647) abstract Tensor r(Tensor e);\n"
        + "  @Dense(units = 7) abstract Tensor o(Tensor r);\n" + ce.replace("}", "")
        + "  @Block abstract static class B {\n    @BlockInput abstract Tensor i();\n    @Dense(units = 4) abstract Tensor d(Tensor i);\n  }\n}");
    add("a wide conv stack", "@Model(maxBatch = 1024) abstract class %N {\n  @Input(shape = {3, 512, 512}) abstract Tensor image();\n"
        + "  @Conv(filters = 512, kernel = 3, padding = Padding.SAME) abstract Tensor c(Tensor image);\n"
        + "  @GlobalAvgPool abstract Tensor g(Tensor c);\n  @Dense(units = 2) abstract Tensor o(Tensor g);\n" + ce);
  }

  // ---------------------------------------------------------------- names the generated class uses

  private void generatedNames() {
    add("a class already named like the generated one", "@Model abstract class %N {\n" + NODES + "}\nclass Kiln%N {}");
    add("a node named like a Java keyword-ish identifier", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor var();\n"
        + "  @Dense(units = 2) abstract Tensor record(Tensor var);\n  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor yield(Tensor record, @Labels Tensor y);\n}");
    add("nodes with dollar signs and underscores", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x$1();\n"
        + "  @Dense(units = 2) abstract Tensor o_(Tensor x$1);\n  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o_, @Labels Tensor _y);\n}");
    add("nodes differing only in case", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor x();\n"
        + "  @Dense(units = 3) abstract Tensor h(Tensor x);\n  @Dense(units = 3) abstract Tensor H(Tensor h);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor H);\n  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);\n}");
    add("nodes whose constants collide", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor aB();\n"
        + "  @Dense(units = 3) abstract Tensor a_b(Tensor aB);\n  @Dense(units = 3) abstract Tensor a_B(Tensor a_b);\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor a_B);\n  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);\n}");
    add("a unicode node name", "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor größe();\n"
        + "  @Dense(units = 2) abstract Tensor o(Tensor größe);\n  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(Tensor o, @Labels Tensor y);\n}");
    // Names the generated methods use for their own parameters and locals.
    for (String name : List.of("batch", "steps", "optimizer", "input", "arena", "loss", "i", "rngBefore", "state", "OPS",
        "MAX_BATCH", "forward", "parameters", "Tensor", "Batch")) {
      String in = name.equals("x") ? "v" : "x";
      add("an input named " + name, "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor " + name + "();\n"
          + "  @Dense(units = 2) abstract Tensor o(Tensor " + name + ");\n"
          + "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor l(Tensor o, @Labels Tensor " + in + ");\n}");
      add("labels named " + name, "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor " + in + "();\n"
          + "  @Dense(units = 2) abstract Tensor o(Tensor " + in + ");\n"
          + "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor l(Tensor o, @Labels Tensor " + name + ");\n}");
      add("a hidden node named " + name, "@Model abstract class %N {\n  @Input(shape = 3) abstract Tensor " + in + "();\n"
          + "  @Dense(units = 3) abstract Tensor " + name + "(Tensor " + in + ");\n  @Dense(units = 2) abstract Tensor o(Tensor " + name + ");\n"
          + "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor l(Tensor o, @Labels Tensor y);\n}");
    }
    for (String name : List.of("steps", "batch", "text", "textSteps", "given", "optimizer", "i")) {
      add("token input named " + name + " with a decoded loop", "@Model abstract class %N {\n"
          + "  @Tokens(maxLength = 5, decoded = true) abstract IntTensor " + name + "();\n"
          + "  @Embedding(vocab = 6, dim = 4) abstract Tensor e(IntTensor " + name + ");\n  @Gru(units = 4) abstract Tensor g(Tensor e);\n"
          + "  @Dense(units = 6) abstract Tensor o(Tensor g);\n  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor l(Tensor o, @Labels IntTensor next);\n}");
    }
    add("two token inputs with step names that collide", "@Model abstract class %N {\n  @Tokens(maxLength = 5) abstract IntTensor a();\n"
        + "  @Tokens(maxLength = 5) abstract IntTensor aSteps();\n  @Embedding(vocab = 6, dim = 4) abstract Tensor e(IntTensor a);\n"
        + "  @Embedding(vocab = 6, dim = 4) abstract Tensor f(IntTensor aSteps);\n  @Gru(units = 4, returnSequences = false) abstract Tensor g(Tensor e);\n"
        + "  @Gru(units = 4, returnSequences = false) abstract Tensor h(Tensor f, @InitialState Tensor g);\n"
        + "  @Dense(units = 6) abstract Tensor o(Tensor h);\n  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor l(Tensor o, @Labels IntTensor next);\n}");
  }
}
