package io.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.family.Probing;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.KernelCall;
import io.kiln.processor.fuse.RewritesGradient;
import io.kiln.processor.registry.CallWriters;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Writes the introspection of a trainable model: {@code introspect(boolean)}, the probes it builds
 * once, and the guarded captures in {@code runForward} and {@code gradients}. Each capture is one
 * {@code if (introspection != null)} around a call, placed where the value is valid: a node's output
 * right after the kernel that wrote it, its gradient once backward has finished accumulating it and
 * before anything overwrites it, a recurrent layer's per-step norms right after its backward (which
 * leaves the gate gradients in its scratch). What a kind records beyond its output is its family's
 * {@link Probing}, from {@link CallWriters#probing}. With introspection off the step runs the same kernels.
 */
final class IntrospectionMethods extends GeneratedClassPart {
  static final String PACKAGE = Probing.PACKAGE;
  static final ClassName INTROSPECTION = ClassName.get(PACKAGE, "Introspection");
  static final ClassName INTROSPECTABLE = ClassName.get(PACKAGE, "Introspectable");

  /**
   * One probed node: the output of forward call {@code index} (its last covered node), what its family records, and where its
   * gradient is read: before backward call {@code gradientAt}, or -1 when no backward call reads
   * the gradient of the output itself (a fused activation derivative leaves only the pre-activation's).
   */
  record Probe(int index, Probing probing, String node, Buffer output, Buffer gradient, int gradientAt) {}

  private final CallWriters writers = new CallWriters(this);
  private final List<Probe> probes;

  IntrospectionMethods(GeneratedClassPart shared) {
    super(shared);
    this.probes = trains() ? probes() : List.of();
  }

  private List<Probe> probes() {
    List<Probe> list = new ArrayList<>();
    List<ForwardCall> calls = program.forward();
    for (int i = 0; i < calls.size(); i++) {
      ForwardCall call = calls.get(i);
      String node = call.covers().get(call.covers().size() - 1);
      Buffer gradient = gradientOf(node);
      list.add(new Probe(i, writers.probing(call), node, call.writes().get(0), gradient,
          gradient == null ? -1 : completeAt(node, gradient)));
    }
    return list;
  }

  private Buffer gradientOf(String node) {
    KernelCall.LossForward loss = program.loss();
    if (loss.dInput() != null && loss.dInput().name().equals("d_" + node)) {
      return loss.dInput();
    }
    for (BackwardCall call : program.backward()) {
      for (Buffer b : call.reads()) {
        if (b.kind() == Buffer.Kind.GRADIENT && b.name().equals("d_" + node)) {
          return b;
        }
      }
    }
    return null;
  }

  /**
   * The first backward call that consumes {@code gradient}: reads it without adding to it, or applies
   * an activation's derivative to it in place. Every contribution has been accumulated by then (backward
   * runs in reverse topological order). -1 when the node's own backward wrote it first, as when a ReLU's
   * derivative is fused into the pooling backward that produces it.
   */
  private int completeAt(String node, Buffer gradient) {
    List<BackwardCall> calls = program.backward();
    for (int k = 0; k < calls.size(); k++) {
      BackwardCall c = calls.get(k);
      boolean writes = c.writes().contains(gradient);
      boolean inPlace = c instanceof RewritesGradient;
      if (writes && c.covers().contains(node) && !inPlace) {
        return -1;
      }
      if (c.reads().contains(gradient) && (!writes || inPlace)) {
        return k;
      }
    }
    return -1;
  }

  void fields(TypeSpec.Builder type) {
    if (!trains()) {
      return;
    }
    type.addField(FieldSpec.builder(INTROSPECTION, "introspection", Modifier.PRIVATE)
        .addJavadoc("The probes the step writes into while introspection is on; null while it is off.\n").build());
    type.addField(FieldSpec.builder(INTROSPECTION, "introspectionView", Modifier.PRIVATE)
        .addJavadoc("Built by the first {@code introspect} call and kept, so turning it on again allocates nothing.\n").build());
    type.addSuperinterface(INTROSPECTABLE);
  }

  MethodSpec introspect() {
    CodeBlock.Builder list = CodeBlock.builder();
    for (Probe p : probes) {
      list.add(p.index() == 0 ? "\n" : ",\n").add("$L", p.probing().probe(p.node()));
    }
    return MethodSpec.methodBuilder("introspect").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(INTROSPECTION).addParameter(boolean.class, "on")
        .addJavadoc("Turns introspection on or off for the following steps and forward passes and returns what they record\n"
            + "(one object, built on the first call). On, every forward pass records each node's output statistics\n"
            + "(and the gate activations of LSTM and GRU layers), and {@code computeGradients}/{@code trainStep} record\n"
            + "the gradient norm with respect to each node's output (per step for recurrent layers). Recording allocates\n"
            + "nothing per step. Off, the step runs exactly the kernels it runs without introspection.\n")
        .beginControlFlow("if (introspectionView == null)")
        .addStatement("introspectionView = new $T(MODEL_NAME, $T.of($L))", INTROSPECTION, List.class, list.build())
        .endControlFlow()
        .addStatement("introspection = on ? introspectionView : null")
        .addStatement("return introspectionView").build();
  }

  /** After forward call {@code index}: its output's statistics, and a recurrent layer's gates. */
  void afterForward(int index, MethodSpec.Builder m) {
    if (!trains()) {
      return;
    }
    Probe p = probes.get(index);
    m.beginControlFlow("if (introspection != null)")
        .addStatement("introspection.node($L).recordActivations($L, $L)", index, ref(p.output()), count(p.output()))
        .addCode(p.probing().afterForward(index))
        .endControlFlow();
  }

  /** Before backward call {@code index}: the output gradients it is the first to consume. */
  void beforeBackward(int index, MethodSpec.Builder m) {
    for (Probe p : probes) {
      if (p.gradientAt() == index) {
        m.beginControlFlow("if (introspection != null)")
            .addStatement("introspection.node($L).recordOutputGradient($L, $L)", p.index(), ref(p.gradient()), count(p.gradient()))
            .endControlFlow();
      }
    }
  }

  /** After backward call {@code call}: what the probe of the forward call it differentiates records then (a recurrent layer's per-step norms). */
  void afterBackward(BackwardCall call, MethodSpec.Builder m) {
    for (Probe p : probes) {
      CodeBlock after = p.probing().afterBackward(call, p.index());
      if (!after.isEmpty()) {
        m.beginControlFlow("if (introspection != null)").addCode(after).endControlFlow();
      }
    }
  }
}
