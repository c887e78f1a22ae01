package io.kiln.runtime.data;

/**
 * A labelled data set that {@link Batches} can draw from: {@link #size()} examples, each a
 * feature vector of {@link #featureSize()} floats and an integer class label.
 */
public interface Examples {
  /** The number of examples. */
  int size();

  /** The number of floats in one example's features. */
  int featureSize();

  /** Copies the features of example {@code index} into {@code dst[offset .. offset + featureSize())}. */
  void copyFeatures(int index, float[] dst, int offset);

  /** The label of example {@code index}. */
  int label(int index);
}
