package io.kiln.processor.family;

import io.kiln.dsl.Activation;
import io.kiln.processor.grad.BackwardOp;
import io.kiln.processor.grad.DerivationContext;
import io.kiln.processor.ir.Node;

/** The backward step of the activation a GEMM-like layer (dense, convolution) applies in its epilogue. */
public final class ActivationStep {
  private ActivationStep() {}

  /**
   * Adds {@code dZ = dY ⊙ f'(Y)}: none for NONE, and STEP passes the gradient straight through so
   * it keeps no output.
   */
  public static void derive(DerivationContext c, Node n, Activation activation) {
    if (activation != Activation.NONE) {
      c.add(new BackwardOp.ActivationGrad(n.name(), activation));
      if (activation != Activation.STEP) {
        c.saveOutput(n.name()); // f'(z) is computed from the output y
      }
    }
  }
}
