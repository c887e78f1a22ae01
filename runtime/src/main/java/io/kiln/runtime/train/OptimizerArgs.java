package io.kiln.runtime.train;

/** Argument checks shared by the optimizers, so every message reads the same. */
final class OptimizerArgs {
  private OptimizerArgs() {}

  static float learningRate(String optimizer, float lr) {
    if (!(lr > 0f) || !Float.isFinite(lr)) {
      throw new IllegalArgumentException(optimizer + ": the learning rate must be positive and finite, got " + lr);
    }
    return lr;
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
}
