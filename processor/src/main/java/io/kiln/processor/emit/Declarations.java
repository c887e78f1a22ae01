package io.kiln.processor.emit;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.processor.fuse.ForwardCall;

/**
 * Asks each layer family's writer what the generated class declares for its forward calls (fields,
 * geometry constants, constructor statements, argument checks), in program order. The one switch
 * names every forward call, so a new kind of call does not compile until it says what it declares.
 */
final class Declarations extends GeneratedClassPart {
  private final DenseCalls dense;
  private final ConvCalls conv;
  private final SequenceCalls sequence;
  private final AttentionCalls attention;
  private final BatchNormDropoutCalls batchNorm;

  /** What one forward call adds to the generated class; most add nothing. */
  private interface Declaring {
    /** The instance fields a layer keeps between calls: GEMM epilogues, recurrent and attention workspaces. */
    default void fields(TypeSpec.Builder type) {}

    /** Static geometry constants (convolutions, pools, recurrent layers). */
    default void geometry(TypeSpec.Builder type) {}

    /** What the generated constructor builds once: the epilogues that read the biases, layer objects. */
    default void initialize(MethodSpec.Builder m) {}

    /** Checks of a public method's arguments: token ids within an embedding's vocabulary. */
    default void checkInputs(MethodSpec.Builder m, String method) {}
  }

  private static final Declaring NOTHING = new Declaring() {};

  Declarations(GeneratedClassPart shared) {
    super(shared);
    Families families = Families.of(this);
    this.dense = families.dense();
    this.conv = families.conv();
    this.sequence = families.sequence();
    this.attention = families.attention();
    this.batchNorm = families.batchNormDropout();
  }

  void fields(TypeSpec.Builder type) {
    program.forward().forEach(call -> of(call).fields(type));
  }

  void geometry(TypeSpec.Builder type) {
    program.forward().forEach(call -> of(call).geometry(type));
  }

  void initialize(MethodSpec.Builder m) {
    program.forward().forEach(call -> of(call).initialize(m));
  }

  void checkInputs(MethodSpec.Builder m, String method) {
    program.forward().forEach(call -> of(call).checkInputs(m, method));
  }

  private Declaring of(ForwardCall call) {
    return switch (call) {
      case ForwardCall.DenseForward d -> new Declaring() {
          @Override
          public void fields(TypeSpec.Builder type) {
            dense.declare(d, type);
          }

          @Override
          public void initialize(MethodSpec.Builder m) {
            dense.initialize(d, m);
          }
        };
      case ForwardCall.GeluForward g -> NOTHING;
      case ForwardCall.ConvForward c -> new Declaring() {
          @Override
          public void fields(TypeSpec.Builder type) {
            conv.declare(c, type);
          }

          @Override
          public void geometry(TypeSpec.Builder type) {
            conv.geometry(c, type);
          }

          @Override
          public void initialize(MethodSpec.Builder m) {
            conv.initialize(c, m);
          }
        };
      case ForwardCall.PoolForward p -> new Declaring() {
          @Override
          public void fields(TypeSpec.Builder type) {
            conv.declare(p, type);
          }

          @Override
          public void geometry(TypeSpec.Builder type) {
            conv.geometry(p, type);
          }

          @Override
          public void initialize(MethodSpec.Builder m) {
            conv.initialize(p, m);
          }
        };
      case ForwardCall.DropoutForward d -> NOTHING;
      case ForwardCall.BatchNormForward b -> new Declaring() {
          @Override
          public void fields(TypeSpec.Builder type) {
            batchNorm.declare(b, type);
          }

          @Override
          public void initialize(MethodSpec.Builder m) {
            batchNorm.initialize(b, m);
          }
        };
      case ForwardCall.EmbeddingForward e -> new Declaring() {
          @Override
          public void checkInputs(MethodSpec.Builder m, String method) {
            sequence.checkInputs(e, m, method);
          }
        };
      case ForwardCall.RecurrentForward r -> new Declaring() {
          @Override
          public void fields(TypeSpec.Builder type) {
            sequence.declare(r, type);
          }

          @Override
          public void geometry(TypeSpec.Builder type) {
            sequence.geometry(r, type);
          }

          @Override
          public void initialize(MethodSpec.Builder m) {
            sequence.initialize(r, m);
          }
        };
      case ForwardCall.AttentionForward a -> new Declaring() {
          @Override
          public void fields(TypeSpec.Builder type) {
            attention.declare(a, type);
          }

          @Override
          public void initialize(MethodSpec.Builder m) {
            attention.initialize(a, m);
          }
        };
      case ForwardCall.LayerNormForward l -> new Declaring() {
          @Override
          public void fields(TypeSpec.Builder type) {
            attention.declare(l, type);
          }

          @Override
          public void initialize(MethodSpec.Builder m) {
            attention.initialize(l, m);
          }
        };
      case ForwardCall.MultiHeadForward h -> new Declaring() {
          @Override
          public void fields(TypeSpec.Builder type) {
            attention.declare(h, type);
          }

          @Override
          public void initialize(MethodSpec.Builder m) {
            attention.initialize(h, m);
          }
        };
      case ForwardCall.PositionForward p -> NOTHING;
      case ForwardCall.ConcatForward c -> NOTHING;
      case ForwardCall.AddForward a -> NOTHING;
    };
  }
}
