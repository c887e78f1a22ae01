package io.kiln.processor.emit;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.kiln.dsl.Activation;
import io.kiln.dsl.LossKind;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.KernelCall;
import io.kiln.processor.fuse.KernelProgram;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.parse.ModelSpec;
import io.kiln.processor.parse.ValueType;
import io.kiln.processor.plan.MemoryPlan;
import io.kiln.processor.shape.ShapedGraph;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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
        case KernelCall.ZeroFill z -> joinCalls.backward(z, gradients);
        case KernelCall.AttentionBackward a -> attentionCalls.backward(a, gradients);
        case KernelCall.ConcatBackward c -> joinCalls.backward(c, gradients);
        case KernelCall.AddBackward a -> joinCalls.backward(a, gradients);
        case KernelCall.LayerNormBackward l -> attentionCalls.backward(l, gradients);
        case KernelCall.MultiHeadBackward h -> attentionCalls.backward(h, gradients);
        case KernelCall.PositionBackward p -> attentionCalls.backward(p, gradients);
        case KernelCall.GeluBackward g -> denseCalls.backward(g, gradients);
        case KernelCall.ActivationBackward a -> denseCalls.backward(a, gradients);
        case KernelCall.BiasGrad b -> denseCalls.backward(b, gradients);
        case KernelCall.WeightGrad w -> denseCalls.backward(w, gradients);
        case KernelCall.InputGrad g -> denseCalls.backward(g, gradients);
        case KernelCall.ConvBackward c -> convCalls.backward(c, gradients);
        case KernelCall.PoolBackward p -> convCalls.backward(p, gradients);
        case KernelCall.DropoutBackward d -> batchNormDropoutCalls.backward(d, gradients);
        case KernelCall.BatchNormBackward b -> batchNormDropoutCalls.backward(b, gradients);
        case KernelCall.EmbeddingBackward e -> sequenceCalls.backward(e, gradients);
        case KernelCall.RecurrentBackward r -> sequenceCalls.backward(r, gradients);
      }
    }
    return gradients.addStatement("return loss").build();
  }
}
