package io.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.fuse.KernelCall;
import javax.lang.model.element.Modifier;

/** Writes {@code runLoss}: the fused loss (and its gradient when training). */
final class LossPass extends GeneratedClassPart {
  LossPass(GeneratedClassPart shared) {
    super(shared);
  }

  MethodSpec runLoss() {
    KernelCall.LossForward l = program.loss();
    MethodSpec.Builder m = MethodSpec.methodBuilder("runLoss").addModifiers(Modifier.PRIVATE).returns(TypeName.FLOAT);
    if (!l.input().inArena()) {
      addInputParams(m);
    }
    m.addParameter(labelsType(), var(l.labels()));
    addBatchParams(m);
    m.addParameter(TypeName.BOOLEAN, "withGradient");
    String grad = l.dInput() == null ? null : l.dInput().name();
    m.addComment("$L = $L($L $L, $L $L)$L", l.covers().get(0), l.kind(), l.input().name(), l.input().shape(), l.labels().name(), l.labels().shape(),
        grad == null ? "" : ", fused with " + grad + " = ∂" + l.covers().get(0) + "/∂" + l.input().name() + " when training");
    CodeBlock dst = grad == null ? CodeBlock.of("null, 0") : CodeBlock.of("withGradient ? arena : null, $L", arenaConstant(l.dInput()));
    CodeBlock in = ref(l.input());
    String t = var(l.labels());
    switch (l.kind()) {
      case SOFTMAX_CROSS_ENTROPY -> {
        if (l.ignores()) {
          m.addStatement("return $T.softmaxCrossEntropy(OPS, $L, $L, $L, 0, $L, $L, $L)", SEQUENCE_LOSSES, dst, in, t, rows(l.input()), l.perSample(), l.ignoreIndex());
        } else {
          m.addStatement("return OPS.softmaxCrossEntropy($L, $L, $L, 0, $L, $L)", dst, in, t, rows(l.input()), l.perSample());
        }
      }
      case SIGMOID_BINARY_CROSS_ENTROPY -> m.addStatement("return OPS.sigmoidBinaryCrossEntropy($L, $L, $L, 0, $L)", dst, in, t, count(l.input()));
      case MEAN_SQUARED_ERROR -> m.addStatement("return OPS.meanSquaredError($L, $L, $L, 0, $L)", dst, in, t, count(l.input()));
      case PERCEPTRON -> m.addStatement("return OPS.perceptron($L, $L, $L, 0, $L, $L)", dst, in, t, count(l.input()), rows(l.input()));
    }
    return m.build();
  }
}
