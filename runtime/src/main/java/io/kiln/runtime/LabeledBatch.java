package io.kiln.runtime;

/**
 * A batch of examples with their labels, as a generated class's nested record {@code Batch}
 * holds them, e.g. {@code KilnLeNet.Batch(float[] image, int[] label)} or
 * {@code KilnCharLstm.Batch(int[] tokens, int steps, int[] targets)}. The record holds the
 * caller's arrays, not copies.
 *
 * @param <X> the generated class's {@code Input} record
 */
public interface LabeledBatch<X> {

  /** The inputs alone, for {@link InferenceModel#forward}. */
  X input();

  /** The number of samples (sequences, for a sequence model) in the batch. */
  int size();
}
