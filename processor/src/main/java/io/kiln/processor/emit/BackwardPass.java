package io.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.KernelCall;
import io.kiln.processor.registry.CallWriters;
import java.util.Arrays;
import javax.lang.model.element.Modifier;

/** Writes {@code gradients}: forward, loss, then one statement group per backward kernel call. */
final class BackwardPass extends GeneratedClassPart {
  private final CallWriters writers = new CallWriters(this);
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
      writers.backward(call, gradients);
      introspection.afterBackward(call, gradients);
    }
    return gradients.addStatement("return loss").build();
  }
}
