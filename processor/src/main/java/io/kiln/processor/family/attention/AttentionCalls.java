package io.kiln.processor.family.attention;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.processor.emit.GeneratedClassPart;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Writes the kernel calls of one layer family. Attention, multi-head attention, layer norm and
 * position embeddings: the Transformer family.
 */
public final class AttentionCalls extends GeneratedClassPart {
  public AttentionCalls(GeneratedClassPart shared) {
    super(shared);
  }

  public void forward(ForwardCall.AttentionForward a, MethodSpec.Builder m) {
    m.addComment("$L = Σ softmax($L($L, $L)) $L: $L over $L -> $L (scores, softmax and weighted sum per batch element; α kept)",
        a.context().name(), a.layer().score().name().toLowerCase(), a.s().name(), a.h().name(), a.h().name(), a.s().shape(), a.h().shape(),
        a.context().shape());
    m.addStatement("$T.forward($L, $L, $L, $L, $L, $L, $L, null, 0, $L, 0)", SCORED_ATTENTION, attentionSizes(a, "batch", "steps"),
        ref(a.s()), ref(a.h()), paramOrNull("params", a.w1()), paramOrNull("params", a.w2()),
        paramOrNull("params", a.v()), ref(a.context()), workspace(a));
  }

  public void forward(ForwardCall.LayerNormForward l, MethodSpec.Builder m) {
    if (l.residual() != null) {
      m.addComment("$L = $L + $L and $L = layernorm($L) in one pass: $L", l.sum().name(), l.x().name(), l.residual().name(), l.y().name(),
          l.sum().name(), l.y().shape());
    } else {
      m.addComment("$L = layernorm($L): $L", l.y().name(), l.x().name(), l.y().shape());
    }
    m.addStatement("$T.forward($L, $L, $Lf, $L, $L, $L, params, $L, params, $L, $L, $L, $L)", LAYER_NORM, rows(l.y()), l.width(), (float) l.epsilon(),
        ref(l.x()), orNull(l.residual()), orNull(l.sum()), paramConstant(l.gamma()), paramConstant(l.beta()), ref(l.y()), ref(l.mean()), ref(l.rstd()));
  }

  public void forward(ForwardCall.MultiHeadForward h, MethodSpec.Builder m) {
    int d = h.width();
    String rows = rows(h.x());
    m.addComment("$L = $L(q, k, v of $L) · out_projᵀ: $L -> $L ($L heads × $L$L; flash kernel, no T×T matrix)", h.y().name(),
        h.layer().causal() ? "causal attention" : "attention", h.x().name(), h.x().shape(), h.y().shape(), h.layer().heads(), d / h.layer().heads(),
        h.layer().causal() ? ", position t sees positions ≤ t" : "");
    Buffer[] qkv = {h.q(), h.k(), h.v()};
    String[] which = {"Q", "K", "V"};
    for (int i = 0; i < 3; i++) {
      m.addStatement("GEMM.gemm($T.NT, $L, $L, $L, $L, $L, params, $L + $L, $L, $L, $L, $L)", LAYOUT, rows, d, d, ref(h.x()), d,
          paramConstant(h.inWeight()), i * d * d, d, ref(qkv[i]), d, epilogueField(h, which[i]));
    }
    m.addStatement("$T.forward(batch, steps, steps, $L, $L, $L, $L, $L, $L, $L, $L, $L, 0)", MULTI_HEAD, h.layer().heads(), d / h.layer().heads(),
        h.layer().causal(), ref(h.q()), ref(h.k()), ref(h.v()), ref(h.o()), ref(h.lse()), scratch(h));
    m.addStatement("GEMM.gemm($T.NT, $L, $L, $L, $L, $L, params, $L, $L, $L, $L, $L)", LAYOUT, rows, d, d, ref(h.o()), d,
        paramConstant(h.outWeight()), d, ref(h.y()), d, epilogueField(h, "Out"));
  }

  public void forward(ForwardCall.PositionForward p, MethodSpec.Builder m) {
    m.addComment("$L = $L + $L[t]: $L", p.y().name(), p.x().name(), p.table().name(), p.y().shape());
    m.addStatement("$T.forward(batch, steps, $L, $L, $L, params, $L, $L)", POSITIONS, p.width(), p.table().shape()[0], ref(p.x()),
        paramConstant(p.table()), ref(p.y()));
  }

  public void backward(BackwardCall.AttentionBackward a, MethodSpec.Builder gradients) {
    ForwardCall.AttentionForward f = a.forward();
    gradients.addComment("$L: attention backward from $L$L$L$L", a.covers().get(0), a.dContext().name(),
        a.ds() == null ? "" : " into " + a.ds().name(), a.dh() == null ? "" : (a.ds() == null ? " into " : " and ") + a.dh().name()
        + (a.accumulate() ? " (+=)" : ""), shapes(a.dContext(), a.ds() != null ? a.ds() : a.dh()));
    gradients.addStatement("$T.backward($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, 0, $L, 0)", SCORED_ATTENTION,
        attentionSizes(f, "batch", "steps"), ref(f.s()), ref(f.h()), paramOrNull("params", f.w1()),
        paramOrNull("params", f.w2()), paramOrNull("params", f.v()), ref(a.dContext()),
        orNull(a.ds()), orNull(a.dh()), a.accumulate(), paramOrNull("grads", f.w1()),
        paramOrNull("grads", f.w2()), paramOrNull("grads", f.v()), workspace(f), scratch(f));
  }

  public void backward(BackwardCall.LayerNormBackward l, MethodSpec.Builder gradients) {
    ForwardCall.LayerNormForward f = l.forward();
    gradients.addComment("$L: d $L, d $L += layer-norm sums of $L$L$L", String.join(", ", l.covers()), f.gamma().name(), f.beta().name(), l.dy().name(),
        l.du() == null ? "" : ", " + l.du().name() + (l.accumulate() ? " +=" : " =") + " layer-norm backward", shapes(l.dy(), l.du()));
    gradients.addStatement("$T.backward($L, $L, $L, params, $L, $L, $L, $L, $L, $L, grads, $L, grads, $L)", LAYER_NORM, rows(l.dy()), f.width(),
        ref(f.normalized()), paramConstant(f.gamma()), ref(f.mean()), ref(f.rstd()), ref(l.dy()), orNull(l.du()), l.accumulate(),
        paramConstant(f.gamma()), paramConstant(f.beta()));
  }

  public void backward(BackwardCall.MultiHeadBackward h, MethodSpec.Builder gradients) {
    ForwardCall.MultiHeadForward f = h.forward();
    int d = f.width();
    String rows = rows(f.x());
    gradients.addComment("$L: output projection backward, $L = $L · out_proj$L", h.covers().get(0), h.dO().name(), h.dy().name(), shapes(h.dy(), h.dO()));
    gradients.addStatement("GEMM.gemm($T.NN, $L, $L, $L, $L, $L, params, $L, $L, $L, $L, $T.NONE)", LAYOUT, rows, d, d, ref(h.dy()), d,
        paramConstant(f.outWeight()), d, ref(h.dO()), d, EPILOGUE);
    gradients.addStatement("GEMM.gemm($T.TN, $L, $L, $L, $L, $L, $L, $L, grads, $L, $L, $T.ACCUMULATE)", LAYOUT, d, d, rows, ref(h.dy()), d,
        ref(f.o()), d, paramConstant(f.outWeight()), d, EPILOGUE);
    gradients.addStatement("OPS.addColumnSums(grads, $L, $L, $L, $L)", paramConstant(f.outBias()), ref(h.dy()), rows, d);
    gradients.addComment("$L: flash attention backward (scores recomputed block by block) into $L, $L, $L$L", h.covers().get(0), h.dq().name(),
        h.dk().name(), h.dv().name(), shapes(h.dO(), h.dq()));
    gradients.addStatement("$T.backward(batch, steps, steps, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, false, $L, 0)", MULTI_HEAD,
        f.layer().heads(), d / f.layer().heads(), f.layer().causal(), ref(f.q()), ref(f.k()), ref(f.v()), ref(f.o()), ref(h.dO()), ref(f.lse()),
        ref(h.dq()), ref(h.dk()), ref(h.dv()), scratch(f));
    Buffer[] grads = {h.dq(), h.dk(), h.dv()};
    gradients.addComment("$L: d in_proj_weight += [dq; dk; dv]ᵀ · $L, d in_proj_bias += Σ [dq; dk; dv]$L$L", h.covers().get(0), f.x().name(),
        h.dx() == null ? "" : ", " + h.dx().name() + (h.accumulate() ? " +=" : " =") + " dq·W_q + dk·W_k + dv·W_v", shapes(h.dq(), h.dx()));
    for (int i = 0; i < 3; i++) {
      gradients.addStatement("GEMM.gemm($T.TN, $L, $L, $L, $L, $L, $L, $L, grads, $L + $L, $L, $T.ACCUMULATE)", LAYOUT, d, d, rows, ref(grads[i]), d,
          ref(f.x()), d, paramConstant(f.inWeight()), i * d * d, d, EPILOGUE);
      gradients.addStatement("OPS.addColumnSums(grads, $L + $L, $L, $L, $L)", paramConstant(f.inBias()), i * d, ref(grads[i]), rows, d);
    }
    if (h.dx() != null) {
      for (int i = 0; i < 3; i++) {
        gradients.addStatement("GEMM.gemm($T.NN, $L, $L, $L, $L, $L, params, $L + $L, $L, $L, $L, $T.$L)", LAYOUT, rows, d, d, ref(grads[i]), d,
            paramConstant(f.inWeight()), i * d * d, d, ref(h.dx()), d, EPILOGUE, i > 0 || h.accumulate() ? "ACCUMULATE" : "NONE");
      }
    }
  }

  public void backward(BackwardCall.PositionBackward p, MethodSpec.Builder gradients) {
    gradients.addComment("$L: d $L[t] += Σ_batch $L$L$L", p.covers().get(0), p.table().name(), p.dy().name(),
        p.dx() == null ? "" : ", " + p.dx().name() + (p.accumulate() ? " += " : " = ") + p.dy().name(), shapes(p.dy(), p.dx()));
    gradients.addStatement("$T.backward(batch, steps, $L, $L, $L, grads, $L, $L, $L)", POSITIONS, p.width(), p.table().shape()[0], ref(p.dy()),
        paramConstant(p.table()), orNull(p.dx()), p.accumulate());
  }

  public void declare(ForwardCall.AttentionForward a, TypeSpec.Builder type) {
    String steps = String.valueOf(a.s().maxSteps());
    type.addField(FieldSpec.builder(FLOATS, workspace(a), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L's attention weights α [B, T, T] (first) and score projections, kept from forward for backward.\n", a.covers().get(0))
        .initializer("new float[$T.workspaceFloats($L)]", SCORED_ATTENTION, attentionSizes(a, "MAX_BATCH", steps)).build());
    if (trains()) {
      type.addField(FieldSpec.builder(FLOATS, scratch(a), Modifier.PRIVATE, Modifier.FINAL)
          .initializer("new float[$T.backwardScratchFloats($L)]", SCORED_ATTENTION, attentionSizes(a, "MAX_BATCH", steps)).build());
    }
  }

  public void declare(ForwardCall.MultiHeadForward m, TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(FLOATS, scratch(m), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L's per-task working memory: one score row and one block of keys at a time, never T×T.\n", m.covers().get(0))
        .initializer("new float[$T.scratchFloats(MAX_BATCH, $L, $L, $L)]", MULTI_HEAD, m.x().maxSteps(), m.layer().heads(),
            m.width() / m.layer().heads()).build());
    for (String which : List.of("Q", "K", "V", "Out")) {
      type.addField(FieldSpec.builder(EPILOGUE, epilogueField(m, which), Modifier.PRIVATE, Modifier.FINAL).build());
    }
  }

  public void initialize(ForwardCall.MultiHeadForward h, MethodSpec.Builder m) {
    String[] which = {"Q", "K", "V"};
    for (int i = 0; i < 3; i++) {
      m.addStatement("this.$L = $T.biasActivation(params, $L + $L, $T.NONE)", epilogueField(h, which[i]), EPILOGUE, paramConstant(h.inBias()),
          i * h.width(), ACTIVATION);
    }
    m.addStatement("this.$L = $T.biasActivation(params, $L, $T.NONE)", epilogueField(h, "Out"), EPILOGUE, paramConstant(h.outBias()), ACTIVATION);
  }
}
