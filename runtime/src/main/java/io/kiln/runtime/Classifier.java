package io.kiln.runtime;

/**
 * A generated model trained with a softmax cross-entropy loss: it names the most likely class of
 * each sample, or of each step for models with a per-step output (language models, sequence to
 * sequence).
 *
 * @param <X> the generated class's {@code Input} record
 */
public interface Classifier<X> extends InferenceModel<X> {

  /**
   * The most likely class (argmax of the logits): one per sample ({@code [B]}), or one per step,
   * {@code [B, steps]} row-major, for a per-step output.
   *
   * @throws IllegalArgumentException if the input is malformed or holds NaN or ±infinity
   */
  int[] classify(X input);
}
