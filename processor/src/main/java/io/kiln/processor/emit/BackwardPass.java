package io.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.KernelCall;
import java.util.Arrays;
import javax.lang.model.element.Modifier;

/** Writes {@code gradients}: forward, loss, then one statement group per backward kernel call. */
final class BackwardPass extends GeneratedClassPart {
  private final DenseCalls denseCalls = new DenseCalls(this);
  private final ConvCalls convCalls = new ConvCalls(this);
  private final BatchNormDropoutCalls batchNormDropoutCalls = new BatchNormDropoutCalls(this);
  private final SequenceCalls sequenceCalls = new SequenceCalls(this);
  private final AttentionCalls attentionCalls = new AttentionCalls(this);
  private final JoinCalls joinCalls = new JoinCalls(this);

  BackwardPass(GeneratedClassPart shared) {
    super(shared);
  }

  MethodSpec runBackward() {
    Buffer labels = program.labels();
    MethodSpec.Builder gradients = MethodSpec.methodBuilder("gradients").addModifiers(Modifier.PRIVATE).returns(TypeName.FLOAT);
    addInputParams(gradients);
    gradients.addParameter(labelsType(), var(labels));
    addBatchParams(gradients);
    gradients.addStatement("$T.fill(grads, 0f)", Arrays.class)
        .addStatement("$L", runForwardCall(inputArgs(), batchArgs(), "true"))
        .addStatement("float loss = runLoss($L$L, $L, true)", lossInputArgs(), var(labels), batchArgs());
    if (countsCorrect()) {
      KernelCall.LossForward l = program.loss();
      gradients.addStatement("lastCorrect = $T.countArgmaxMatches($L, $L, 0, $L, $L)", ClassName.get(RUNTIME, "Metrics"), ref(l.input()), var(labels), rows(l.input()), l.perSample());
    }
    for (BackwardCall call : program.backward()) {
      switch (call) {
        case BackwardCall.ZeroFill z -> joinCalls.backward(z, gradients);
        case BackwardCall.AttentionBackward a -> attentionCalls.backward(a, gradients);
        case BackwardCall.ConcatBackward c -> joinCalls.backward(c, gradients);
        case BackwardCall.AddBackward a -> joinCalls.backward(a, gradients);
        case BackwardCall.LayerNormBackward l -> attentionCalls.backward(l, gradients);
        case BackwardCall.MultiHeadBackward h -> attentionCalls.backward(h, gradients);
        case BackwardCall.PositionBackward p -> attentionCalls.backward(p, gradients);
        case BackwardCall.GeluBackward g -> denseCalls.backward(g, gradients);
        case BackwardCall.ActivationBackward a -> denseCalls.backward(a, gradients);
        case BackwardCall.BiasGrad b -> denseCalls.backward(b, gradients);
        case BackwardCall.WeightGrad w -> denseCalls.backward(w, gradients);
        case BackwardCall.InputGrad g -> denseCalls.backward(g, gradients);
        case BackwardCall.ConvBackward c -> convCalls.backward(c, gradients);
        case BackwardCall.PoolBackward p -> convCalls.backward(p, gradients);
        case BackwardCall.DropoutBackward d -> batchNormDropoutCalls.backward(d, gradients);
        case BackwardCall.BatchNormBackward b -> batchNormDropoutCalls.backward(b, gradients);
        case BackwardCall.EmbeddingBackward e -> sequenceCalls.backward(e, gradients);
        case BackwardCall.RecurrentBackward r -> sequenceCalls.backward(r, gradients);
      }
    }
    return gradients.addStatement("return loss").build();
  }
}
