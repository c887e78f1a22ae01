package io.kiln.runtime.onnx;

import static io.kiln.runtime.onnx.Attributes.f;
import static io.kiln.runtime.onnx.Attributes.i;
import static io.kiln.runtime.onnx.Attributes.ints;

import io.kiln.dsl.Activation;
import io.kiln.runtime.Parameter;
import io.kiln.runtime.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the ONNX file of a Kiln model, one call per declared layer: a generated class's
 * {@code exportOnnx} is a list of these calls. Each method adds the ONNX nodes that compute
 * exactly what the Kiln layer computes in inference mode, names its result after the layer, and
 * returns that name for the next layer to read.
 *
 * <p>The model's tensors become initializers under the names {@code save} writes (PyTorch's
 * state_dict names); where ONNX wants another layout (gate order, a transposed weight) the
 * conversion is a node of the graph, so the file keeps the original tensors. The batch is the
 * dynamic dimension {@value #BATCH}, a sequence's length the dynamic dimension {@value #STEPS};
 * token inputs are int64, as PyTorch exports them. Opset 17.
 */
public final class OnnxModelBuilder {
  /** The name of the dynamic batch dimension. */
  public static final String BATCH = "batch";
  /** The name of the dynamic sequence-length dimension. */
  public static final String STEPS = "steps";
  /** The name of the graph's output. */
  public static final String OUTPUT = "output";

  /** What {@code predict} applies to the last layer's output, and so the exported graph does too. */
  public enum OutputActivation {
    NONE,
    SOFTMAX,
    SIGMOID
  }

  private final OnnxGraph graph;
  private final RecurrentNodes recurrent;
  private final AttentionNodes attention;
  /** Values computed once and shared: transposed weights, the steps of a sequence. */
  private final Set<String> shared = new HashSet<>();

  /** A builder for the model {@code modelName} whose tensors (weights and buffers) are {@code tensors}. */
  public OnnxModelBuilder(String modelName, List<Parameter> tensors) {
    this.graph = new OnnxGraph(modelName);
    for (Parameter p : tensors) {
      graph.floatInitializer(p.name(), p.shape(), p.toArray());
    }
    this.recurrent = new RecurrentNodes(graph);
    this.attention = new AttentionNodes(graph, this);
  }

  // --- inputs and output --------------------------------------------------------------------------

  /** A float input {@code [batch, sampleDims...]}. */
  public String floatInput(String name, int... sampleDims) {
    graph.input(name, OnnxProto.FLOAT, dims(List.of(BATCH), sampleDims));
    return name;
  }

  /** A float series input {@code [batch, steps, stepDims...]}, as {@code @Input(shape, maxLength)} declares it. */
  public String floatSeriesInput(String name, int... stepDims) {
    graph.input(name, OnnxProto.FLOAT, dims(List.of(BATCH, STEPS), stepDims));
    return name;
  }

  /** A token input {@code [batch, steps]} of int64 ids. */
  public String tokensInput(String name) {
    graph.input(name, OnnxProto.INT64, List.of(BATCH, STEPS));
    return name;
  }

  /** The graph's output {@value #OUTPUT} {@code [batch, sampleDims...]}: {@code value} with {@code activation} applied. */
  public void output(String value, OutputActivation activation, int... sampleDims) {
    finish(value, activation, dims(List.of(BATCH), sampleDims));
  }

  /** The graph's output {@value #OUTPUT} {@code [batch, steps, stepDims...]} of a per-step model. */
  public void sequenceOutput(String value, OutputActivation activation, int... stepDims) {
    finish(value, activation, dims(List.of(BATCH, STEPS), stepDims));
  }

  private void finish(String value, OutputActivation activation, List<Object> dims) {
    int rank = graph.rank(value);
    switch (activation) {
      case NONE -> graph.op("Identity", OUTPUT, rank, List.of(), value);
      case SOFTMAX -> graph.op("Softmax", OUTPUT, rank, List.of(i("axis", -1)), value);
      case SIGMOID -> graph.op("Sigmoid", OUTPUT, rank, List.of(), value);
    }
    graph.output(OUTPUT, dims);
  }

  private static List<Object> dims(List<Object> dynamic, int[] fixed) {
    List<Object> d = new ArrayList<>(dynamic);
    for (int x : fixed) {
      d.add(x);
    }
    return d;
  }

  // --- layers ---------------------------------------------------------------------------------------

  /** {@code @Dense}: {@code act(x·Wᵀ + b)} per sample (Gemm) or per step (MatMul, Add); {@code bias} may be null. */
  public String dense(String name, String x, String weight, String bias, Activation activation) {
    int rank = graph.rank(x);
    String linear = activation == Activation.NONE ? name : name + "/linear";
    String z;
    if (rank == 2) {
      z = bias == null
          ? graph.op("Gemm", linear, 2, List.of(i("transB", 1)), x, weight)
          : graph.op("Gemm", linear, 2, List.of(i("transB", 1)), x, weight, bias);
    } else {
      String product = graph.op("MatMul", bias == null ? linear : name + "/matmul", rank, List.of(), x, transposed(weight));
      z = bias == null ? product : graph.op("Add", linear, rank, List.of(), product, bias);
    }
    return activate(name, z, activation);
  }

  /**
   * {@code @Conv} over {@code [batch, C, H, W]} or {@code @Conv1d} over {@code [batch, C, T]}, the
   * spatial axes read from the weight {@code [F, C, kernel...]}; {@code strides} and
   * {@code dilations} hold one value per spatial axis, {@code pads} ONNX's begins then ends (SAME's
   * odd row and column go to the end, as in Kiln and TensorFlow); {@code bias} may be null.
   */
  public String conv(String name, String x, String weight, String bias, int[] strides, int[] dilations, int[] pads,
      Activation activation) {
    long[] w = graph.shape(weight);
    int rank = w.length;
    requireAxes(name, "strides", strides, rank - 2);
    requireAxes(name, "dilations", dilations, rank - 2);
    requireAxes(name, "pads", pads, 2 * (rank - 2));
    String z = activation == Activation.NONE ? name : name + "/conv";
    List<OnnxProto.Attribute> attrs = List.of(ints("kernel_shape", Arrays.copyOfRange(w, 2, rank)), ints("pads", longs(pads)),
        ints("strides", longs(strides)), ints("dilations", longs(dilations)));
    z = bias == null ? graph.op("Conv", z, rank, attrs, x, weight) : graph.op("Conv", z, rank, attrs, x, weight, bias);
    return activate(name, z, activation);
  }

  /** {@code @MaxPool}/{@code @MaxPool1d}: windows of {@code size} every {@code stride}, one value per spatial axis, no padding. */
  public String maxPool(String name, String x, int[] size, int[] stride) {
    return pool("MaxPool", name, x, size, stride);
  }

  /** {@code @AvgPool}/{@code @AvgPool1d}: windows of {@code size} every {@code stride}, one value per spatial axis, no padding. */
  public String avgPool(String name, String x, int[] size, int[] stride) {
    return pool("AveragePool", name, x, size, stride);
  }

  private String pool(String op, String name, String x, int[] size, int[] stride) {
    int rank = graph.rank(x);
    requireAxes(name, "size", size, rank - 2);
    requireAxes(name, "stride", stride, rank - 2);
    return graph.op(op, name, rank, List.of(ints("kernel_shape", longs(size)), ints("strides", longs(stride))), x);
  }

  /** {@code @GlobalAvgPool}: each channel's mean over its plane, {@code [batch, C, ...] → [batch, C, 1...]}. */
  public String globalAvgPool(String name, String x) {
    return graph.op("GlobalAveragePool", name, graph.rank(x), List.of(), x);
  }

  /** A per-axis argument that does not match the value's spatial axes is a bug of the caller, reported by name. */
  private static void requireAxes(String layer, String what, int[] values, int expected) {
    if (values.length != expected) {
      throw new IllegalArgumentException(layer + ": " + what + " has " + values.length + " values, expected " + expected
          + " (one per spatial axis" + (what.equals("pads") ? ", begins then ends" : "") + ")");
    }
  }

  private static long[] longs(int[] values) {
    return Arrays.stream(values).asLongStream().toArray();
  }

  /** {@code @Flatten}: each sample as one row-major vector. */
  public String flatten(String name, String x) {
    return graph.op("Flatten", name, 2, List.of(i("axis", 1)), x);
  }

  /** {@code @Dropout} in inference: the identity. */
  public String dropout(String name, String x) {
    return graph.op("Identity", name, graph.rank(x), List.of(), x);
  }

  /** {@code @BatchNorm} in inference: normalized with the running statistics. */
  public String batchNorm(String name, String x, String weight, String bias, String runningMean, String runningVar, double epsilon) {
    return graph.op("BatchNormalization", name, graph.rank(x), List.of(f("epsilon", epsilon)), x, weight, bias, runningMean, runningVar);
  }

  /** {@code @LayerNorm} over the last axis. */
  public String layerNorm(String name, String x, String weight, String bias, double epsilon) {
    return graph.op("LayerNormalization", name, graph.rank(x), List.of(i("axis", -1), f("epsilon", epsilon)), x, weight, bias);
  }

  /** {@code @Embedding}: rows of {@code table} [vocab, dim] looked up by token id. */
  public String embedding(String name, String tokens, String table) {
    return graph.op("Gather", name, graph.rank(tokens) + 1, List.of(i("axis", 0)), table, tokens);
  }

  /** {@code @PositionEmbedding}: {@code y[b, t] = x[b, t] + table[t]} for the input's steps. */
  public String positionEmbedding(String name, String x, String table) {
    String rows = graph.op("Slice", name + "/positions", 2, List.of(), table, graph.int64s("const/zero", 0), steps(x),
        graph.int64s("const/axis0", 0));
    return graph.op("Add", name, 3, List.of(), x, rows);
  }

  /** {@code @Add}: the element-wise sum of the inputs. */
  public String add(String name, String... inputs) {
    String sum = inputs[0];
    for (int k = 1; k < inputs.length; k++) {
      sum = graph.op("Add", k == inputs.length - 1 ? name : name + "/" + k, graph.rank(inputs[0]), List.of(), sum, inputs[k]);
    }
    return sum;
  }

  /** {@code @Concat}: the inputs joined along the feature (last) axis. */
  public String concat(String name, String... inputs) {
    return graph.op("Concat", name, graph.rank(inputs[0]), List.of(i("axis", -1)), inputs);
  }

  /**
   * {@code @Rnn}: ONNX RNN over {@code x [batch, steps, in]} with PyTorch's weights; the output is
   * every step's state, or the last state when {@code returnSequences} is false. {@code initialStateOf}
   * is the recurrent layer whose final state starts this one, or null for zeros; biases may be null.
   * {@code bidirectional} adds the reverse direction, whose tensors are the same names with PyTorch's
   * {@code _reverse}; the output is then both directions' side by side ({@code [batch, steps, 2·H]}
   * or {@code [batch, 2·H]}).
   */
  public String rnn(String name, String x, String weightIh, String weightHh, String biasIh, String biasHh, Activation activation,
      String initialStateOf, boolean returnSequences, boolean bidirectional) {
    return recurrent.rnn(name, x, new RecurrentNodes.Weights(weightIh, weightHh, biasIh, biasHh), activation, initialStateOf,
        returnSequences, bidirectional);
  }

  /** {@code @Lstm}: ONNX LSTM, PyTorch's gates i, f, g, o reordered to ONNX's i, o, f, c; as {@link #rnn}. */
  public String lstm(String name, String x, String weightIh, String weightHh, String biasIh, String biasHh, String initialStateOf,
      boolean returnSequences, boolean bidirectional) {
    return recurrent.lstm(name, x, new RecurrentNodes.Weights(weightIh, weightHh, biasIh, biasHh), initialStateOf, returnSequences,
        bidirectional);
  }

  /** {@code @Gru}: ONNX GRU with {@code linear_before_reset = 1} (PyTorch's cell), gates r, z, n reordered to z, r, h; as {@link #rnn}. */
  public String gru(String name, String x, String weightIh, String weightHh, String biasIh, String biasHh, String initialStateOf,
      boolean returnSequences, boolean bidirectional) {
    return recurrent.gru(name, x, new RecurrentNodes.Weights(weightIh, weightHh, biasIh, biasHh), initialStateOf, returnSequences,
        bidirectional);
  }

  /** {@code @Attention(DOT)}: {@code c = softmax(s·hᵀ)·h} of decoder states {@code s} over encoder states {@code h}. */
  public String dotAttention(String name, String s, String h) {
    return attention.scored(name, s, h, attention.dotScores(name, s, h));
  }

  /** {@code @Attention(GENERAL)}: scores {@code sᵀ W h}. */
  public String generalAttention(String name, String s, String h, String weight) {
    return attention.scored(name, s, h, attention.generalScores(name, s, h, weight));
  }

  /** {@code @Attention(ADDITIVE)}: scores {@code vᵀ tanh(W1 s + W2 h)}. */
  public String additiveAttention(String name, String s, String h, String queryWeight, String keyWeight, String v) {
    return attention.scored(name, s, h, attention.additiveScores(name, s, h, queryWeight, keyWeight, v));
  }

  /**
   * {@code @MultiHeadAttention}: PyTorch's {@code nn.MultiheadAttention} as self-attention,
   * expanded into MatMul, Softmax and reshapes; {@code causal} masks later steps.
   */
  public String multiHeadAttention(String name, String x, int heads, boolean causal, String inProjWeight, String inProjBias,
      String outProjWeight, String outProjBias) {
    return attention.multiHead(name, x, heads, causal, inProjWeight, inProjBias, outProjWeight, outProjBias);
  }

  // --- the file ---------------------------------------------------------------------------------------

  /** The ONNX model as bytes (an {@code onnx.ModelProto}). */
  public byte[] toByteArray() {
    String version = OnnxModelBuilder.class.getPackage().getImplementationVersion();
    return graph.encode(version == null ? "dev" : version);
  }

  /** Writes the model to {@code file} atomically, as {@code save} does: the file is either the old one or complete. */
  public void write(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(toByteArray());
    AtomicFiles.writeDurably(file, ch -> {
      while (bytes.hasRemaining()) {
        ch.write(bytes);
      }
    });
  }

  // --- shared pieces ------------------------------------------------------------------------------------

  /** {@code z} through {@code activation}, the result named {@code name} (z itself when there is none). */
  String activate(String name, String z, Activation activation) {
    int rank = graph.rank(z);
    return switch (activation) {
      case NONE -> z;
      case RELU -> graph.op("Relu", name, rank, List.of(), z);
      case SIGMOID -> graph.op("Sigmoid", name, rank, List.of(), z);
      case TANH -> graph.op("Tanh", name, rank, List.of(), z);
      case GELU -> {
        // Kiln's GELU is PyTorch's exact one, ½·z·(1 + erf(z/√2)); ONNX has Erf, not Gelu, at opset 17.
        String erf = graph.op("Erf", name + "/erf", rank, List.of(), graph.op("Div", name + "/scaled", rank, List.of(), z,
            graph.scalar((float) Math.sqrt(2))));
        String onePlus = graph.op("Add", name + "/one_plus", rank, List.of(), erf, graph.scalar(1f));
        String half = graph.op("Mul", name + "/half", rank, List.of(), z, graph.scalar(0.5f));
        yield graph.op("Mul", name, rank, List.of(), half, onePlus);
      }
      case STEP -> {
        String atLeastZero = graph.op("GreaterOrEqual", name + "/ge0", rank, List.of(), z, graph.scalar(0f));
        yield graph.op("Cast", name, rank, List.of(i("to", OnnxProto.FLOAT)), atLeastZero);
      }
    };
  }

  /** {@code weight}ᵀ for a MatMul, computed once per weight. */
  String transposed(String weight) {
    String t = weight + "/T";
    if (shared.add(t)) {
      graph.op("Transpose", t, 2, List.of(ints("perm", 1, 0)), weight);
    }
    return t;
  }

  /** A 1-D int64 [steps] of a {@code [batch, steps, ...]} value, for slices and masks. */
  String steps(String x) {
    String s = x + "/steps";
    if (shared.add(s)) {
      graph.op("Shape", s, 1, List.of(i("end", 2), i("start", 1)), x);
    }
    return s;
  }
}
