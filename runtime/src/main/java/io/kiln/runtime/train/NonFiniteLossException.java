package io.kiln.runtime.train;

/**
 * Training produced a NaN or infinite loss. Continuing would only spread NaN through every weight,
 * so a generated model stops at the step where it happened and says how to recover.
 */
public final class NonFiniteLossException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final String model;
  private final float loss;
  private final long step;

  /**
   * @param model the model's name
   * @param loss the non-finite loss
   * @param step the training step (counted from 1, or as the model counts) that produced it
   */
  public NonFiniteLossException(String model, float loss, long step) {
    super(model + ": loss became " + loss + " at training step " + step
        + "; lower the learning rate, clip gradients or check the inputs");
    this.model = model;
    this.loss = loss;
    this.step = step;
  }

  /** The model's name. */
  public String model() {
    return model;
  }

  /** The loss value (NaN or ±infinity). */
  public float loss() {
    return loss;
  }

  /** The training step that produced it. */
  public long step() {
    return step;
  }
}
