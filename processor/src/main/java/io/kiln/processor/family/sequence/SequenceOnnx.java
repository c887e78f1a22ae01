package io.kiln.processor.family.sequence;

import com.palantir.javapoet.CodeBlock;
import io.kiln.processor.family.OnnxExport;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;

/**
 * The ONNX export of recurrent layers: PyTorch's {@code _l0} tensors (and {@code _l0_reverse} of a
 * bidirectional layer), the initial state a layer is handed, the output it keeps.
 */
final class SequenceOnnx {
  private SequenceOnnx() {}

  static CodeBlock recurrent(OnnxExport e, Node n, Layer.Recurrent r) {
    String p = n.name();
    CodeBlock weights = CodeBlock.of("$S, $S, $L, $L, $L, $L", p, n.input(), e.quoted(p + ".weight_ih_l0"), e.quoted(p + ".weight_hh_l0"),
        e.quotedIf(r.bias(), p + ".bias_ih_l0"), e.quotedIf(r.bias(), p + ".bias_hh_l0"));
    if (r.bidirectional()) {
      e.tensor(p + ".weight_ih_l0_reverse"); // the runtime names the reverse direction's tensors by PyTorch's suffix
    }
    CodeBlock rest = CodeBlock.of("$L, $L, $L", n.state() == null ? "null" : CodeBlock.of("$S", n.state()), r.returnSequences(),
        r.bidirectional());
    return switch (r.cell()) {
      case RNN -> CodeBlock.of("rnn($L, $T.$L, $L)", weights, OnnxExport.ACTIVATION, r.activation(), rest);
      case LSTM -> CodeBlock.of("lstm($L, $L)", weights, rest);
      case GRU -> CodeBlock.of("gru($L, $L)", weights, rest);
    };
  }
}
