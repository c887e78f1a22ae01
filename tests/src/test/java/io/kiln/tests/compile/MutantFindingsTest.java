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
        "text: @Tokens(decoded = true) is decoded one step at a time, but b.0.attn (@MultiHeadAttention) lets step t see text's later steps",
        "@Tokens");
  }

  /**
   * Swapping an attention's inputs in a decoded encoder–decoder is one mistake: the @Concat where the
   * shapes no longer meet reports it, and the decoded look-ahead is not reported on top.
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
        "[Kiln/ShapeMismatch] joined: @Concat needs inputs that are vectors per sample or per step, all sequences of the same length"
            + " or none but dec is [B, T ≤ 2, 5] and context is [B, T ≤ 4, 5]",
        "@Concat");
  }
}
