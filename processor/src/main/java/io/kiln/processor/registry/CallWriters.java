package io.kiln.processor.registry;

import com.palantir.javapoet.MethodSpec;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.family.Declaring;
import io.kiln.processor.family.Probing;
import io.kiln.processor.family.attention.AttentionCalls;
import io.kiln.processor.family.conv.ConvCalls;
import io.kiln.processor.family.dense.DenseCalls;
import io.kiln.processor.family.join.JoinCalls;
import io.kiln.processor.family.norm.BatchNormDropoutCalls;
import io.kiln.processor.family.sequence.SequenceCalls;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.ForwardCall;

/**
 * Hands each kernel call to the writer of the family that lowered it: its statements in
 * {@code runForward} or {@code gradients}, and what the generated class declares for it. The
 * switches are exhaustive over the sealed {@link ForwardCall} and {@link BackwardCall}, so a new
 * kind of call does not compile until it is written and says what it declares.
 */
public final class CallWriters {
  private final DenseCalls dense;
  private final ConvCalls conv;
  private final BatchNormDropoutCalls norm;
  private final SequenceCalls sequence;
  private final AttentionCalls attention;
  private final JoinCalls join;

  /** The writers share {@code shared}'s names, so a constant is spelled the same everywhere. */
  public CallWriters(GeneratedClassPart shared) {
    this.dense = new DenseCalls(shared);
    this.conv = new ConvCalls(shared);
    this.norm = new BatchNormDropoutCalls(shared);
    this.sequence = new SequenceCalls(shared);
    this.attention = new AttentionCalls(shared);
    this.join = new JoinCalls(shared);
  }

  public void forward(ForwardCall call, MethodSpec.Builder m) {
    switch (call) {
      case ForwardCall.AttentionForward a -> attention.forward(a, m);
      case ForwardCall.ConcatForward c -> join.forward(c, m);
      case ForwardCall.AddForward a -> join.forward(a, m);
      case ForwardCall.LayerNormForward l -> attention.forward(l, m);
      case ForwardCall.MultiHeadForward h -> attention.forward(h, m);
      case ForwardCall.PositionForward p -> attention.forward(p, m);
      case ForwardCall.GeluForward g -> dense.forward(g, m);
      case ForwardCall.DenseForward d -> dense.forward(d, m);
      case ForwardCall.ConvForward c -> conv.forward(c, m);
      case ForwardCall.PoolForward p -> conv.forward(p, m);
      case ForwardCall.DropoutForward d -> norm.forward(d, m);
      case ForwardCall.BatchNormForward b -> norm.forward(b, m);
      case ForwardCall.EmbeddingForward e -> sequence.forward(e, m);
      case ForwardCall.RecurrentForward r -> sequence.forward(r, m);
    }
  }

  public void backward(BackwardCall call, MethodSpec.Builder gradients) {
    switch (call) {
      case BackwardCall.ZeroFill z -> join.backward(z, gradients);
      case BackwardCall.AttentionBackward a -> attention.backward(a, gradients);
      case BackwardCall.ConcatBackward c -> join.backward(c, gradients);
      case BackwardCall.AddBackward a -> join.backward(a, gradients);
      case BackwardCall.LayerNormBackward l -> attention.backward(l, gradients);
      case BackwardCall.MultiHeadBackward h -> attention.backward(h, gradients);
      case BackwardCall.PositionBackward p -> attention.backward(p, gradients);
      case BackwardCall.GeluBackward g -> dense.backward(g, gradients);
      case BackwardCall.ActivationBackward a -> dense.backward(a, gradients);
      case BackwardCall.BiasGrad b -> dense.backward(b, gradients);
      case BackwardCall.WeightGrad w -> dense.backward(w, gradients);
      case BackwardCall.InputGrad g -> dense.backward(g, gradients);
      case BackwardCall.ConvBackward c -> conv.backward(c, gradients);
      case BackwardCall.PoolBackward p -> conv.backward(p, gradients);
      case BackwardCall.DropoutBackward d -> norm.backward(d, gradients);
      case BackwardCall.BatchNormBackward b -> norm.backward(b, gradients);
      case BackwardCall.EmbeddingBackward e -> sequence.backward(e, gradients);
      case BackwardCall.RecurrentBackward r -> sequence.backward(r, gradients);
    }
  }

  /** What introspection records for {@code call}: the saturation of the activation it applies, a recurrent layer's gates and steps. */
  public Probing probing(ForwardCall call) {
    return switch (call) {
      case ForwardCall.DenseForward d -> Probing.saturating(d.activation());
      case ForwardCall.ConvForward c -> Probing.saturating(c.activation());
      case ForwardCall.RecurrentForward r -> sequence.probing(r);
      case ForwardCall.GeluForward g -> Probing.OUTPUT;
      case ForwardCall.PoolForward p -> Probing.OUTPUT;
      case ForwardCall.DropoutForward d -> Probing.OUTPUT;
      case ForwardCall.BatchNormForward b -> Probing.OUTPUT;
      case ForwardCall.EmbeddingForward e -> Probing.OUTPUT;
      case ForwardCall.AttentionForward a -> Probing.OUTPUT;
      case ForwardCall.LayerNormForward l -> Probing.OUTPUT;
      case ForwardCall.MultiHeadForward h -> Probing.OUTPUT;
      case ForwardCall.PositionForward p -> Probing.OUTPUT;
      case ForwardCall.ConcatForward c -> Probing.OUTPUT;
      case ForwardCall.AddForward a -> Probing.OUTPUT;
    };
  }

  /** What the generated class declares for {@code call}: fields, geometry constants, constructor statements, argument checks. */
  public Declaring declaring(ForwardCall call) {
    return switch (call) {
      case ForwardCall.DenseForward d -> Declaring.of(type -> dense.declare(d, type), m -> dense.initialize(d, m));
      case ForwardCall.GeluForward g -> Declaring.NOTHING;
      case ForwardCall.ConvForward c -> Declaring.of(type -> conv.declare(c, type), type -> conv.geometry(c, type), m -> conv.initialize(c, m));
      case ForwardCall.PoolForward p -> Declaring.of(type -> conv.declare(p, type), type -> conv.geometry(p, type), m -> conv.initialize(p, m));
      case ForwardCall.DropoutForward d -> Declaring.NOTHING;
      case ForwardCall.BatchNormForward b -> Declaring.of(type -> norm.declare(b, type), m -> norm.initialize(b, m));
      case ForwardCall.EmbeddingForward e -> new Declaring() {
          @Override
          public void checkInputs(MethodSpec.Builder m, String method) {
            sequence.checkInputs(e, m, method);
          }
        };
      case ForwardCall.RecurrentForward r -> Declaring.of(type -> sequence.declare(r, type), type -> sequence.geometry(r, type), m -> sequence.initialize(r, m));
      case ForwardCall.AttentionForward a -> Declaring.of(type -> attention.declare(a, type), m -> attention.initialize(a, m));
      case ForwardCall.LayerNormForward l -> Declaring.of(type -> attention.declare(l, type), m -> attention.initialize(l, m));
      case ForwardCall.MultiHeadForward h -> Declaring.of(type -> attention.declare(h, type), m -> attention.initialize(h, m));
      case ForwardCall.PositionForward p -> Declaring.NOTHING;
      case ForwardCall.ConcatForward c -> Declaring.NOTHING;
      case ForwardCall.AddForward a -> Declaring.NOTHING;
    };
  }
}
