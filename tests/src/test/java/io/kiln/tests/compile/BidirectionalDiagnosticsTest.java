package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The build-time errors for bidirectional recurrent layers used where a reverse pass cannot work (a
 * state handed over from or to another layer, an input decoded one step at a time): each exactly
 * once, on the line of the bidirectional layer, and the same models compile once it is fixed.
 */
class BidirectionalDiagnosticsTest {

  /** An encoder and a decoder over the same tokens, the decoder starting from the encoder's state. */
  private static JavaFileObject handOver(String encoder, String decoder) {
    return DiagnosticsTest.source(
        "test.Net",
        "@Model",
        "abstract class Net {",
        "  @Tokens(maxLength = 8) abstract IntTensor ids();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor ids);",
        "  " + encoder + " abstract Tensor enc(Tensor e);",
        "  " + decoder + " abstract Tensor dec(Tensor e, @InitialState Tensor enc);",
        "  @Dense(units = 10) abstract Tensor o(Tensor dec);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);",
        "}");
  }

  /** A per-step classifier whose tokens are decoded (or not), read by {@code layer}. */
  private static JavaFileObject decoded(boolean decoded, String layer) {
    return DiagnosticsTest.source(
        "test.Net",
        "@Model",
        "abstract class Net {",
        "  @Tokens(maxLength = 8" + (decoded ? ", decoded = true" : "") + ") abstract IntTensor text();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor text);",
        "  " + layer + " abstract Tensor r(Tensor e);",
        "  @Dense(units = 10) abstract Tensor o(Tensor r);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);",
        "}");
  }

  private static void assertError(JavaFileObject src, String message, String line) {
    Compilation compilation = DiagnosticsTest.compile(src);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining(message).inFile(src).onLineContaining(line);
    assertThat(compilation).hadErrorCount(1);
  }

  @Test
  void bidirectionalLayerStartingFromAnInitialState() {
    assertError(handOver("@Gru(units = 6, returnSequences = false)", "@Gru(units = 6, bidirectional = true)"),
        "[Kiln/BadAttribute] dec: @Gru(bidirectional = true) starts from enc's final state (@InitialState), but a bidirectional layer's"
            + " reverse direction starts at the last step, where no state is handed over; drop @InitialState or bidirectional",
        "abstract Tensor dec(");
    assertThat(DiagnosticsTest.compile(handOver("@Gru(units = 6, returnSequences = false)", "@Gru(units = 6)"))).succeeded();
  }

  @Test
  void bidirectionalLayerHandingItsStateOver() {
    assertError(handOver("@Lstm(units = 6, returnSequences = false, bidirectional = true)", "@Lstm(units = 6)"),
        "[Kiln/BadAttribute] enc: @Lstm(bidirectional = true) is the @InitialState of dec, but a bidirectional layer ends in two states,"
            + " one per direction; make enc one-directional, or feed dec its output instead of its state",
        "abstract Tensor enc(");
  }

  @Test
  void bidirectionalLayerReadingADecodedInput() {
    assertError(decoded(true, "@Rnn(units = 5, bidirectional = true)"),
        "[Kiln/BadAttribute] r: @Rnn(bidirectional = true) reads text from its last step back, but text is @Tokens(decoded = true) and"
            + " decoded one step at a time; drop bidirectional on r or decoded on text",
        "abstract Tensor r(");
    assertThat(DiagnosticsTest.compile(decoded(true, "@Rnn(units = 5)"))).succeeded();
    assertThat(DiagnosticsTest.compile(decoded(false, "@Rnn(units = 5, bidirectional = true)"))).succeeded();
  }
}
