package io.kiln.processor.family.attention;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.processor.codegen.GeneratedClassPart;
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
    m.addStatement("$L.forward(batch, steps, steps, $L, $L)", layerField(a), ref(a.s()), ref(a.h()));
  }

  public void forward(ForwardCall.LayerNormForward l, MethodSpec.Builder m) {
    if (l.residual() != null) {
      m.addComment("$L = $L + $L and $L = layernorm($L) in one pass: $L", l.sum().name(), l.x().name(), l.residual().name(), l.y().name(),
          l.sum().name(), l.y().shape());
    } else {
      m.addComment("$L = layernorm($L): $L", l.y().name(), l.x().name(), l.y().shape());
    }
    if (l.residual() != null) {
      m.addStatement("$L.forward($L, $L, $L)", layerField(l), rows(l.y()), ref(l.x()), ref(l.residual()));
    } else {
      m.addStatement("$L.forward($L, $L)", layerField(l), rows(l.y()), ref(l.x()));
    }
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
      m.addStatement("GEMM.gemm($T.NT, $L, $L, $L, $L, params, $L + $L, $L, $L)", LAYOUT, rows, d, d, ref(h.x()),
          paramConstant(h.inWeight()), i * d * d, ref(qkv[i]), epilogueField(h, which[i]));
    }
    m.addStatement("$L.forward(batch, steps, steps)", layerField(h));
    m.addStatement("GEMM.gemm($T.NT, $L, $L, $L, $L, params, $L, $L, $L)", LAYOUT, rows, d, d, ref(h.o()),
        paramConstant(h.outWeight()), ref(h.y()), epilogueField(h, "Out"));
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
    gradients.addStatement("$L.backward(batch, steps, steps, $L, $L)", layerField(f), ref(f.s()), ref(f.h()));
  }

  public void backward(BackwardCall.LayerNormBackward l, MethodSpec.Builder gradients) {
    ForwardCall.LayerNormForward f = l.forward();
    gradients.addComment("$L: d $L, d $L += layer-norm sums of $L$L$L", String.join(", ", l.covers()), f.gamma().name(), f.beta().name(), l.dy().name(),
        l.du() == null ? "" : ", " + l.du().name() + (l.accumulate() ? " +=" : " =") + " layer-norm backward", shapes(l.dy(), l.du()));
    gradients.addStatement("$L.backward($L, $L)", layerField(f), rows(l.dy()), ref(f.normalized()));
  }

  public void backward(BackwardCall.MultiHeadBackward h, MethodSpec.Builder gradients) {
    ForwardCall.MultiHeadForward f = h.forward();
    int d = f.width();
    String rows = rows(f.x());
    gradients.addComment("$L: output projection backward, $L = $L · out_proj$L", h.covers().get(0), h.dO().name(), h.dy().name(), shapes(h.dy(), h.dO()));
    gradients.addStatement("GEMM.gemm($T.NN, $L, $L, $L, $L, params, $L, $L, $T.NONE)", LAYOUT, rows, d, d, ref(h.dy()),
        paramConstant(f.outWeight()), ref(h.dO()), EPILOGUE);
    gradients.addStatement("GEMM.gemm($T.TN, $L, $L, $L, $L, $L, grads, $L, $T.ACCUMULATE)", LAYOUT, d, d, rows, ref(h.dy()),
        ref(f.o()), paramConstant(f.outWeight()), EPILOGUE);
    gradients.addStatement("OPS.addColumnSums(grads, $L, $L, $L, $L)", paramConstant(f.outBias()), ref(h.dy()), rows, d);
    gradients.addComment("$L: flash attention backward (scores recomputed block by block) into $L, $L, $L$L", h.covers().get(0), h.dq().name(),
        h.dk().name(), h.dv().name(), shapes(h.dO(), h.dq()));
    gradients.addStatement("$L.backward(batch, steps, steps)", layerField(f));
    Buffer[] grads = {h.dq(), h.dk(), h.dv()};
    gradients.addComment("$L: d in_proj_weight += [dq; dk; dv]ᵀ · $L, d in_proj_bias += Σ [dq; dk; dv]$L$L", h.covers().get(0), f.x().name(),
        h.dx() == null ? "" : ", " + h.dx().name() + (h.accumulate() ? " +=" : " =") + " dq·W_q + dk·W_k + dv·W_v", shapes(h.dq(), h.dx()));
    for (int i = 0; i < 3; i++) {
      gradients.addStatement("GEMM.gemm($T.TN, $L, $L, $L, $L, $L, grads, $L + $L, $T.ACCUMULATE)", LAYOUT, d, d, rows, ref(grads[i]),
          ref(f.x()), paramConstant(f.inWeight()), i * d * d, EPILOGUE);
      gradients.addStatement("OPS.addColumnSums(grads, $L + $L, $L, $L, $L)", paramConstant(f.inBias()), i * d, ref(grads[i]), rows, d);
    }
    if (h.dx() != null) {
      for (int i = 0; i < 3; i++) {
        gradients.addStatement("GEMM.gemm($T.NN, $L, $L, $L, $L, params, $L + $L, $L, $T.$L)", LAYOUT, rows, d, d, ref(grads[i]),
            paramConstant(f.inWeight()), i * d * d, ref(h.dx()), EPILOGUE, i > 0 || h.accumulate() ? "ACCUMULATE" : "NONE");
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
    type.addField(FieldSpec.builder(SCORED_ATTENTION, layerField(a), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L with its tensors' places, built once.\n", a.covers().get(0)).build());
  }

  /** Builds the attention object of {@code a} in the generated constructor. */
  public void initialize(ForwardCall.AttentionForward a, MethodSpec.Builder m) {
    CodeBlock.Builder b = CodeBlock.builder().add("$T.of($L, $L, $L)", SCORED_ATTENTION, score(a), a.width(), a.attn())
        .add("\n.weights($L, $L, $L)", at("params", a.w1()), at("params", a.w2()), at("params", a.v()))
        .add("\n.output($L, $T.NONE)", at(a.context()), AT)
        .add("\n.workspace(new $T($L, 0))", AT, workspace(a));
    BackwardCall.AttentionBackward back = backwardOf(BackwardCall.AttentionBackward.class, g -> g.forward() == a);
    if (back != null) {
      b.add("\n.gradients($L, $L, $L, $L)", at(back.dContext()), at("grads", a.w1()), at("grads", a.w2()), at("grads", a.v()))
          .add("\n.inputGradients($L, $L, $L)", at(back.ds()), at(back.dh()), back.accumulate())
          .add("\n.scratch(new $T($L, 0))", AT, scratch(a));
    }
    m.addStatement("this.$L = $L\n.build()", layerField(a), b.build());
  }

  private String layerField(ForwardCall.AttentionForward a) {
    return layerField(a.covers().get(0));
  }

  public void declare(ForwardCall.LayerNormForward l, TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(LAYER_NORM, layerField(l), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L with its tensors' places, built once.\n", l.y().name()).build());
  }

  /** Builds the layer norm object of {@code l} in the generated constructor. */
  public void initialize(ForwardCall.LayerNormForward l, MethodSpec.Builder m) {
    CodeBlock.Builder b = CodeBlock.builder().add("$T.of($L, $Lf)", LAYER_NORM, l.width(), (float) l.epsilon())
        .add("\n.parameters($L, $L)", at("params", l.gamma()), at("params", l.beta()))
        .add("\n.output($L, $L, $L)", at(l.y()), at(l.mean()), at(l.rstd()));
    if (l.sum() != null) {
      b.add("\n.residualSum($L)", at(l.sum()));
    }
    BackwardCall.LayerNormBackward back = backwardOf(BackwardCall.LayerNormBackward.class, g -> g.forward() == l);
    if (back != null) {
      b.add("\n.gradients($L, $L, $L)", at(back.dy()), at("grads", l.gamma()), at("grads", l.beta()));
      if (back.du() != null) {
        b.add("\n.inputGradient($L, $L)", at(back.du()), back.accumulate());
      }
    }
    m.addStatement("this.$L = $L\n.build()", layerField(l), b.build());
  }

  private String layerField(ForwardCall.LayerNormForward l) {
    return layerField(l.y().name());
  }

  public void declare(ForwardCall.MultiHeadForward m, TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(FLOATS, scratch(m), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L's per-task working memory: one score row and one block of keys at a time, never T×T.\n", m.covers().get(0))
        .initializer("new float[$T.scratchFloats(MAX_BATCH, $L, $L, $L)]", MULTI_HEAD, m.x().maxSteps(), m.layer().heads(),
            m.width() / m.layer().heads()).build());
    for (String which : List.of("Q", "K", "V", "Out")) {
      type.addField(FieldSpec.builder(EPILOGUE, epilogueField(m, which), Modifier.PRIVATE, Modifier.FINAL).build());
    }
    declareCore(m, type);
  }

  /** The attention core's layer object: heads, q, k, v, o, lse and scratch places, and the gradients when training. */
  private void declareCore(ForwardCall.MultiHeadForward m, TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(MULTI_HEAD, layerField(m), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L's attention core with its tensors' places, built once.\n", m.covers().get(0)).build());
  }

  private String layerField(ForwardCall.MultiHeadForward m) {
    return layerField(m.covers().get(0));
  }

  public void initialize(ForwardCall.MultiHeadForward h, MethodSpec.Builder m) {
    String[] which = {"Q", "K", "V"};
    for (int i = 0; i < 3; i++) {
      m.addStatement("this.$L = $T.biasActivation(params, $L + $L, $T.NONE)", epilogueField(h, which[i]), EPILOGUE, paramConstant(h.inBias()),
          i * h.width(), ACTIVATION);
    }
    m.addStatement("this.$L = $T.biasActivation(params, $L, $T.NONE)", epilogueField(h, "Out"), EPILOGUE, paramConstant(h.outBias()), ACTIVATION);
    CodeBlock.Builder b = CodeBlock.builder()
        .add("$T.of($L, $L, $L)", MULTI_HEAD, h.layer().heads(), h.width() / h.layer().heads(), h.layer().causal())
        .add("\n.tensors($L, $L, $L, $L, $L)", at(h.q()), at(h.k()), at(h.v()), at(h.o()), at(h.lse()))
        .add("\n.scratch(new $T($L, 0))", AT, scratch(h));
    BackwardCall.MultiHeadBackward back = backwardOf(BackwardCall.MultiHeadBackward.class, g -> g.forward() == h);
    if (back != null) {
      b.add("\n.gradients($L, $L, $L, $L, false)", at(back.dO()), at(back.dq()), at(back.dk()), at(back.dv()));
    }
    m.addStatement("this.$L = $L\n.build()", layerField(h), b.build());
  }

  private static CodeBlock score(ForwardCall.AttentionForward a) {
    return CodeBlock.of("$T.Score.$L", SCORED_ATTENTION, a.layer().score());
  }

  /** {@code Score.DOT, MAX_BATCH, 24, 24, 128, 128}: the sizes a workspace is planned for. */
  private static CodeBlock attentionSizes(ForwardCall.AttentionForward a, String batch, String steps) {
    return CodeBlock.of("$L, $L, $L, $L, $L, $L", score(a), batch, steps, steps, a.width(), a.attn());
  }

  /** The epilogue adding one of a multi-head layer's biases: Q, K, V (slices of in_proj_bias) or Out. */
  private static String epilogueField(ForwardCall.MultiHeadForward m, String which) {
    return ident(m.covers().get(0)) + which + "Epilogue";
  }
}
