package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import io.kiln.processor.KilnProcessor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Defects {@link ModelMutantsTest} found in the processor, each pinned by its smallest model. */
class MutantFindingsTest {

  private static Compilation compile(List<String> lines) {
    return Compiler.javac().withProcessors(new KilnProcessor()).compile(NetSnippets.net(lines));
  }

  /** Attention gives one context vector per query step, so a source and a target of different lengths meet in @Concat. */
  @Test
  void attentionContextHasTheQueryLength() {
    Compilation c = compile(List.of(
        "  @Tokens(maxLength = 3) abstract IntTensor source();",
        "  @Tokens(maxLength = 8) abstract IntTensor target();",
        "  @Embedding(vocab = 9, dim = 4) abstract Tensor se(IntTensor source);",
        "  @Embedding(vocab = 9, dim = 4) abstract Tensor te(IntTensor target);",
        "  @Lstm(units = 5) abstract Tensor enc(Tensor se);",
        "  @Lstm(units = 5) abstract Tensor dec(Tensor te, @InitialState Tensor enc);",
        "  @Attention abstract Tensor context(Tensor dec, Tensor enc);",
        "  @Concat abstract Tensor joined(Tensor dec, Tensor context);",
        "  @Dense(units = 9) abstract Tensor o(Tensor joined);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);"));
    assertThat(c).succeededWithoutWarnings();
  }

  /** A float loss reading the token ids was accepted, and the class Kiln wrote did not compile. */
  @Test
  void aFloatLossOverTokenIdsIsOneError() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 8) abstract IntTensor review();",
        "  @Embedding(vocab = 17, dim = 5) abstract Tensor e(IntTensor review);",
        "  @Lstm(units = 3, returnSequences = false) abstract Tensor enc(Tensor e);",
        "  @Dense(units = 1) abstract Tensor o(Tensor enc);",
        "  @Loss(LossKind.MEAN_SQUARED_ERROR) abstract Tensor loss(IntTensor review, @Labels Tensor y);")),
        "[Kiln/ShapeMismatch] loss: @Loss(MEAN_SQUARED_ERROR) scores float outputs but review is token ids [B, T];"
            + " score the layer that predicts the targets (a @Dense), not the @Tokens input",
        "@Loss");
  }

  /** Softmax over one output with float targets is one mistake (a sigmoid loss was meant), not two. */
  @Test
  void softmaxOverOneOutputWithFloatTargetsIsOneError() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Input(shape = 4) abstract Tensor x();",
        "  @Dense(units = 1) abstract Tensor o(Tensor x);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels Tensor y);")),
        "loss: @Loss(SOFTMAX_CROSS_ENTROPY) over o [B, 1] has a single class; use SIGMOID_BINARY_CROSS_ENTROPY",
        "@Loss");
  }

  /** A decoded model whose loss is already reported does not get a second error on its @Tokens. */
  @Test
  void aDecodedModelWithAWrongLossIsOneError() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 6, decoded = true) abstract IntTensor text();",
        "  @Embedding(vocab = 7, dim = 4) abstract Tensor e(IntTensor text);",
        "  @Lstm(units = 5) abstract Tensor l(Tensor e);",
        "  @Dense(units = 7) abstract Tensor o(Tensor l);",
        "  @Loss(LossKind.SIGMOID_BINARY_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);")),
        "[Kiln/Labels] loss: @Loss(SIGMOID_BINARY_CROSS_ENTROPY) takes float targets but 'next' is IntTensor",
        "@Loss");
  }

  /** A non-causal attention in a repeated block is one mistake: one error, not one per copy. */
  @Test
  void aNonCausalRepeatedBlockUnderADecodedInputIsOneError() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 6, decoded = true) abstract IntTensor text();",
        "  @Embedding(vocab = 7, dim = 4) abstract Tensor e(IntTensor text);",
        "  @Repeat(block = Layer.class, times = 3) abstract Tensor b(Tensor e);",
        "  @Dense(units = 7) abstract Tensor o(Tensor b);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);",
        "  @Block abstract static class Layer {",
        "    @BlockInput abstract Tensor x();",
        "    @MultiHeadAttention(heads = 2) abstract Tensor attn(Tensor x);",
        "  }")),
        "b.0.attn: @MultiHeadAttention lets step t see later steps of text, which is @Tokens(decoded = true)",
        "@MultiHeadAttention");
  }

  /**
   * Swapping an attention's inputs in a decoded encoder–decoder is one mistake: the attention, whose
   * query now has the source's length, reports it where the @Concat's shapes no longer meet, and the
   * decoded look-ahead is not reported on top.
   */
  @Test
  void swappedAttentionInputsInADecodedModelAreOneError() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 4) abstract IntTensor source();",
        "  @Tokens(maxLength = 2, decoded = true) abstract IntTensor target();",
        "  @Embedding(vocab = 7, dim = 3) abstract Tensor srcEmb(IntTensor source);",
        "  @Embedding(vocab = 7, dim = 3) abstract Tensor tgtEmb(IntTensor target);",
        "  @Lstm(units = 5) abstract Tensor enc(Tensor srcEmb);",
        "  @Lstm(units = 5) abstract Tensor dec(Tensor tgtEmb, @InitialState Tensor enc);",
        "  @Attention(score = Score.GENERAL) abstract Tensor context(Tensor enc, Tensor dec);",
        "  @Concat abstract Tensor joined(Tensor dec, Tensor context);",
        "  @Dense(units = 7) abstract Tensor o(Tensor joined);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor label);")),
        "[Kiln/ShapeMismatch] context: @Attention gives one context vector per step of its first input, the query, but that is enc"
            + " [B, T ≤ 4, 5], so joined cannot join it with dec [B, T ≤ 2, 5]; the inputs look swapped: the query (decoder states) comes"
            + " first, the keys second: context(Tensor dec, Tensor enc)",
        "@Attention");
  }

  private static final List<String> SEQ2SEQ = List.of(
      "  @Tokens(maxLength = 4) abstract IntTensor source();",
      "  @Tokens(maxLength = 3, decoded = true) abstract IntTensor target();",
      "  @Embedding(vocab = 7, dim = 3) abstract Tensor srcEmb(IntTensor source);",
      "  @Embedding(vocab = 7, dim = 3) abstract Tensor tgtEmb(IntTensor target);");

  private static List<String> seq2seq(String encoder, String attention) {
    List<String> lines = new java.util.ArrayList<>(SEQ2SEQ);
    lines.addAll(List.of(encoder,
        "  @Lstm(units = 5) abstract Tensor dec(Tensor tgtEmb, @InitialState Tensor enc);",
        attention,
        "  @Concat abstract Tensor joined(Tensor dec, Tensor context);",
        "  @Dense(units = 7) abstract Tensor o(Tensor joined);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);"));
    return lines;
  }

  /** An encoder reading the decoded target's side is the line to change, not the @Tokens nor the attention. */
  @Test
  void anEncoderReadingTheDecodedSideIsTheError() {
    NetSnippets.assertOnlyError(NetSnippets.net(seq2seq("  @Lstm(units = 5) abstract Tensor enc(Tensor tgtEmb);",
        "  @Attention abstract Tensor context(Tensor dec, Tensor enc);")),
        "[Kiln/BadAttribute] enc: reads target's side, so the keys of context (@Attention) see later steps of target, which is"
            + " @Tokens(decoded = true) and decoded one step at a time; make enc read the encoder's side (states that do not depend on"
            + " target), or drop decoded on target",
        "Tensor enc(Tensor tgtEmb)");
    NetSnippets.assertCompiles(seq2seq("  @Lstm(units = 5) abstract Tensor enc(Tensor srcEmb);",
        "  @Attention abstract Tensor context(Tensor dec, Tensor enc);"));
  }

  /** Attention over the decoder's own states (its inputs swapped, the lengths equal) is the attention's error. */
  @Test
  void attentionWhoseKeysAreTheDecodedSideIsTheError() {
    List<String> lines = new java.util.ArrayList<>(seq2seq("  @Lstm(units = 5) abstract Tensor enc(Tensor srcEmb);",
        "  @Attention abstract Tensor context(Tensor enc, Tensor dec);"));
    lines.set(0, "  @Tokens(maxLength = 3) abstract IntTensor source();"); // same length: the @Concat still fits
    NetSnippets.assertOnlyError(NetSnippets.net(lines),
        "[Kiln/BadAttribute] context: @Attention lets step t see later steps of target",
        "@Attention");
  }

  /** An embedding whose vocab and dim are swapped breaks the model width far below; the embedding is reported. */
  @Test
  void anEmbeddingWithVocabAndDimSwappedIsTheError() {
    List<String> lines = List.of(
        "  @Tokens(maxLength = 6, decoded = true) abstract IntTensor text();",
        "  @Embedding(vocab = 4, dim = 9) abstract Tensor e(IntTensor text);",
        "  @MultiHeadAttention(heads = 2, causal = true) abstract Tensor a(Tensor e);",
        "  @Dense(units = 9) abstract Tensor o(Tensor a);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);");
    NetSnippets.assertOnlyError(NetSnippets.net(lines),
        "[Kiln/ShapeMismatch] e: @Embedding(vocab = 4, dim = 9) looks like vocab and dim swapped: the layers after it do not fit a width"
            + " of 9, and they fit 4; write @Embedding(vocab = 9, dim = 4)",
        "@Embedding");
    NetSnippets.assertCompiles(lines.stream().map(l -> l.replace("vocab = 4, dim = 9", "vocab = 9, dim = 4")).toList());
  }

  /**
   * One size that disagrees is not a swap: an output one class wider than the vocabulary, which
   * happens to equal the embedding's dim, stays the output's error (a vocab = 6 alone would fix it).
   */
  @Test
  void aDecodedOutputWiderThanTheVocabIsNotCalledASwap() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 6, decoded = true) abstract IntTensor text();",
        "  @Embedding(vocab = 5, dim = 6) abstract Tensor e(IntTensor text);",
        "  @Lstm(units = 4) abstract Tensor l(Tensor e);",
        "  @Dense(units = 6) abstract Tensor o(Tensor l);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);")),
        "o: greedy decoding feeds the argmax of o's 6 classes back into text, but e has rows for ids 0..4 only (vocab = 5)",
        "@Dense(units = 6)");
  }

  /** Two embeddings sharing a table disagree: which one is swapped is unknown, so the sharer reports it. */
  @Test
  void aSharedTableThatDisagreesStaysOnTheSharer() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 4) abstract IntTensor source();",
        "  @Tokens(maxLength = 4) abstract IntTensor target();",
        "  @Embedding(vocab = 6, dim = 4) abstract Tensor srcEmb(IntTensor source);",
        "  @Embedding(vocab = 4, dim = 6, shares = \"srcEmb\") abstract Tensor tgtEmb(IntTensor target);",
        "  @Concat abstract Tensor joined(Tensor srcEmb, Tensor tgtEmb);",
        "  @Dense(units = 4) abstract Tensor o(Tensor joined);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);")),
        "tgtEmb: @Embedding(vocab = 4, dim = 6) shares srcEmb's table, which is [6, 4]; declare the same vocab and dim",
        "shares");
  }

  /** Dropout over token ids would turn ids into id 0: an error on the dropout, not on the @Dense after it. */
  @Test
  void dropoutOverTokenIdsIsTheError() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 6) abstract IntTensor text();",
        "  @Embedding(vocab = 7, dim = 4) abstract Tensor e(IntTensor text);",
        "  @Lstm(units = 4) abstract Tensor l(Tensor e);",
        "  @Dropout(rate = 0.1) abstract Tensor drop(IntTensor text);",
        "  @Dense(units = 7) abstract Tensor o(Tensor drop);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);")),
        "[Kiln/ShapeMismatch] drop: @Dropout zeroes floats at random, but text is token ids [B, T] (a zeroed id is another token);"
            + " read the @Embedding of text instead",
        "@Dropout");
  }

  /** A decoded model's loss scoring a recurrent state, not the classifier: the loss is the line to change. */
  @Test
  void aDecodedLossOverARecurrentStateIsTheLossesError() {
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Tokens(maxLength = 6, decoded = true) abstract IntTensor text();",
        "  @Embedding(vocab = 5, dim = 4) abstract Tensor e(IntTensor text);",
        "  @Lstm(units = 8) abstract Tensor l(Tensor e);",
        "  @Dense(units = 5) abstract Tensor o(Tensor l);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor l, @Labels IntTensor next);")),
        "l: greedy decoding feeds the argmax of l's 8 classes back into text",
        "@Loss");
  }
}
