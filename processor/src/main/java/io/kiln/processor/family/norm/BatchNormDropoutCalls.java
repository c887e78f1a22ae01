package io.kiln.processor.family.norm;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.ForwardCall;
import javax.lang.model.element.Modifier;

/**
 * Writes the kernel calls of one layer family. Batch normalization and dropout: the layers that
 * behave differently while training.
 */
public final class BatchNormDropoutCalls extends GeneratedClassPart {
  public BatchNormDropoutCalls(GeneratedClassPart shared) {
    super(shared);
  }

  public void forward(ForwardCall.DropoutForward d, MethodSpec.Builder m) {
    m.addComment("$L = dropout($L, rate $L) while training, else $L: $L", d.y().name(), d.x().name(), d.rate(), d.x().name(), d.y().shape());
    m.beginControlFlow("if (training)")
        .addStatement("$T.forwardTrain($Lf, dropoutRng, $L, $L, $L, $L)", DROPOUT, (float) d.rate(), ref(d.x()), ref(d.y()), ref(d.mask()), count(d.x()))
        .nextControlFlow("else")
        .addStatement("$T.arraycopy($L, $L, $L)", System.class, ref(d.x()), ref(d.y()), count(d.x()))
        .endControlFlow();
  }

  public void forward(ForwardCall.BatchNormForward b, MethodSpec.Builder m) {
    m.addComment("$L = batchnorm($L): $L (over $L channels × $L positions: batch statistics while training, running ones otherwise)",
        b.y().name(), b.x().name(), b.y().shape(), b.channels(), b.spatial());
    m.beginControlFlow("if (training)")
        .addStatement("$L.forwardTrain(batch, $L)", layerField(b), ref(b.x()))
        .nextControlFlow("else")
        .addStatement("$L.forwardEval(batch, $L)", layerField(b), ref(b.x()))
        .endControlFlow();
  }

  public void backward(BackwardCall.DropoutBackward d, MethodSpec.Builder gradients) {
    gradients.addComment("$L: $L $L $L ⊙ mask$L", d.covers().get(0), d.dx().name(), d.accumulate() ? "+=" : "=", d.dy().name(), shapes(d.dy(), d.dx()));
    gradients.addStatement("$T.backward($L, $L, $L, $L, $L)", DROPOUT, ref(d.dy()), ref(d.mask()), ref(d.dx()), count(d.dy()), d.accumulate());
  }

  public void backward(BackwardCall.BatchNormBackward b, MethodSpec.Builder gradients) {
    gradients.addComment("$L: d $L += Σ $L·x̂, d $L += Σ $L$L$L", b.covers().get(0), b.gamma().name(), b.dy().name(), b.beta().name(), b.dy().name(),
        b.dx() == null ? "" : ", " + b.dx().name() + (b.accumulate() ? " +=" : " =") + " batch-norm backward", shapes(b.dy(), b.dx()));
    gradients.addStatement("$L.backward(batch, $L)", layerField(forwardOf(b)), ref(b.x()));
  }

  public void declare(ForwardCall.BatchNormForward b, TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(BATCH_NORM, layerField(b), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L with its tensors' places, built once.\n", b.covers().get(0)).build());
  }

  /** Builds the batch norm layer object of {@code b} in the generated constructor. */
  public void initialize(ForwardCall.BatchNormForward b, MethodSpec.Builder m) {
    CodeBlock.Builder code = CodeBlock.builder()
        .add("$T.of($L, $L, $Lf, $Lf)", BATCH_NORM, b.channels(), b.spatial(), (float) b.momentum(), (float) b.epsilon())
        .add("\n.parameters($L, $L)", at("params", b.gamma()), at("params", b.beta()))
        .add("\n.runningStatistics($L, $L)", atState(b.runningMean()), atState(b.runningVar()))
        .add("\n.output($L, $L, $L)", at(b.y()), at(b.mean()), at(b.invStd()));
    BackwardCall.BatchNormBackward back = backwardOf(BackwardCall.BatchNormBackward.class, g -> g.gamma().equals(b.gamma()));
    if (back != null) {
      code.add("\n.gradients($L, $L, $L)", at(back.dy()), at("grads", b.gamma()), at("grads", b.beta()));
      if (back.dx() != null) {
        code.add("\n.inputGradient($L, $L)", at(back.dx()), back.accumulate());
      }
    }
    m.addStatement("this.$L = $L\n.build()", layerField(b), code.build());
  }

  private ForwardCall.BatchNormForward forwardOf(BackwardCall.BatchNormBackward back) {
    return forwardOf(ForwardCall.BatchNormForward.class, b -> b.gamma().equals(back.gamma()));
  }

  private String layerField(ForwardCall.BatchNormForward b) {
    return layerField(b.covers().get(0));
  }
}
