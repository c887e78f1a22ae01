package io.kiln.runtime.train;

/**
 * Multiplies the rate by {@code gamma} every {@code stepSize} steps, as PyTorch's
 * {@code StepLR(optimizer, step_size, gamma)}:
 *
 * <pre>
 *   rate(step) = base · gamma^⌊step / stepSize⌋
 * </pre>
 *
 * computed in double and rounded once to float.
 *
 * @param base the rate of steps {@code [0, stepSize)} (≥ 0)
 * @param stepSize the number of steps between decays (&gt; 0)
 * @param gamma the factor applied at each decay, in {@code [0, 1]} (PyTorch's default is 0.1)
 */
public record StepDecay(float base, long stepSize, float gamma) implements LearningRateSchedule {
  public StepDecay {
    Schedules.checkRate("StepDecay", "the base rate", base);
    Schedules.checkSteps("StepDecay", "the step size", stepSize);
    if (!(gamma >= 0f && gamma <= 1f)) {
      throw new IllegalArgumentException("StepDecay: gamma must be in [0, 1], got " + gamma);
    }
  }

  @Override
  public float rate(long step) {
    Schedules.checkStep(step);
    return (float) (base * StrictMath.pow(gamma, (double) (step / stepSize)));
  }
}
