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
  private final Families families = Families.of(this);
  private final IntrospectionMethods introspection = new IntrospectionMethods(this);

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
    for (int index = 0; index < program.backward().size(); index++) {
      BackwardCall call = program.backward().get(index);
      introspection.beforeBackward(index, gradients);
      switch (call) {
        case BackwardCall.ZeroFill z -> families.join().backward(z, gradients);
        case BackwardCall.AttentionBackward a -> families.attention().backward(a, gradients);
        case BackwardCall.ConcatBackward c -> families.join().backward(c, gradients);
        case BackwardCall.AddBackward a -> families.join().backward(a, gradients);
        case BackwardCall.LayerNormBackward l -> families.attention().backward(l, gradients);
        case BackwardCall.MultiHeadBackward h -> families.attention().backward(h, gradients);
        case BackwardCall.PositionBackward p -> families.attention().backward(p, gradients);
        case BackwardCall.GeluBackward g -> families.dense().backward(g, gradients);
        case BackwardCall.ActivationBackward a -> families.dense().backward(a, gradients);
        case BackwardCall.BiasGrad b -> families.dense().backward(b, gradients);
        case BackwardCall.WeightGrad w -> families.dense().backward(w, gradients);
        case BackwardCall.InputGrad g -> families.dense().backward(g, gradients);
        case BackwardCall.ConvBackward c -> families.conv().backward(c, gradients);
        case BackwardCall.PoolBackward p -> families.conv().backward(p, gradients);
        case BackwardCall.DropoutBackward d -> families.batchNormDropout().backward(d, gradients);
        case BackwardCall.BatchNormBackward b -> families.batchNormDropout().backward(b, gradients);
        case BackwardCall.EmbeddingBackward e -> families.sequence().backward(e, gradients);
        case BackwardCall.RecurrentBackward r -> families.sequence().backward(r, gradients);
      }
      introspection.afterBackward(call, gradients);
    }
    return gradients.addStatement("return loss").build();
  }
}
