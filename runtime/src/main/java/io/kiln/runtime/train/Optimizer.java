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
   * Sets the learning rate for the next steps (for schedules).
   *
   * @throws IllegalArgumentException unless {@code lr} is positive and finite
   */
  void setLearningRate(float lr);
}
