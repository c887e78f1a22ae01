package io.kiln.dsl;

/**
 * Weight initializations, all drawn from the model's seed. {@code n_in} is the fan-in (inputs per
 * output), {@code n_out} the fan-out. Biases always start at zero.
 */
public enum Init {
  /**
   * He normal for layers followed by ReLU, zeros for the perceptron's STEP (the classic start),
   * Xavier normal otherwise (what the notes advise).
   */
  DEFAULT,
  /** Xavier as in the notes: {@code N(0, 1/n_in)}. */
  XAVIER_NORMAL,
  /** Glorot uniform: {@code U(−a, a)} with {@code a = √(6/(n_in + n_out))}. */
  XAVIER_UNIFORM,
  /** He: {@code N(0, 2/n_in)}. */
  HE_NORMAL,
  /** He uniform: {@code U(−a, a)} with {@code a = √(6/n_in)}. */
  HE_UNIFORM,
  /** All zeros (the classic perceptron starts here). */
  ZEROS,
  /** All ones (batch normalization's scale starts here). */
  ONES
}
