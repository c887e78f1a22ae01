package io.kiln.runtime.train;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Argument checks shared by the optimizers, so every message reads the same. */
final class OptimizerArgs {
  private OptimizerArgs() {}

  static float learningRate(String optimizer, float lr) {
    if (!(lr > 0f) || !Float.isFinite(lr)) {
      throw new IllegalArgumentException(optimizer + ": the learning rate must be positive and finite, got " + lr);
    }
    return lr;
  }

  /**
   * A rate set while training (by a schedule): ≥ 0 and finite. Zero is allowed because schedules
   * legitimately reach it (a cosine decay to 0, the first step of a warm-up from 0), as in PyTorch.
   */
  static float scheduledRate(String optimizer, float lr) {
    if (!(lr >= 0f) || !Float.isFinite(lr)) {
      throw new IllegalArgumentException(optimizer + ": the learning rate must be ≥ 0 and finite, got " + lr);
    }
    return lr;
  }

  /** The τ of clipping by global norm: positive and finite. */
  static float clipNorm(String optimizer, float tau) {
    if (!(tau > 0f) || !Float.isFinite(tau)) {
      throw new IllegalArgumentException(optimizer + ": the gradient-norm bound τ must be positive and finite, got " + tau);
    }
    return tau;
  }

  static float nonNegative(String optimizer, String what, float value) {
    if (!(value >= 0f) || !Float.isFinite(value)) {
      throw new IllegalArgumentException(optimizer + ": " + what + " must be ≥ 0 and finite, got " + value);
    }
    return value;
  }

  /** A decay rate such as momentum or an Adam beta: in [0, 1). */
  static float unitInterval(String optimizer, String what, float value) {
    if (!(value >= 0f && value < 1f)) {
      throw new IllegalArgumentException(optimizer + ": " + what + " must be in [0, 1), got " + value);
    }
    return value;
  }

  static void arrays(String optimizer, float[] params, float[] grads, int count) {
    if (params == null || grads == null) {
      throw new NullPointerException(optimizer + ": params and grads must not be null");
    }
    if (count < 0 || count > params.length || count > grads.length) {
      throw new IllegalArgumentException(
          optimizer + ": step over " + count + " parameters but params has " + params.length
              + " and grads " + grads.length);
    }
  }

  /** Stateful optimizers size their state on the first step; a later step must match it. */
  static void sameCount(String optimizer, int stateLength, int count) {
    if (stateLength != count) {
      throw new IllegalStateException(
          optimizer + " was first used on " + stateLength + " parameters and now on " + count
              + "; use one optimizer instance per model");
    }
  }

  /**
   * Checks a state to restore into optimizer {@code kind} and returns copies of its buffers in the
   * order of {@code expected} (the buffers this configuration keeps once it has stepped), or null
   * if the state is from before the first step.
   */
  static float[][] restoredBuffers(String kind, OptimizerState state, List<String> expected) {
    Objects.requireNonNull(state, "state");
    if (!state.kind().equals(kind)) {
      throw new IllegalArgumentException(
          kind + ": cannot restore the state of a " + state.kind() + " optimizer; build a " + state.kind() + " to resume it");
    }
    scheduledRate(kind, state.learningRate());
    Set<String> have = state.buffers().keySet();
    if (state.steps() == 0) {
      if (!have.isEmpty()) {
        throw new IllegalArgumentException(kind + ": a state of 0 steps cannot hold buffers, but it has " + have);
      }
      return null;
    }
    if (!have.equals(new HashSet<>(expected))) {
      throw new IllegalArgumentException(kind + ": this optimizer keeps buffers " + expected + " but the state has "
          + have + "; was it saved with other settings (momentum)?");
    }
    float[][] out = new float[expected.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = state.buffers().get(expected.get(i)).clone();
      if (out[i].length != out[0].length) {
        throw new IllegalArgumentException(kind + ": buffer " + expected.get(i) + " has " + out[i].length
            + " floats but " + expected.get(0) + " has " + out[0].length);
      }
    }
    return out;
  }
}
