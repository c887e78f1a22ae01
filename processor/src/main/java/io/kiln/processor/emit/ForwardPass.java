package io.kiln.processor.emit;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import java.util.List;
import javax.lang.model.element.Modifier;

/** Writes {@code runForward}: one statement group per forward kernel call, in program order. */
final class ForwardPass extends GeneratedClassPart {
  private final DenseCalls denseCalls = new DenseCalls(this);
  private final ConvCalls convCalls = new ConvCalls(this);
  private final BatchNormDropoutCalls batchNormDropoutCalls = new BatchNormDropoutCalls(this);
  private final SequenceCalls sequenceCalls = new SequenceCalls(this);
  private final AttentionCalls attentionCalls = new AttentionCalls(this);
  private final JoinCalls joinCalls = new JoinCalls(this);

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
      switch (call) {
        case ForwardCall.AttentionForward a -> attentionCalls.forward(a, m);
        case ForwardCall.ConcatForward c -> joinCalls.forward(c, m);
        case ForwardCall.AddForward a -> joinCalls.forward(a, m);
        case ForwardCall.LayerNormForward l -> attentionCalls.forward(l, m);
        case ForwardCall.MultiHeadForward h -> attentionCalls.forward(h, m);
        case ForwardCall.PositionForward p -> attentionCalls.forward(p, m);
        case ForwardCall.GeluForward g -> denseCalls.forward(g, m);
        case ForwardCall.DenseForward d -> denseCalls.forward(d, m);
        case ForwardCall.ConvForward c -> convCalls.forward(c, m);
        case ForwardCall.PoolForward p -> convCalls.forward(p, m);
        case ForwardCall.DropoutForward d -> batchNormDropoutCalls.forward(d, m);
        case ForwardCall.BatchNormForward b -> batchNormDropoutCalls.forward(b, m);
        case ForwardCall.EmbeddingForward e -> sequenceCalls.forward(e, m);
        case ForwardCall.RecurrentForward r -> sequenceCalls.forward(r, m);
      }
    }
    if (trains()) {
      List<ForwardCall> calls = program.forward();
      Buffer last = calls.get(calls.size() - 1).writes().get(0);
      m.addStatement("return diagnose && $T.firstNonFinite($L, $L) >= 0 ? $L : -1", CHECKS, ref(last), count(last), calls.size() - 1);
    }
    return m.build();
  }
}
