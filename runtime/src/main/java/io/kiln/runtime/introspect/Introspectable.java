package io.kiln.runtime.introspect;

/**
 * A generated model whose training steps can report what happens inside them: per-node activation
 * statistics, gradient norms with respect to each node's output and, for LSTM and GRU layers, the
 * gate activations. Off by default; see {@link Introspection}.
 */
public interface Introspectable {
  /**
   * Turns recording on or off for the following {@code computeGradients}, {@code trainStep} and
   * forward passes, and returns the model's one {@link Introspection} (allocated on the first call,
   * reused after). Off, the step runs as without introspection and the view keeps the values of the
   * last step recorded.
   */
  Introspection introspect(boolean on);
}
