package io.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import io.kiln.dsl.LossKind;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.shape.ConvShape;
import io.kiln.processor.shape.Shape;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;

/**
 * Writes {@code exportOnnx(Path)}: one {@code io.kiln.runtime.onnx.OnnxModelBuilder} call per
 * declared node, in graph order, naming the node's inputs and its tensors by their saved names.
 * The switch over layer kinds is exhaustive, so a new kind of layer does not compile until it
 * says how it exports; each case only spells arguments, the ONNX knowledge is in the runtime.
 */
final class OnnxExportWriter extends GeneratedClassPart {
  private static final ClassName BUILDER = ClassName.get(RUNTIME + ".onnx", "OnnxModelBuilder");
  private static final ClassName OUTPUT_ACTIVATION = BUILDER.nestedClass("OutputActivation");

  OnnxExportWriter(GeneratedClassPart shared) {
    super(shared);
  }

  MethodSpec exportOnnx() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("exportOnnx").addModifiers(Modifier.PUBLIC)
        .addAnnotation(Override.class)
        .addJavadoc("Writes this model to {@code file} as ONNX (opset 17), atomically like {@link #save}, with the current\n"
            + "weights as initializers under their saved names.\n\n<p>Inputs: $L.\nOutput {@code output}: $L, what {@code predict} returns; {@code batch}$L dynamic.\n",
            inputDoc(), outputDoc(),
            program.inputs().stream().anyMatch(b -> b.isSequence()) ? " and {@code steps} are" : " is")
        .addParameter(PATH, "file").addException(IO_EXCEPTION)
        .addStatement("$T onnx = new $T(MODEL_NAME, $L)", BUILDER, BUILDER, new LifecycleMethods(this).savedTensors());
    for (Node n : graph.order()) {
      CodeBlock call = call(n);
      if (call != null) {
        m.addStatement("onnx.$L", call);
      }
    }
    m.addStatement("onnx.$L", output());
    return m.addStatement("onnx.write(file)").build();
  }

  private CodeBlock call(Node n) {
    String x = n.inputs().isEmpty() ? null : n.input();
    return switch (n.layer()) {
      case Layer.Input in -> CodeBlock.of("$L($S, $L)", in.maxLength() > 0 ? "floatSeriesInput" : "floatInput", n.name(),
          dims(shaped.shape(n).dims()));
      case Layer.Tokens t -> CodeBlock.of("tokensInput($S)", n.name());
      case Layer.Dense d -> CodeBlock.of("dense($S, $S, $S, $L, $T.$L)", n.name(), x, tensor(n.name() + ".weight"),
          d.bias() ? CodeBlock.of("$S", tensor(n.name() + ".bias")) : "null", ACTIVATION, d.activation());
      case Layer.Conv c -> conv(n, c);
      case Layer.Pool p -> pool(n, p);
      case Layer.Flatten f -> CodeBlock.of("flatten($S, $S)", n.name(), x);
      case Layer.Dropout d -> CodeBlock.of("dropout($S, $S)", n.name(), x);
      case Layer.BatchNorm b -> CodeBlock.of("batchNorm($S, $S, $S, $S, $S, $S, $L)", n.name(), x, tensor(n.name() + ".weight"),
          tensor(n.name() + ".bias"), tensor(n.name() + ".running_mean"), tensor(n.name() + ".running_var"), b.epsilon());
      case Layer.Embedding e -> CodeBlock.of("embedding($S, $S, $S)", n.name(), x,
          tensor((e.shares().isEmpty() ? n.name() : e.shares()) + ".weight"));
      case Layer.Recurrent r -> recurrent(n, r);
      case Layer.Attention a -> switch (a.score()) {
        case DOT -> CodeBlock.of("dotAttention($S, $S, $S)", n.name(), n.inputs().get(0), n.inputs().get(1));
        case GENERAL -> CodeBlock.of("generalAttention($S, $S, $S, $S)", n.name(), n.inputs().get(0), n.inputs().get(1),
            tensor(n.name() + ".weight"));
        case ADDITIVE -> CodeBlock.of("additiveAttention($S, $S, $S, $S, $S, $S)", n.name(), n.inputs().get(0), n.inputs().get(1),
            tensor(n.name() + ".query.weight"), tensor(n.name() + ".key.weight"), tensor(n.name() + ".v"));
      };
      case Layer.Concat c -> CodeBlock.of("concat($S, $L)", n.name(), strings(n));
      case Layer.Add a -> CodeBlock.of("add($S, $L)", n.name(), strings(n));
      case Layer.LayerNorm l -> CodeBlock.of("layerNorm($S, $S, $S, $S, $L)", n.name(), x, tensor(n.name() + ".weight"),
          tensor(n.name() + ".bias"), l.epsilon());
      case Layer.MultiHeadAttention h -> CodeBlock.of("multiHeadAttention($S, $S, $L, $L, $S, $S, $S, $S)", n.name(), x, h.heads(),
          h.causal(), tensor(n.name() + ".in_proj_weight"), tensor(n.name() + ".in_proj_bias"), tensor(n.name() + ".out_proj.weight"),
          tensor(n.name() + ".out_proj.bias"));
      case Layer.PositionEmbedding p -> CodeBlock.of("positionEmbedding($S, $S, $S)", n.name(), x, tensor(n.name() + ".weight"));
      // Training only: predict never computes the loss.
      case Layer.Loss l -> null;
    };
  }

  /**
   * Strides, dilations and padding per spatial axis, as ONNX wants them: a {@code @Conv1d} has
   * only the width axis, its series' time; the padding's ends take what its begins do not.
   */
  private CodeBlock conv(Node n, Layer.Conv c) {
    ConvShape s = ConvShape.of(c, shaped.shape(n.input()));
    boolean oneAxis = c.axes() == 1;
    CodeBlock strides = perAxis(oneAxis, c.strideH(), c.strideW());
    CodeBlock dilations = perAxis(oneAxis, c.dilationH(), c.dilationW());
    CodeBlock pads = oneAxis
        ? ints(s.padLeft(), s.padTotalWidth() - s.padLeft())
        : ints(s.padTop(), s.padLeft(), s.padTotalHeight() - s.padTop(), s.padTotalWidth() - s.padLeft());
    return CodeBlock.of("conv($S, $S, $S, $L, $L, $L, $L, $T.$L)", n.name(), n.input(), tensor(n.name() + ".weight"),
        c.bias() ? CodeBlock.of("$S", tensor(n.name() + ".bias")) : "null", strides, dilations, pads, ACTIVATION, c.activation());
  }

  private static CodeBlock pool(Node n, Layer.Pool p) {
    if (p.global()) {
      return CodeBlock.of("globalAvgPool($S, $S)", n.name(), n.input());
    }
    boolean oneAxis = p.axes() == 1;
    return CodeBlock.of("$L($S, $S, $L, $L)", p.max() ? "maxPool" : "avgPool", n.name(), n.input(), perAxis(oneAxis, p.sizeH(), p.sizeW()),
        perAxis(oneAxis, p.strideH(), p.strideW()));
  }

  /** One value per spatial axis: the width's alone for a 1-D layer. */
  private static CodeBlock perAxis(boolean oneAxis, int height, int width) {
    return oneAxis ? ints(width) : ints(height, width);
  }

  private static CodeBlock ints(int... values) {
    return CodeBlock.of("new int[] {$L}", dims(values));
  }

  private CodeBlock recurrent(Node n, Layer.Recurrent r) {
    String p = n.name();
    CodeBlock biasIh = r.bias() ? CodeBlock.of("$S", tensor(p + ".bias_ih_l0")) : CodeBlock.of("null");
    CodeBlock biasHh = r.bias() ? CodeBlock.of("$S", tensor(p + ".bias_hh_l0")) : CodeBlock.of("null");
    CodeBlock weights = CodeBlock.of("$S, $S, $S, $S, $L, $L", p, n.input(), tensor(p + ".weight_ih_l0"), tensor(p + ".weight_hh_l0"), biasIh,
        biasHh);
    if (r.bidirectional()) {
      tensor(p + ".weight_ih_l0_reverse"); // the runtime names the reverse direction's tensors by PyTorch's suffix
    }
    CodeBlock rest = CodeBlock.of("$L, $L, $L", n.state() == null ? "null" : CodeBlock.of("$S", n.state()), r.returnSequences(),
        r.bidirectional());
    return switch (r.cell()) {
      case RNN -> CodeBlock.of("rnn($L, $T.$L, $L)", weights, ACTIVATION, r.activation(), rest);
      case LSTM -> CodeBlock.of("lstm($L, $L)", weights, rest);
      case GRU -> CodeBlock.of("gru($L, $L)", weights, rest);
    };
  }

  /** The graph's output: the output node through what {@code predict} applies. */
  private CodeBlock output() {
    LossKind kind = program.loss() == null ? null : program.loss().kind();
    String activation = kind == LossKind.SOFTMAX_CROSS_ENTROPY ? "SOFTMAX" : kind == LossKind.SIGMOID_BINARY_CROSS_ENTROPY ? "SIGMOID" : "NONE";
    Shape out = shaped.shape(graph.output());
    return CodeBlock.of("$L($S, $T.$L$L)", out.isSequence() ? "sequenceOutput" : "output", graph.output().name(), OUTPUT_ACTIVATION,
        activation, out.dims().length == 0 ? "" : ", " + dims(out.dims()));
  }

  private String inputDoc() {
    return graph.inputs().stream().map(n -> n.layer() instanceof Layer.Tokens
        ? "{@code " + n.name() + "} int64 [batch, steps]"
        : "{@code " + n.name() + "} float32 [batch" + (shaped.shape(n).isSequence() ? ", steps" : "") + ", " + dims(shaped.shape(n).dims()) + "]").collect(java.util.stream.Collectors.joining(", "));
  }

  private String outputDoc() {
    Shape out = shaped.shape(graph.output());
    return "float32 [batch" + (out.isSequence() ? ", steps" : "") + (out.dims().length == 0 ? "" : ", " + dims(out.dims())) + "]";
  }

  /** A tensor's saved name, checked here so a renamed tensor fails the build, not the export. */
  private String tensor(String name) {
    boolean known = Stream.concat(program.params().stream(), program.state().stream()).map(ParamTensor::name).anyMatch(name::equals);
    if (!known) {
      throw new IllegalStateException("exportOnnx refers to a tensor '" + name + "' the model does not have");
    }
    return name;
  }

  private static CodeBlock strings(Node n) {
    return n.inputs().stream().map(i -> CodeBlock.of("$S", i)).collect(CodeBlock.joining(", "));
  }
}
