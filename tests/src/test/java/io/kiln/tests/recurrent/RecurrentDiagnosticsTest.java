package io.kiln.tests.recurrent;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.kiln.processor.KilnProcessor;
import io.kiln.tests.compile.NetSnippets;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Build-time errors for token inputs, embeddings and recurrent layers: exact text, right line. */
class RecurrentDiagnosticsTest {

  private static JavaFileObject source(String... lines) {
    return NetSnippets.net(List.of(lines));
  }

  private static void assertError(JavaFileObject src, String message, String token) {
    NetSnippets.assertOnlyError(src, message, token);
  }

  @Test
  void lstmOnAnImage() {
    assertError(source(
        "  @Input(shape = {1, 8, 8}) abstract Tensor x();",
        "  @Lstm(units = 4) abstract Tensor l(Tensor x);"),
        "[Kiln/ShapeMismatch] l: @Lstm needs a sequence of vectors [B, T, n] but x is [B, 1, 8, 8]; feed it an @Embedding, a series @Input(shape, maxLength) or another recurrent layer with returnSequences = true",
        "@Lstm");
  }

  @Test
  void framesWithoutATimeAxisAreReportedOnTheInput() {
    // [B, 6, 4] looks like [B, T, n], but without maxLength the 6 is part of one sample, not its steps.
    assertError(source(
        "  @Input(shape = {6, 4}) abstract Tensor series();",
        "  @Gru(units = 8, returnSequences = false) abstract Tensor g(Tensor series);",
        "  @Dense(units = 2) abstract Tensor o(Tensor g);"),
        "[Kiln/ShapeMismatch] series: @Input(shape = {6, 4}) is one 6×4 block per sample, but g (@Gru) reads a sequence of steps;"
            + " declare its time axis: @Input(shape = {4}, maxLength = 6) is up to 6 steps of 4, the length given per call",
        "shape = {6, 4}");
    NetSnippets.assertCompiles(List.of(
        "  @Input(shape = {4}, maxLength = 6) abstract Tensor series();",
        "  @Gru(units = 8, returnSequences = false) abstract Tensor g(Tensor series);",
        "  @Dense(units = 2) abstract Tensor o(Tensor g);"));
  }

  @Test
  void aMatrixInputReadByADenseLayerIsNotTakenForASeries() {
    // Only a recurrent reader makes the missing time axis the likely mistake; a @Dense still asks for @Flatten.
    Compilation c = Compiler.javac().withProcessors(new KilnProcessor()).compile(source(
        "  @Input(shape = {6, 4}) abstract Tensor m();",
        "  @Dense(units = 2) abstract Tensor o(Tensor m);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor y);"));
    assertThat(c).hadErrorContaining("o: @Dense");
    assertThat(c).hadErrorContaining("@Flatten");
  }

  @Test
  void stackedOnALastState() {
    assertError(source(
        "  @Tokens(maxLength = 8) abstract IntTensor ids();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor ids);",
        "  @Gru(units = 4, returnSequences = false) abstract Tensor g(Tensor e);",
        "  @Gru(units = 4) abstract Tensor g2(Tensor g);"),
        "[Kiln/ShapeMismatch] g2: @Gru needs a sequence of vectors [B, T, n] but g is [B, 4]; feed it an @Embedding, a series @Input(shape, maxLength) or another recurrent layer with returnSequences = true",
        "g2(");
  }

  @Test
  void embeddingOfFloats() {
    assertError(source(
        "  @Input(shape = 5) abstract Tensor x();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(Tensor x);"),
        "[Kiln/ShapeMismatch] e: @Embedding looks up token ids but x is [B, 5] floats; read an @Tokens input (abstract IntTensor tokens()) instead",
        "@Embedding");
  }

  @Test
  void tokensReadAsFloats() {
    assertError(source(
        "  @Tokens(maxLength = 8) abstract IntTensor ids();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(Tensor ids);"),
        "[Kiln/TypeMismatch] e: parameter 'ids' is declared Tensor but node 'ids' is @Tokens (ids); declare it as IntTensor ids and read it with an @Embedding",
        "Tensor ids)");
  }

  @Test
  void tokensReturningTensor() {
    assertError(source("  @Tokens(maxLength = 8) abstract Tensor ids();"),
        "[Kiln/NodeDeclaration] ids: @Tokens returns token ids (IntTensor) but this returns Tensor; declare it as abstract IntTensor ids()",
        "ids()");
  }

  @Test
  void zeroVocabulary() {
    assertError(source(
        "  @Tokens(maxLength = 8) abstract IntTensor ids();",
        "  @Embedding(",
        "      vocab = 0,",
        "      dim = 4)",
        "  abstract Tensor e(IntTensor ids);"),
        "[Kiln/BadAttribute] e: @Embedding(vocab = 0) must be at least 1",
        "vocab = 0");
  }

  @Test
  void zeroMaxLength() {
    assertError(source(
        "  @Tokens(",
        "      maxLength = 0)",
        "  abstract IntTensor ids();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor ids);"),
        "[Kiln/BadAttribute] ids: @Tokens(maxLength = 0) must be at least 1",
        "maxLength = 0");
  }

  @Test
  void negativeSeriesLength() {
    assertError(source(
        "  @Input(shape = {4},",
        "      maxLength = -6)",
        "  abstract Tensor frames();",
        "  @Lstm(units = 8) abstract Tensor l(Tensor frames);"),
        "[Kiln/BadAttribute] frames: @Input(maxLength = -6) must be at least 1; maxLength is the longest sequence the input holds, e.g. maxLength = 128",
        "maxLength = -6");
    NetSnippets.assertCompiles(List.of(
        "  @Input(shape = {4}, maxLength = 6) abstract Tensor frames();",
        "  @Lstm(units = 8) abstract Tensor l(Tensor frames);"));
  }

  @Test
  void rnnWithSigmoid() {
    assertError(source(
        "  @Tokens(maxLength = 8) abstract IntTensor ids();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor ids);",
        "  @Rnn(units = 4,",
        "      activation = Activation.SIGMOID)",
        "  abstract Tensor r(Tensor e);"),
        "[Kiln/BadAttribute] r: @Rnn(activation = SIGMOID) is not a recurrent activation; use TANH (the default) or RELU",
        "activation = Activation.SIGMOID");
  }

  @Test
  void ignoreIndexOnMse() {
    assertError(source(
        "  @Input(shape = 3) abstract Tensor x();",
        "  @Dense(units = 2) abstract Tensor y(Tensor x);",
        "  @Loss(value = LossKind.MEAN_SQUARED_ERROR,",
        "      ignoreIndex = -1)",
        "  abstract Tensor loss(Tensor y, @Labels Tensor t);"),
        "[Kiln/BadAttribute] loss: ignoreIndex only applies to SOFTMAX_CROSS_ENTROPY class labels, not MEAN_SQUARED_ERROR; remove it",
        "ignoreIndex = -1");
  }

  @Test
  void decoderStateSizeDiffersFromEncoder() {
    assertError(source(
        "  @Tokens(maxLength = 8) abstract IntTensor ids();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor ids);",
        "  @Lstm(units = 8, returnSequences = false) abstract Tensor enc(Tensor e);",
        "  @Lstm(units = 16) abstract Tensor dec(Tensor e, @InitialState Tensor enc);"),
        "[Kiln/ShapeMismatch] dec: @InitialState enc is @Lstm(units = 8) but dec is @Lstm(units = 16); the state handed over must be the same kind of cell with the same units",
        "Tensor dec(");
  }

  @Test
  void stateFromANonRecurrentLayer() {
    assertError(source(
        "  @Tokens(maxLength = 8) abstract IntTensor ids();",
        "  @Embedding(vocab = 10, dim = 4) abstract Tensor e(IntTensor ids);",
        "  @Gru(units = 4) abstract Tensor dec(Tensor e, @InitialState Tensor e2);",
        "  @Dense(units = 4) abstract Tensor e2(Tensor e);"),
        "[Kiln/ShapeMismatch] dec: @InitialState e2 is a @Dense layer, not a recurrent one but dec is @Gru(units = 4); the state handed over must be the same kind of cell with the same units:"
            + " name a @Rnn, @Lstm or @Gru layer whose final state starts dec",
        "Tensor dec(");
  }

  @Test
  void initialStateOnADenseLayer() {
    assertError(source(
        "  @Input(shape = 3) abstract Tensor x();",
        "  @Dense(units = 3) abstract Tensor a(Tensor x);",
        "  @Dense(units = 3) abstract Tensor b(Tensor x,",
        "      @InitialState Tensor a);"),
        "[Kiln/NodeDeclaration] b: @InitialState on 'a' belongs on a parameter of @Rnn, @Lstm or @Gru; remove it here",
        "@InitialState Tensor a");
  }
}
