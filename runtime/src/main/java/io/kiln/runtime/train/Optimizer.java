package io.kiln.runtime.train;

/**
 * Updates a model's parameters from their gradients. A generated model keeps every parameter in
 * one flat {@code float[]} and every gradient at the same index of a second one, so an optimizer
 * is a single pass over two arrays.
 *
 * <p>An optimizer instance belongs to one model: stateful optimizers (momentum, Adam) allocate
 * their state on the first {@link #step} and never again, so training allocates nothing per
 * step after warm-up.
 */
public interface Optimizer {

  /**
   * Updates {@code params[0 .. count)} from {@code grads[0 .. count)} in place. Gradients are
   * read, not cleared.
   *
   * @throws IllegalArgumentException if an array is shorter than {@code count}
   * @throws IllegalStateException if a stateful optimizer is reused with a different count
   */
  void step(float[] params, float[] grads, int count);

  /** The current learning rate. */
  float learningRate();

  /**
   * Sets the learning rate for the next steps (for schedules, see {@link Schedules#apply}). Zero is
   * allowed here, unlike in the constructors, because schedules legitimately reach it.
   *
   * @throws IllegalArgumentException unless {@code lr} is ≥ 0 and finite
   */
  void setLearningRate(float lr);

  /**
   * The global L2 norm of the gradients seen by the last {@link #step}, before clipping, computed
   * when the optimizer clips by global norm ({@code clipGlobalNorm(τ)} on its builder); NaN before
   * the first step or when it does not clip.
   */
  default double lastGradientNorm() {
    return Double.NaN;
  }
}
