package io.kiln.processor.emit;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.registry.CallWriters;
import java.util.List;
import javax.lang.model.element.Modifier;

/** Writes {@code runForward}: one statement group per forward kernel call, in program order. */
final class ForwardPass extends GeneratedClassPart {
  private final CallWriters writers = new CallWriters(this);
  private final IntrospectionMethods introspection = new IntrospectionMethods(this);

  ForwardPass(GeneratedClassPart shared) {
    super(shared);
  }

  MethodSpec runForward() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("runForward").addModifiers(Modifier.PRIVATE)
        .addJavadoc("Training mode draws dropout masks and normalizes with batch statistics; inference does neither.\n");
    addInputParams(m);
    addBatchParams(m);
    m.addParameter(TypeName.BOOLEAN, "training");
    if (trains()) {
      m.addParameter(TypeName.BOOLEAN, "diagnose").returns(TypeName.INT)
          .addJavadoc("With {@code diagnose}, returns the index of the first call whose output is not finite (-1 if none).\n");
    }
    if (!attentions().isEmpty()) {
      m.addStatement("lastBatch = batch").addStatement("lastSteps = steps");
    }
    for (int index = 0; index < program.forward().size(); index++) {
      ForwardCall call = program.forward().get(index);
      if (index > 0 && trains()) {
        Buffer previous = program.forward().get(index - 1).writes().get(0);
        m.beginControlFlow("if (diagnose && $T.firstNonFinite($L, $L) >= 0)", CHECKS, ref(previous), count(previous))
            .addStatement("return $L", index - 1).endControlFlow();
      }
      writers.forward(call, m);
      introspection.afterForward(index, m);
    }
    if (trains()) {
      List<ForwardCall> calls = program.forward();
      Buffer last = calls.get(calls.size() - 1).writes().get(0);
      m.addStatement("return diagnose && $T.firstNonFinite($L, $L) >= 0 ? $L : -1", CHECKS, ref(last), count(last), calls.size() - 1);
    }
    return m.build();
  }
}
