package io.kiln.runtime;

import io.kiln.runtime.train.Optimizer;

/**
 * A generated model that trains on labelled batches, typed by the batch record the generated class
 * names ({@code KilnLeNet.Batch}, {@code KilnCharLstm.Batch}): what a generic training loop such
 * as {@link Fit}, a distributed trainer or a test needs, without adapters.
 *
 * <pre>{@code
 * KilnLeNet model = KilnLeNet.create(1);
 * float loss = model.trainStep(new KilnLeNet.Batch(images, labels), optimizer);
 * // or, for any SupervisedModel:
 * Fit.fit(model, batches, optimizer, 10);
 * }</pre>
 *
 * <p>{@link #trainStep} is {@link #computeGradients} followed by {@link #applyGradients}; a trainer
 * that combines gradients from several places (summed over machines, accumulated over
 * micro-batches) calls the two halves itself, and both paths share one commit.
 *
 * @param <X> the generated class's {@code Input} record
 * @param <B> the generated class's {@code Batch} record
 */
public interface SupervisedModel<X, B extends LabeledBatch<X>> extends InferenceModel<X>, TrainableModel {

  /**
   * The batch's mean loss, in inference mode, without computing gradients.
   *
   * @throws IllegalArgumentException if the inputs or labels are malformed
   */
  float loss(B batch);

  /**
   * Fills {@link #gradientSlab()} with the gradient of the batch's mean loss and returns that loss,
   * without changing the weights.
   *
   * @throws IllegalArgumentException if the inputs or labels are malformed
   */
  float computeGradients(B batch);

  /**
   * One training step: {@link #computeGradients}, then {@link #applyGradients}. Returns the batch's
   * mean loss before the update.
   *
   * @throws io.kiln.runtime.train.NonFiniteLossException if the loss or a gradient is NaN or
   *     infinite, naming the node where the first non-finite value appeared; nothing is changed
   */
  float trainStep(B batch, Optimizer optimizer);
}
