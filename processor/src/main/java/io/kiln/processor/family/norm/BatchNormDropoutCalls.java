package io.kiln.processor.family.norm;

import com.palantir.javapoet.MethodSpec;
import io.kiln.processor.emit.GeneratedClassPart;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.ForwardCall;

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
        .addStatement("$T.forwardTrain(batch, $L, $L, $L, params, $L, params, $L, state, $L, state, $L, $Lf, $Lf, $L, $L, $L)", BATCH_NORM,
            b.channels(), b.spatial(), ref(b.x()), paramConstant(b.gamma()), paramConstant(b.beta()), stateConstant(b.runningMean()),
            stateConstant(b.runningVar()), (float) b.momentum(), (float) b.epsilon(), ref(b.y()), ref(b.mean()), ref(b.invStd()))
        .nextControlFlow("else")
        .addStatement("$T.forwardEval(batch, $L, $L, $L, params, $L, params, $L, state, $L, state, $L, $Lf, $L)", BATCH_NORM,
            b.channels(), b.spatial(), ref(b.x()), paramConstant(b.gamma()), paramConstant(b.beta()), stateConstant(b.runningMean()),
            stateConstant(b.runningVar()), (float) b.epsilon(), ref(b.y()))
        .endControlFlow();
  }

  public void backward(BackwardCall.DropoutBackward d, MethodSpec.Builder gradients) {
    gradients.addComment("$L: $L $L $L ⊙ mask$L", d.covers().get(0), d.dx().name(), d.accumulate() ? "+=" : "=", d.dy().name(), shapes(d.dy(), d.dx()));
    gradients.addStatement("$T.backward($L, $L, $L, $L, $L)", DROPOUT, ref(d.dy()), ref(d.mask()), ref(d.dx()), count(d.dy()), d.accumulate());
  }

  public void backward(BackwardCall.BatchNormBackward b, MethodSpec.Builder gradients) {
    gradients.addComment("$L: d $L += Σ $L·x̂, d $L += Σ $L$L$L", b.covers().get(0), b.gamma().name(), b.dy().name(), b.beta().name(), b.dy().name(),
        b.dx() == null ? "" : ", " + b.dx().name() + (b.accumulate() ? " +=" : " =") + " batch-norm backward", shapes(b.dy(), b.dx()));
    gradients.addStatement("$T.backward(batch, $L, $L, $L, params, $L, $L, $L, $L, $L, $L, grads, $L, grads, $L)", BATCH_NORM, b.channels(), b.spatial(),
        ref(b.x()), paramConstant(b.gamma()), ref(b.mean()), ref(b.invStd()), ref(b.dy()),
        orNull(b.dx()), b.accumulate(), paramConstant(b.gamma()), paramConstant(b.beta()));
  }
}
