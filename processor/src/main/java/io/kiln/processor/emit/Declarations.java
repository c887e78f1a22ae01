package io.kiln.processor.emit;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.KernelCall;

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
        case KernelCall.DenseForward d -> dense.declare(d, type);
        case KernelCall.GeluForward g -> { }
        case KernelCall.ConvForward c -> conv.declare(c, type);
        case KernelCall.PoolForward p -> { }
        case KernelCall.DropoutForward d -> { }
        case KernelCall.BatchNormForward b -> { }
        case KernelCall.EmbeddingForward e -> { }
        case KernelCall.RecurrentForward r -> sequence.declare(r, type);
        case KernelCall.AttentionForward a -> attention.declare(a, type);
        case KernelCall.LayerNormForward l -> { }
        case KernelCall.MultiHeadForward h -> attention.declare(h, type);
        case KernelCall.PositionForward p -> { }
        case KernelCall.ConcatForward c -> { }
        case KernelCall.AddForward a -> { }
      }
    }
  }

  /** The static geometry constants of convolutions, pools and recurrent layers, in program order. */
  void geometry(TypeSpec.Builder type) {
    for (ForwardCall call : program.forward()) {
      switch (call) {
        case KernelCall.DenseForward d -> { }
        case KernelCall.GeluForward g -> { }
        case KernelCall.ConvForward c -> conv.geometry(c, type);
        case KernelCall.PoolForward p -> conv.geometry(p, type);
        case KernelCall.DropoutForward d -> { }
        case KernelCall.BatchNormForward b -> { }
        case KernelCall.EmbeddingForward e -> { }
        case KernelCall.RecurrentForward r -> sequence.geometry(r, type);
        case KernelCall.AttentionForward a -> { }
        case KernelCall.LayerNormForward l -> { }
        case KernelCall.MultiHeadForward h -> { }
        case KernelCall.PositionForward p -> { }
        case KernelCall.ConcatForward c -> { }
        case KernelCall.AddForward a -> { }
      }
    }
  }

  /** What the generated constructor builds once per layer: the epilogues that read the biases. */
  void initialize(MethodSpec.Builder m) {
    for (ForwardCall call : program.forward()) {
      switch (call) {
        case KernelCall.DenseForward d -> dense.initialize(d, m);
        case KernelCall.GeluForward g -> { }
        case KernelCall.ConvForward c -> conv.initialize(c, m);
        case KernelCall.PoolForward p -> { }
        case KernelCall.DropoutForward d -> { }
        case KernelCall.BatchNormForward b -> { }
        case KernelCall.EmbeddingForward e -> { }
        case KernelCall.RecurrentForward r -> { }
        case KernelCall.AttentionForward a -> { }
        case KernelCall.LayerNormForward l -> { }
        case KernelCall.MultiHeadForward h -> attention.initialize(h, m);
        case KernelCall.PositionForward p -> { }
        case KernelCall.ConcatForward c -> { }
        case KernelCall.AddForward a -> { }
      }
    }
  }

  /** The per-layer checks of a public method's arguments: token ids within an embedding's vocabulary. */
  void checkInputs(MethodSpec.Builder m, String method) {
    for (ForwardCall call : program.forward()) {
      switch (call) {
        case KernelCall.DenseForward d -> { }
        case KernelCall.GeluForward g -> { }
        case KernelCall.ConvForward c -> { }
        case KernelCall.PoolForward p -> { }
        case KernelCall.DropoutForward d -> { }
        case KernelCall.BatchNormForward b -> { }
        case KernelCall.EmbeddingForward e -> sequence.checkInputs(e, m, method);
        case KernelCall.RecurrentForward r -> { }
        case KernelCall.AttentionForward a -> { }
        case KernelCall.LayerNormForward l -> { }
        case KernelCall.MultiHeadForward h -> { }
        case KernelCall.PositionForward p -> { }
        case KernelCall.ConcatForward c -> { }
        case KernelCall.AddForward a -> { }
      }
    }
  }
}
