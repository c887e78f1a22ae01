package io.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.dsl.Activation;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.KernelCall;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Writes the introspection of a trainable model: {@code introspect(boolean)}, the probes it builds
 * once, and the guarded captures in {@code runForward} and {@code gradients}. Each capture is one
 * {@code if (introspection != null)} around a call, placed where the value is valid: a node's output
 * right after the kernel that wrote it, its gradient once backward has finished accumulating it and
 * before anything overwrites it, a recurrent layer's per-step norms right after its backward (which
 * leaves the gate gradients in its scratch). With introspection off the step runs the same kernels.
 */
final class IntrospectionMethods extends GeneratedClassPart {
  static final String PACKAGE = RUNTIME + ".introspect";
  static final ClassName INTROSPECTION = ClassName.get(PACKAGE, "Introspection");
  static final ClassName INTROSPECTABLE = ClassName.get(PACKAGE, "Introspectable");
  static final ClassName NODE_PROBE = ClassName.get(PACKAGE, "NodeProbe");
  static final ClassName SATURATION = ClassName.get(PACKAGE, "Saturation");

  /**
   * One probed node: the output of forward call {@code call} (its last covered node), and where its
   * gradient is read: before backward call {@code gradientAt}, or -1 when no backward call reads
   * the gradient of the output itself (a fused activation derivative leaves only the pre-activation's).
   */
  record Probe(int index, ForwardCall call, String node, Buffer output, Buffer gradient, int gradientAt) {}

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
      list.add(new Probe(i, call, node, call.writes().get(0), gradient, gradient == null ? -1 : completeAt(node, gradient)));
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
      if (writes && c.covers().contains(node) && !(c instanceof BackwardCall.ActivationBackward) && !(c instanceof BackwardCall.GeluBackward)) {
        return -1;
      }
      boolean inPlace = c instanceof BackwardCall.ActivationBackward || c instanceof BackwardCall.GeluBackward;
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
      list.add(p.index() == 0 ? "\n" : ",\n").add("$L", newProbe(p));
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

  private CodeBlock newProbe(Probe p) {
    if (p.call() instanceof ForwardCall.RecurrentForward r && r.reverse() == null) {
      String steps = maxSteps(program.inputs().stream().filter(Buffer::isSequence).findFirst().orElseThrow());
      return CodeBlock.of("$T.recurrent($S, $T.$L, $L, MAX_BATCH, $L)", NODE_PROBE, p.node(), SATURATION, saturation(p.call()),
          geometry(r), steps);
    }
    return CodeBlock.of("$T.of($S, $T.$L)", NODE_PROBE, p.node(), SATURATION, saturation(p.call()));
  }

  private static String saturation(ForwardCall call) {
    Activation a = switch (call) {
      case ForwardCall.DenseForward d -> d.activation();
      case ForwardCall.ConvForward c -> c.activation();
      case ForwardCall.RecurrentForward r -> r.layer().cell() == io.kiln.processor.parse.Layer.Recurrent.Cell.RNN
          ? r.layer().activation() : Activation.NONE;
      default -> Activation.NONE;
    };
    return a == Activation.SIGMOID ? "SIGMOID" : a == Activation.TANH ? "TANH" : "NONE";
  }

  /** After forward call {@code index}: its output's statistics, and a recurrent layer's gates. */
  void afterForward(int index, MethodSpec.Builder m) {
    if (!trains()) {
      return;
    }
    Probe p = probes.get(index);
    m.beginControlFlow("if (introspection != null)")
        .addStatement("introspection.node($L).recordActivations($L, $L)", index, ref(p.output()), count(p.output()));
    if (p.call() instanceof ForwardCall.RecurrentForward r && r.reverse() == null) {
      m.addStatement("introspection.node($L).recordGates($L, batch, steps)", index, workspace(r));
    }
    m.endControlFlow();
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

  /** After a recurrent layer's backward: ‖∂L/∂h_t‖ per step, from the gate gradients it left. */
  void afterBackward(BackwardCall call, MethodSpec.Builder m) {
    // A bidirectional layer's probe is a plain node's (output statistics and gradient norm): its
    // gates and per-step gradients are two directions' in opposite step orders.
    if (!(call instanceof BackwardCall.RecurrentBackward r) || r.forward().reverse() != null) {
      return;
    }
    Probe p = probes.stream().filter(q -> q.call() == r.forward()).findFirst().orElseThrow();
    m.beginControlFlow("if (introspection != null)")
        .addStatement("introspection.node($L).recordStepGradients(batch, steps, params, $L, $L, $L, $L, $L)", p.index(),
            paramConstant(r.forward().weightHh()), orNull(r.dy()), orNull(r.dhT()), workspace(r.forward()), scratch(r.forward()))
        .endControlFlow();
  }
}
