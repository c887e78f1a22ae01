package io.kiln.processor.family.dense;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.dsl.Activation;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.ForwardCall;
import javax.lang.model.element.Modifier;

/**
 * Writes the kernel calls of one layer family. Dense layers: one GEMM with a bias-and-activation
 * epilogue forward; activation, bias, weight and input gradients backward (GELU runs in passes of
 * its own).
 */
public final class DenseCalls extends GeneratedClassPart {
  public DenseCalls(GeneratedClassPart shared) {
    super(shared);
  }

  public void forward(ForwardCall.DenseForward d, MethodSpec.Builder m) {
    String act = d.activation() == Activation.NONE ? "" : d.activation().name().toLowerCase();
    String bias = d.bias() == null ? "" : " + " + d.bias().name();
    m.addComment("$L = $L$L · $Lᵀ$L$L: $L $L -> $L", d.y().name(), act.isEmpty() ? "" : act + "(", d.x().name(),
        d.weight().name(), bias, act.isEmpty() ? "" : ")", d.x().name(), d.x().shape(), d.y().shape());
    m.addStatement("GEMM.gemm($T.NT, $L, $L, $L, $L, params, $L, $L, $L)", LAYOUT, rows(d.x()), d.out(), d.in(),
        ref(d.x()), paramConstant(d.weight()), ref(d.y()), epilogueField(d));
  }

  public void forward(ForwardCall.GeluForward g, MethodSpec.Builder m) {
    m.addComment("$L = gelu($L): $L (the pre-activation is kept: GELU's derivative needs it)", g.y().name(), g.z().name(), g.y().shape());
    m.addStatement("$T.forward($L, $L, $L)", GELU, count(g.y()), ref(g.z()), ref(g.y()));
  }

  public void backward(BackwardCall.ActivationBackward a, MethodSpec.Builder gradients) {
    gradients.addComment("$L: $L ⊙= $L'($L), $L", a.covers().get(0), a.grad().name(), a.activation().name().toLowerCase(), a.y().name(), a.y().shape());
    gradients.addStatement("OPS.activationBackward($T.$L, $L, $L, $L, $L)", ACTIVATION, a.activation(), ref(a.grad()), ref(a.grad()), ref(a.y()), count(a.y()));
  }

  public void backward(BackwardCall.BiasGrad b, MethodSpec.Builder gradients) {
    gradients.addComment("$L: d $L += Σ_batch $L$L", b.covers().get(0), b.bias().name(), b.dz().name(), shapes(b.dz(), null));
    gradients.addStatement("OPS.addColumnSums(grads, $L, $L, $L, $L)", paramConstant(b.bias()), ref(b.dz()), rows(b.dz()), b.out());
  }

  public void backward(BackwardCall.WeightGrad w, MethodSpec.Builder gradients) {
    gradients.addComment("$L: d $L += $Lᵀ · $L, [$L, $L]", w.covers().get(0), w.weight().name(), w.dz().name(), w.x().name(), w.out(), w.in());
    gradients.addStatement("GEMM.gemm($T.TN, $L, $L, $L, $L, $L, grads, $L, $T.ACCUMULATE)", LAYOUT, w.out(), w.in(), rows(w.dz()),
        ref(w.dz()), ref(w.x()), paramConstant(w.weight()), EPILOGUE);
  }

  public void backward(BackwardCall.InputGrad g, MethodSpec.Builder gradients) {
    gradients.addComment("$L: $L $L $L · $L, $L", g.covers().get(0), g.dx().name(), g.accumulate() ? "+=" : "=", g.dz().name(), g.weight().name(), g.dx().shape());
    gradients.addStatement("GEMM.gemm($T.NN, $L, $L, $L, $L, params, $L, $L, $T.$L)", LAYOUT, rows(g.dz()), g.in(), g.out(),
        ref(g.dz()), paramConstant(g.weight()), ref(g.dx()), EPILOGUE, g.accumulate() ? "ACCUMULATE" : "NONE");
  }

  public void backward(BackwardCall.GeluBackward g, MethodSpec.Builder gradients) {
    gradients.addComment("$L: $L ⊙= gelu'($L)$L", g.covers().get(0), g.grad().name(), g.z().name(), shapes(g.grad(), null));
    gradients.addStatement("$T.backward($L, $L, $L, $L, false)", GELU, count(g.grad()), ref(g.z()), ref(g.grad()), ref(g.grad()));
  }

  public void declare(ForwardCall.DenseForward d, TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(EPILOGUE, epilogueField(d), Modifier.PRIVATE, Modifier.FINAL).build());
  }

  public void initialize(ForwardCall.DenseForward d, MethodSpec.Builder m) {
    if (d.bias() != null) {
      m.addStatement("this.$L = $T.biasActivation(params, $L, $T.$L)", epilogueField(d), EPILOGUE, paramConstant(d.bias()), ACTIVATION, d.activation());
    } else {
      m.addStatement("this.$L = $T.biasActivation(null, 0, $T.$L)", epilogueField(d), EPILOGUE, ACTIVATION, d.activation());
    }
  }
}
