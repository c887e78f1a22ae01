package io.kiln.processor.emit;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.processor.fuse.ForwardCall;

/**
 * Asks each layer family's writer what the generated class declares for its forward calls (fields,
 * geometry constants, constructor statements, argument checks), in program order. Every switch
 * names every forward call, so a new kind of call does not compile until it says what it declares.
 */
final class Declarations extends GeneratedClassPart {
  private final DenseCalls dense = new DenseCalls(this);
  private final ConvCalls conv = new ConvCalls(this);
  private final SequenceCalls sequence = new SequenceCalls(this);
  private final AttentionCalls attention = new AttentionCalls(this);

  Declarations(GeneratedClassPart shared) {
    super(shared);
  }

  /** The instance fields a layer keeps between calls: GEMM epilogues, recurrent and attention workspaces. */
  void fields(TypeSpec.Builder type) {
    for (ForwardCall call : program.forward()) {
      switch (call) {
        case ForwardCall.DenseForward d -> dense.declare(d, type);
        case ForwardCall.GeluForward g -> { }
        case ForwardCall.ConvForward c -> conv.declare(c, type);
        case ForwardCall.PoolForward p -> { }
        case ForwardCall.DropoutForward d -> { }
        case ForwardCall.BatchNormForward b -> { }
        case ForwardCall.EmbeddingForward e -> { }
        case ForwardCall.RecurrentForward r -> sequence.declare(r, type);
        case ForwardCall.AttentionForward a -> attention.declare(a, type);
        case ForwardCall.LayerNormForward l -> { }
        case ForwardCall.MultiHeadForward h -> attention.declare(h, type);
        case ForwardCall.PositionForward p -> { }
        case ForwardCall.ConcatForward c -> { }
        case ForwardCall.AddForward a -> { }
      }
    }
  }

  /** The static geometry constants of convolutions, pools and recurrent layers, in program order. */
  void geometry(TypeSpec.Builder type) {
    for (ForwardCall call : program.forward()) {
      switch (call) {
        case ForwardCall.DenseForward d -> { }
        case ForwardCall.GeluForward g -> { }
        case ForwardCall.ConvForward c -> conv.geometry(c, type);
        case ForwardCall.PoolForward p -> conv.geometry(p, type);
        case ForwardCall.DropoutForward d -> { }
        case ForwardCall.BatchNormForward b -> { }
        case ForwardCall.EmbeddingForward e -> { }
        case ForwardCall.RecurrentForward r -> sequence.geometry(r, type);
        case ForwardCall.AttentionForward a -> { }
        case ForwardCall.LayerNormForward l -> { }
        case ForwardCall.MultiHeadForward h -> { }
        case ForwardCall.PositionForward p -> { }
        case ForwardCall.ConcatForward c -> { }
        case ForwardCall.AddForward a -> { }
      }
    }
  }

  /** What the generated constructor builds once per layer: the epilogues that read the biases. */
  void initialize(MethodSpec.Builder m) {
    for (ForwardCall call : program.forward()) {
      switch (call) {
        case ForwardCall.DenseForward d -> dense.initialize(d, m);
        case ForwardCall.GeluForward g -> { }
        case ForwardCall.ConvForward c -> conv.initialize(c, m);
        case ForwardCall.PoolForward p -> { }
        case ForwardCall.DropoutForward d -> { }
        case ForwardCall.BatchNormForward b -> { }
        case ForwardCall.EmbeddingForward e -> { }
        case ForwardCall.RecurrentForward r -> { }
        case ForwardCall.AttentionForward a -> { }
        case ForwardCall.LayerNormForward l -> { }
        case ForwardCall.MultiHeadForward h -> attention.initialize(h, m);
        case ForwardCall.PositionForward p -> { }
        case ForwardCall.ConcatForward c -> { }
        case ForwardCall.AddForward a -> { }
      }
    }
  }

  /** The per-layer checks of a public method's arguments: token ids within an embedding's vocabulary. */
  void checkInputs(MethodSpec.Builder m, String method) {
    for (ForwardCall call : program.forward()) {
      switch (call) {
        case ForwardCall.DenseForward d -> { }
        case ForwardCall.GeluForward g -> { }
        case ForwardCall.ConvForward c -> { }
        case ForwardCall.PoolForward p -> { }
        case ForwardCall.DropoutForward d -> { }
        case ForwardCall.BatchNormForward b -> { }
        case ForwardCall.EmbeddingForward e -> sequence.checkInputs(e, m, method);
        case ForwardCall.RecurrentForward r -> { }
        case ForwardCall.AttentionForward a -> { }
        case ForwardCall.LayerNormForward l -> { }
        case ForwardCall.MultiHeadForward h -> { }
        case ForwardCall.PositionForward p -> { }
        case ForwardCall.ConcatForward c -> { }
        case ForwardCall.AddForward a -> { }
      }
    }
  }
}
