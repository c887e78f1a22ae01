package io.kiln.tests.compile;

import io.kiln.tests.compile.MutantNet.Decl;
import io.kiln.tests.compile.MutantNet.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Valid models of every layer family, built at random sizes, and the mistakes people make in them.
 * Each family is a shape a real network takes (an MLP, a LeNet, a character RNN, a sentiment
 * classifier, an encoder–decoder with attention, a small GPT with a repeated block).
 */
final class MutantModels {

  /** How people err; each mutation changes or inserts one line, whose node it returns. */
  enum Mutation {
    OFF_BY_ONE, SWAP_ATTRIBUTES, SWAP_INPUTS, WRONG_INPUT, MISSING_FLATTEN, FLATTEN_SEQUENCE, CHANNELS_LAST, DROP_LABELS,
    LABELS_TYPE, WRONG_LOSS_KIND, BLOCK_CHANGES_WIDTH, SIGMOID_BEFORE_LOSS, KERAS_MOMENTUM, DECODED_VOCAB, NOT_CAUSAL,
    STATE_CELL, MISSING_MODEL
  }

  /** The mutated node; {@code null} with {@link #classLevel} for a mutation of the class itself. */
  record Site(Decl node, boolean classLevel) {}

  private final Random r;

  MutantModels(Random r) {
    this.r = r;
  }

  private int between(int lo, int hi) {
    return lo + r.nextInt(hi - lo + 1);
  }

  @SafeVarargs
  private <T> T pick(T... options) {
    return options[r.nextInt(options.length)];
  }

  private <T> T pick(List<T> options) {
    return options.isEmpty() ? null : options.get(r.nextInt(options.size()));
  }

  // --- valid models -------------------------------------------------------------------------------

  MutantNet valid(String className) {
    String model = pick("@Model", "@Model(maxBatch = 4)", "@Model(maxBatch = 16)");
    return switch (r.nextInt(6)) {
      case 0 -> mlp(new MutantNet(className, "mlp", model));
      case 1 -> cnn(new MutantNet(className, "cnn", model));
      case 2 -> charRnn(new MutantNet(className, "charRnn", model));
      case 3 -> sentiment(new MutantNet(className, "sentiment", model));
      case 4 -> seq2seq(new MutantNet(className, "seq2seq", model));
      default -> gpt(new MutantNet(className, "gpt", model));
    };
  }

  private String activation() {
    return "Activation." + pick("RELU", "TANH", "SIGMOID", "NONE");
  }

  /** A loss over {@code scored}: class indices for softmax (which needs 2 classes or more), float targets otherwise. */
  private void loss(MutantNet n, Decl scored, boolean classes) {
    String kind = classes ? "SOFTMAX_CROSS_ENTROPY" : pick("SIGMOID_BINARY_CROSS_ENTROPY", "MEAN_SQUARED_ERROR");
    Decl loss = n.add(new Decl("Loss", "loss").attr("value", "LossKind." + kind).reads(scored));
    loss.params.add(new Param("@Labels", classes ? "IntTensor" : "Tensor", pick("label", "y", "next")));
  }

  /** A @Dense {@code name} over {@code from} and its loss: classes (2 to maxClasses) or float targets (1 to maxTargets). */
  private void scoredHead(MutantNet n, Decl from, String name, int maxClasses, int maxTargets) {
    boolean classes = r.nextBoolean();
    Decl out = n.add(new Decl("Dense", name).attr("units", classes ? between(2, maxClasses) : between(1, maxTargets)).reads(from));
    loss(n, out, classes);
  }

  private MutantNet mlp(MutantNet n) {
    Decl x = n.add(new Decl("Input", "x").attr("shape", pick("" + between(2, 12), "{" + between(2, 12) + "}")));
    Decl cur = n.add(new Decl("Dense", "hidden").attr("units", between(2, 16)).attr("activation", "Activation.RELU").reads(x));
    if (r.nextBoolean()) {
      cur = n.add(new Decl("BatchNorm", "bn").attr("momentum", pick("0.1", "0.01")).reads(cur));
    }
    if (r.nextBoolean()) {
      cur = n.add(new Decl("Dropout", "drop").attr("rate", "0.25").reads(cur));
    }
    scoredHead(n, cur, "out", 6, 3);
    return n;
  }

  private MutantNet cnn(MutantNet n) {
    int c = pick(1, 3);
    int h = between(6, 12);
    int w = between(6, 12);
    Decl image = n.add(new Decl("Input", "image").attr("shape", "{" + c + ", " + h + ", " + w + "}"));
    int k = between(1, 3);
    Decl c1 = n.add(new Decl("Conv", "c1").attr("filters", between(2, 6)).attr("kernel", k).reads(image));
    if (r.nextBoolean()) {
      c1.attr("padding", "Padding.SAME");
    } else {
      h = h - k + 1;
      w = w - k + 1;
    }
    c1.attr("activation", "Activation.RELU");
    Decl cur = n.add(new Decl(pick("MaxPool", "AvgPool"), "p1").attr("size", 2).reads(c1));
    h /= 2;
    w /= 2;
    if (r.nextBoolean()) {
      cur = n.add(new Decl("BatchNorm", "bn").attr("momentum", "0.1").reads(cur));
    }
    if (r.nextBoolean()) {
      int k2 = between(1, Math.min(h, w));
      cur = n.add(new Decl("Conv", "c2").attr("filters", between(2, 8)).attr("kernelHeight", k2).attr("kernelWidth", between(1, Math.min(h, w)))
          .attr("stride", between(1, 2)).reads(cur));
    }
    Decl flat = n.add(new Decl("Flatten", "flat").reads(cur));
    Decl f1 = n.add(new Decl("Dense", "f1").attr("units", between(4, 16)).attr("activation", "Activation.RELU").reads(flat));
    Decl logits = n.add(new Decl("Dense", "logits").attr("units", between(2, 10)).reads(f1));
    loss(n, logits, true);
    return n;
  }

  private Decl tokens(MutantNet n, String name, int maxLength) {
    return n.add(new Decl("Tokens", name).attr("maxLength", maxLength));
  }

  private MutantNet charRnn(MutantNet n) {
    int vocab = between(3, 12);
    Decl text = tokens(n, "text", between(2, 8));
    if (r.nextBoolean()) {
      text.attr("decoded", "true");
    }
    Decl e = n.add(new Decl("Embedding", "e").attr("vocab", vocab).attr("dim", between(2, 8)).reads(text));
    Decl cur = n.add(new Decl(pick("Lstm", "Gru", "Rnn"), "l").attr("units", between(2, 10)).reads(e));
    if (r.nextBoolean()) {
      cur = n.add(new Decl("Dropout", "drop").attr("rate", "0.1").reads(cur));
    }
    Decl o = n.add(new Decl("Dense", "o").attr("units", vocab).reads(cur));
    loss(n, o, true);
    return n;
  }

  private MutantNet sentiment(MutantNet n) {
    Decl text = tokens(n, "review", between(2, 10));
    Decl e = n.add(new Decl("Embedding", "e").attr("vocab", between(5, 20)).attr("dim", between(2, 8)).reads(text));
    Decl last = n.add(new Decl(pick("Lstm", "Gru"), "enc").attr("units", between(2, 8)).attr("returnSequences", "false").reads(e));
    scoredHead(n, last, "o", 5, 1);
    return n;
  }

  private MutantNet seq2seq(MutantNet n) {
    int vocab = between(3, 12);
    int dim = between(2, 6);
    int units = between(2, 8);
    String cell = pick("Lstm", "Gru");
    Decl src = tokens(n, "source", between(2, 8));
    Decl tgt = tokens(n, "target", between(2, 8));
    if (r.nextBoolean()) {
      tgt.attr("decoded", "true");
    }
    Decl se = n.add(new Decl("Embedding", "srcEmb").attr("vocab", vocab).attr("dim", dim).reads(src));
    Decl te = n.add(new Decl("Embedding", "tgtEmb").attr("vocab", vocab).attr("dim", dim).reads(tgt));
    if (r.nextBoolean()) {
      te.attr("shares", "\"srcEmb\"");
    }
    Decl enc = n.add(new Decl(cell, "enc").attr("units", units).reads(se));
    Decl dec = n.add(new Decl(cell, "dec").attr("units", units).reads(te));
    dec.params.add(new Param("@InitialState", "Tensor", "enc"));
    Decl ctx = n.add(new Decl("Attention", "context").reads(dec, enc));
    String score = pick("DOT", "GENERAL", "ADDITIVE");
    if (!score.equals("DOT") || r.nextBoolean()) {
      ctx.attr("score", "Score." + score);
    }
    Decl joined = n.add(new Decl("Concat", "joined").reads(dec, ctx));
    Decl o = n.add(new Decl("Dense", "o").attr("units", vocab).reads(joined));
    loss(n, o, true);
    return n;
  }

  private MutantNet gpt(MutantNet n) {
    int heads = pick(1, 2, 4);
    int dim = heads * between(1, 3);
    int vocab = between(3, 12);
    int maxLength = between(2, 8);
    boolean decoded = r.nextBoolean();
    Decl text = tokens(n, "text", maxLength);
    if (decoded) {
      text.attr("decoded", "true");
    }
    Decl e = n.add(new Decl("Embedding", "e").attr("vocab", vocab).attr("dim", dim).reads(text));
    Decl p = n.add(new Decl("PositionEmbedding", "p").reads(e));
    if (r.nextBoolean()) {
      p.attr("maxLength", maxLength + between(0, 4));
    }
    Decl b = n.add(new Decl("Repeat", "b").attr("block", "Layer.class").attr("times", between(1, 3)).reads(p));
    Decl norm = n.add(new Decl("LayerNorm", "n").reads(b));
    Decl o = n.add(new Decl("Dense", "o").attr("units", vocab).reads(norm));
    loss(n, o, true);

    Decl x = new Decl("BlockInput", "x");
    Decl n1 = new Decl("LayerNorm", "norm1").reads(x);
    Decl attn = new Decl("MultiHeadAttention", "attn").attr("heads", heads).reads(n1);
    if (decoded || r.nextBoolean()) {
      attn.attr("causal", "true");
    }
    Decl r1 = new Decl("Add", "r1").reads(x, attn);
    Decl n2 = new Decl("LayerNorm", "norm2").reads(r1);
    Decl l1 = new Decl("Dense", "linear1").attr("units", dim * pick(2, 4)).attr("activation", "Activation." + pick("RELU", "GELU")).reads(n2);
    Decl l2 = new Decl("Dense", "linear2").attr("units", dim).reads(l1);
    Decl r2 = new Decl("Add", "r2").reads(r1, l2);
    n.block.addAll(List.of(x, n1, attn, r1, n2, l1, l2, r2));
    return n;
  }

  // --- mistakes -------------------------------------------------------------------------------------

  /** Applies {@code m} to {@code n}; returns where, or null when the model has nothing it applies to. */
  Site mutate(MutantNet n, Mutation m) {
    List<Decl> all = new ArrayList<>(n.nodes);
    all.addAll(n.block);
    return switch (m) {
      case OFF_BY_ONE -> offByOne(all);
      case SWAP_ATTRIBUTES -> swapAttributes(all);
      case SWAP_INPUTS -> {
        Decl d = pick(all.stream().filter(x -> x.params.size() == 2 && !x.params.get(1).state()).toList());
        if (d == null) {
          yield null;
        }
        Param first = d.params.get(0);
        d.params.set(0, d.params.get(1));
        d.params.set(1, first);
        yield new Site(d, false);
      }
      case WRONG_INPUT -> wrongInput(n);
      case MISSING_FLATTEN -> {
        Decl flat = n.node("flat");
        if (flat == null) {
          yield null;
        }
        n.nodes.remove(flat);
        Decl reader = n.nodes.stream().filter(x -> x.params.stream().anyMatch(p -> p.name().equals("flat"))).findFirst().orElseThrow();
        reader.params.set(0, flat.params.get(0));
        yield new Site(reader, false);
      }
      case FLATTEN_SEQUENCE -> {
        // "An LSTM, then flatten, then dense", as in a Keras tutorial: the recurrent layer returns its sequence.
        Decl rec = n.node(n.family.equals("sentiment") ? "enc" : "l");
        if (rec == null || !List.of("sentiment", "charRnn").contains(n.family)) {
          yield null;
        }
        rec.attrs.remove("returnSequences");
        Decl reader = n.nodes.stream().filter(x -> x.inputs().stream().anyMatch(p -> p.name().equals(rec.name))).findFirst().orElseThrow();
        Decl flat = new Decl("Flatten", "flat").reads(rec);
        n.nodes.add(n.nodes.indexOf(reader), flat);
        reader.params.set(0, Param.of("Tensor", "flat"));
        yield new Site(flat, false);
      }
      case CHANNELS_LAST -> {
        Decl image = n.node("image");
        if (image == null) {
          yield null;
        }
        String[] d = image.attrs.get("shape").replaceAll("[{} ]", "").split(",");
        image.attr("shape", "{" + d[1] + ", " + d[2] + ", " + d[0] + "}");
        yield new Site(image, false);
      }
      case DROP_LABELS -> {
        Decl loss = n.node("loss");
        loss.params.removeIf(Param::labels);
        yield new Site(loss, false);
      }
      case LABELS_TYPE -> {
        Decl loss = n.node("loss");
        loss.params.replaceAll(p -> p.labels() ? new Param("@Labels", p.type().equals("IntTensor") ? "Tensor" : "IntTensor", p.name()) : p);
        yield new Site(loss, false);
      }
      case WRONG_LOSS_KIND -> {
        Decl loss = n.node("loss");
        String kind = loss.constant("value", "");
        List<String> others = new ArrayList<>(List.of("SOFTMAX_CROSS_ENTROPY", "SIGMOID_BINARY_CROSS_ENTROPY", "MEAN_SQUARED_ERROR"));
        others.remove(kind);
        loss.attr("value", "LossKind." + pick(others));
        yield new Site(loss, false);
      }
      case BLOCK_CHANGES_WIDTH -> {
        if (n.block.isEmpty()) {
          yield null;
        }
        Decl l2 = n.blockNode("linear2");
        if (r.nextBoolean()) {
          // The feed-forward's output dropped its residual: the block ends on the wider linear1.
          n.block.remove(n.blockNode("r2"));
          n.block.remove(l2);
          yield new Site(n.blockNode("linear1"), false);
        }
        l2.attr("units", l2.integer("units", 0) + pick(-1, 1, 2));
        yield new Site(l2, false);
      }
      case SIGMOID_BEFORE_LOSS -> {
        Decl scored = n.node(n.node("loss").inputs().get(0).name());
        scored.attr("activation", "Activation.SIGMOID");
        yield new Site(scored, false);
      }
      case KERAS_MOMENTUM -> {
        Decl bn = n.node("bn");
        yield bn == null ? null : new Site(bn.attr("momentum", pick("0.99", "0.9", "0.999")), false);
      }
      case DECODED_VOCAB -> {
        Decl text = n.nodes.stream().filter(x -> "true".equals(x.attrs.get("decoded"))).findFirst().orElse(null);
        if (text == null) {
          yield null;
        }
        Decl o = n.node("o");
        yield new Site(o.attr("units", o.integer("units", 0) + between(1, 3)), false);
      }
      case NOT_CAUSAL -> {
        Decl attn = n.blockNode("attn");
        if (attn == null || !"true".equals(n.node("text").attrs.get("decoded"))) {
          yield null;
        }
        attn.attrs.remove("causal");
        yield new Site(attn, false);
      }
      case STATE_CELL -> {
        Decl dec = n.node("dec");
        if (dec == null) {
          yield null;
        }
        dec.kind = dec.kind.equals("Lstm") ? pick("Gru", "Rnn") : pick("Lstm", "Rnn");
        yield new Site(dec, false);
      }
      case MISSING_MODEL -> {
        n.modelAnnotation = "";
        yield new Site(null, true);
      }
    };
  }

  private static final List<String> SIZES = List.of("units", "filters", "kernel", "kernelHeight", "kernelWidth", "size", "stride", "dim", "vocab",
      "heads", "maxLength", "times");

  private Site offByOne(List<Decl> all) {
    Decl d = pick(all.stream().filter(x -> x.kind.equals("Input") || x.attrs.keySet().stream().anyMatch(SIZES::contains)).toList());
    int delta = pick(-1, 1);
    if (d.kind.equals("Input")) {
      String[] dims = d.attrs.get("shape").replaceAll("[{} ]", "").split(",");
      int i = r.nextInt(dims.length);
      dims[i] = String.valueOf(Integer.parseInt(dims[i]) + delta);
      d.attr("shape", "{" + String.join(", ", dims) + "}");
    } else {
      String key = pick(d.attrs.keySet().stream().filter(SIZES::contains).toList());
      d.attr(key, d.integer(key, 0) + delta);
    }
    return new Site(d, false);
  }

  /** Two size attributes of one node written in each other's place (vocab and dim, filters and kernel). */
  private Site swapAttributes(List<Decl> all) {
    List<Decl> candidates = all.stream().filter(x -> sizeKeys(x).size() >= 2 || x.kind.equals("Input") && x.attrs.get("shape").contains(",")).toList();
    Decl d = pick(candidates);
    if (d == null) {
      return null;
    }
    if (d.kind.equals("Input")) {
      List<String> dims = new ArrayList<>(List.of(d.attrs.get("shape").replaceAll("[{} ]", "").split(",")));
      int i = r.nextInt(dims.size());
      int j = (i + 1 + r.nextInt(dims.size() - 1)) % dims.size();
      if (dims.get(i).equals(dims.get(j))) {
        return null;
      }
      java.util.Collections.swap(dims, i, j);
      d.attr("shape", "{" + String.join(", ", dims) + "}");
      return new Site(d, false);
    }
    List<String> keys = sizeKeys(d);
    int i = r.nextInt(keys.size());
    int j = (i + 1 + r.nextInt(keys.size() - 1)) % keys.size();
    String a = d.attrs.get(keys.get(i));
    if (a.equals(d.attrs.get(keys.get(j)))) {
      return null;
    }
    d.attrs.put(keys.get(i), d.attrs.get(keys.get(j)));
    d.attrs.put(keys.get(j), a);
    return new Site(d, false);
  }

  private static List<String> sizeKeys(Decl d) {
    return d.attrs.keySet().stream().filter(SIZES::contains).toList();
  }

  /** A node reads another node declared before it: a skipped layer, or the wrong one of two similar names. */
  private Site wrongInput(MutantNet n) {
    List<Decl> readers = n.nodes.stream().filter(x -> x.inputs().size() == 1 && n.nodes.indexOf(x) > 1).toList();
    Decl d = pick(readers);
    if (d == null) {
      return null;
    }
    String current = d.inputs().get(0).name();
    List<Decl> sources = n.nodes.subList(0, n.nodes.indexOf(d)).stream()
        .filter(s -> !s.name.equals(current) && !s.kind.equals("Loss") && d.params.stream().noneMatch(p -> p.name().equals(s.name))).toList();
    Decl source = pick(sources);
    if (source == null) {
      return null;
    }
    int i = d.params.indexOf(d.inputs().get(0));
    d.params.set(i, Param.of(source.kind.equals("Tokens") ? "IntTensor" : "Tensor", source.name));
    return new Site(d, false);
  }
}
