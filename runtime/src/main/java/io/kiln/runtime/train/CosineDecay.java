package io.kiln.runtime.train;

/**
 * Half a cosine from {@code base} down to {@code minRate} over {@code totalSteps} steps, as
 * PyTorch's {@code CosineAnnealingLR(optimizer, T_max = totalSteps, eta_min = minRate)}:
 *
 * <pre>
 *   rate(step) = minRate + (base − minRate) · (1 + cos(π · step / totalSteps)) / 2    for step ≤ totalSteps
 *   rate(step) = minRate                                                              for step ≥ totalSteps
 * </pre>
 *
 * computed in double and rounded once to float. Past {@code totalSteps} PyTorch's scheduler climbs
 * back up along the cosine (it is periodic); Kiln holds {@code minRate}, which is what a run that
 * outlasts its schedule wants.
 *
 * @param base the rate at step 0 (≥ 0)
 * @param totalSteps the step at which the rate reaches {@code minRate} (&gt; 0)
 * @param minRate the final rate (≥ 0, PyTorch's default 0)
 */
public record CosineDecay(float base, long totalSteps, float minRate) implements LearningRateSchedule {
  public CosineDecay {
    Schedules.checkRate("CosineDecay", "the base rate", base);
    Schedules.checkSteps("CosineDecay", "the total steps", totalSteps);
    Schedules.checkRate("CosineDecay", "the minimum rate", minRate);
  }

  @Override
  public float rate(long step) {
    Schedules.checkStep(step);
    if (step >= totalSteps) {
      return minRate;
    }
    double cos = StrictMath.cos(Math.PI * step / totalSteps);
    return (float) (minRate + ((double) base - minRate) * (1.0 + cos) / 2.0);
  }
}
