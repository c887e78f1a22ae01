package io.kiln.processor.family;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import io.kiln.dsl.Activation;
import io.kiln.processor.fuse.BackwardCall;

/**
 * What introspection records for one forward kernel call: the probe of the node the call outputs
 * (whose output statistics and gradient norm every probe records) and what a kind records beyond
 * that, such as a recurrent layer's gates and per-step gradient norms. The statements run inside
 * the generated {@code if (introspection != null)}.
 */
public interface Probing {
  String PACKAGE = "io.kiln.runtime.introspect";
  ClassName NODE_PROBE = ClassName.get(PACKAGE, "NodeProbe");
  ClassName SATURATION = ClassName.get(PACKAGE, "Saturation");

  /** A probe of the output alone: its statistics and gradient norm, no saturation counted. */
  Probing OUTPUT = saturating(Activation.NONE);

  /** A probe counting how often the output saturates {@code activation} (sigmoid and tanh saturate; others count nothing). */
  static Probing saturating(Activation activation) {
    return node -> CodeBlock.of("$T.of($S, $T.$L)", NODE_PROBE, node, SATURATION, saturation(activation));
  }

  /** The {@code Saturation} constant of an activation. */
  static String saturation(Activation a) {
    return a == Activation.SIGMOID ? "SIGMOID" : a == Activation.TANH ? "TANH" : "NONE";
  }

  /** The expression building the probe of {@code node}, once, in {@code introspect}. */
  CodeBlock probe(String node);

  /** Statements after the forward call, {@code probe} being its index: empty for most kinds. */
  default CodeBlock afterForward(int probe) {
    return CodeBlock.of("");
  }

  /** Statements after backward call {@code call} when it differentiates this forward call: empty for most kinds. */
  default CodeBlock afterBackward(BackwardCall call, int probe) {
    return CodeBlock.of("");
  }
}
