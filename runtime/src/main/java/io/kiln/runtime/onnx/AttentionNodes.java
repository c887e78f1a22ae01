package io.kiln.runtime.onnx;

import static io.kiln.runtime.onnx.Attributes.floatTensor;
import static io.kiln.runtime.onnx.Attributes.i;
import static io.kiln.runtime.onnx.Attributes.ints;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Attention expanded into ONNX ops (opset 17 has no attention op): scores, an optional causal
 * mask, Softmax over the keys, and the weighted sum, as Kiln's kernels compute them.
 */
final class AttentionNodes {
  private final OnnxGraph graph;
  private final OnnxModelBuilder layers;
  /** One causal mask per sequence the graph masks, by the value whose steps it spans. */
  private final Map<String, String> masks = new HashMap<>();

  AttentionNodes(OnnxGraph graph, OnnxModelBuilder layers) {
    this.graph = graph;
    this.layers = layers;
  }

  /** {@code e = s·hᵀ [B, Tq, Tk]}. */
  String dotScores(String name, String s, String h) {
    return graph.op("MatMul", name + "/scores", 3, List.of(), s, keysTransposed(name, h));
  }

  /** {@code e_ij = s_i · (W h_j)}. */
  String generalScores(String name, String s, String h, String weight) {
    String wh = graph.op("MatMul", name + "/Wh", 3, List.of(), h, layers.transposed(weight));
    return graph.op("MatMul", name + "/scores", 3, List.of(), s, keysTransposed(name, wh));
  }

  /** {@code e_ij = vᵀ tanh(W1 s_i + W2 h_j)}: the sum broadcast over [B, Tq, Tk, a]. */
  String additiveScores(String name, String s, String h, String queryWeight, String keyWeight, String v) {
    String q = graph.op("MatMul", name + "/W1s", 3, List.of(), s, layers.transposed(queryWeight));
    String k = graph.op("MatMul", name + "/W2h", 3, List.of(), h, layers.transposed(keyWeight));
    String sum = graph.op("Add", name + "/sum", 4, List.of(),
        graph.op("Unsqueeze", name + "/W1s_per_query", 4, List.of(), q, graph.int64s("const/axis2", 2)),
        graph.op("Unsqueeze", name + "/W2h_per_key", 4, List.of(), k, graph.int64s("const/axis1", 1)));
    String t = graph.op("Tanh", name + "/tanh", 4, List.of(), sum);
    return graph.op("MatMul", name + "/scores", 3, List.of(), t, v);
  }

  /** The context {@code softmax(e)·h}. */
  String scored(String name, String s, String h, String scores) {
    String alpha = graph.op("Softmax", name + "/alpha", 3, List.of(i("axis", -1)), scores);
    return graph.op("MatMul", name, 3, List.of(), alpha, h);
  }

  private String keysTransposed(String name, String h) {
    return graph.op("Transpose", name + "/keys_T", 3, List.of(ints("perm", 0, 2, 1)), h);
  }

  String multiHead(String name, String x, int heads, boolean causal, String inW, String inB, String outW, String outB) {
    long d = graph.shape(outW)[0];
    if (d % heads != 0) {
      throw new IllegalArgumentException(name + ": width " + d + " does not split into " + heads + " heads");
    }
    long headDim = d / heads;
    String qkv = graph.op("Add", name + "/qkv", 3, List.of(),
        graph.op("MatMul", name + "/qkv_matmul", 3, List.of(), x, layers.transposed(inW)), inB);
    List<String> parts = List.of(name + "/q", name + "/k", name + "/v");
    graph.op("Split", name + "/split", parts, List.of(i("axis", 2)), qkv);
    parts.forEach(p -> graph.rank(p, 3));
    String perHead = graph.int64s("const/" + name + "/heads", 0, 0, heads, headDim);
    String q = graph.op("Transpose", name + "/q_heads", 4, List.of(ints("perm", 0, 2, 1, 3)),
        graph.op("Reshape", name + "/q_split", 4, List.of(), parts.get(0), perHead));
    String kT = graph.op("Transpose", name + "/k_heads_T", 4, List.of(ints("perm", 0, 2, 3, 1)),
        graph.op("Reshape", name + "/k_split", 4, List.of(), parts.get(1), perHead));
    String v = graph.op("Transpose", name + "/v_heads", 4, List.of(ints("perm", 0, 2, 1, 3)),
        graph.op("Reshape", name + "/v_split", 4, List.of(), parts.get(2), perHead));
    String scores = graph.op("Mul", name + "/scores", 4, List.of(), graph.op("MatMul", name + "/qk", 4, List.of(), q, kT),
        graph.scalar((float) (1.0 / Math.sqrt(headDim))));
    if (causal) {
      scores = graph.op("Add", name + "/masked", 4, List.of(), scores, causalMask(x));
    }
    String p = graph.op("Softmax", name + "/p", 4, List.of(i("axis", -1)), scores);
    String o = graph.op("MatMul", name + "/o_heads", 4, List.of(), p, v);
    String joined = graph.op("Reshape", name + "/o", 3, List.of(),
        graph.op("Transpose", name + "/o_steps", 4, List.of(ints("perm", 0, 2, 1, 3)), o), graph.int64s("const/" + name + "/width", 0, 0, d));
    return graph.op("Add", name, 3, List.of(), graph.op("MatMul", name + "/out_matmul", 3, List.of(), joined, layers.transposed(outW)), outB);
  }

  /** {@code [steps, steps]}: 0 on and below the diagonal, −∞ above, so step t sees steps ≤ t only. */
  private String causalMask(String x) {
    return masks.computeIfAbsent(x, key -> {
      String steps = layers.steps(x);
      String square = graph.op("Concat", x + "/steps_square", 1, List.of(i("axis", 0)), steps, steps);
      String blocked = graph.op("ConstantOfShape", x + "/minus_inf", 2, List.of(floatTensor("value", Float.NEGATIVE_INFINITY)), square);
      return graph.op("Trilu", x + "/causal_mask", 2, List.of(i("upper", 1)), blocked, graph.int64Scalar("const/one", 1));
    });
  }
}
