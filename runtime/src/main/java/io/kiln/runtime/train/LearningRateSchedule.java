package io.kiln.runtime.train;

/**
 * The learning rate as a function of the training step, counted from 0: {@code rate(0)} is the rate
 * of the first update, and {@code rate(k)} the rate PyTorch's scheduler gives after {@code k} calls
 * of {@code scheduler.step()}. Apply it before each step with {@link Schedules#apply}.
 *
 * <p>Implementations: {@link StepDecay} ({@code StepLR}), {@link CosineDecay}
 * ({@code CosineAnnealingLR}) and {@link LinearWarmup} ({@code LinearLR} then another schedule, as
 * {@code SequentialLR} chains them), which composes with any schedule, including a lambda:
 * {@code step -> 0.1f}.
 */
@FunctionalInterface
public interface LearningRateSchedule {

  /**
   * The learning rate for step {@code step} (≥ 0 and finite).
   *
   * @throws IllegalArgumentException if {@code step < 0}
   */
  float rate(long step);

  /** A constant rate. */
  static LearningRateSchedule constant(float rate) {
    Schedules.checkRate("constant", "rate", rate);
    return step -> {
      Schedules.checkStep(step);
      return rate;
    };
  }
}
