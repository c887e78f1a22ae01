package io.kiln.runtime.train;

import java.util.Objects;

/**
 * Ramps the rate up linearly for {@code warmupSteps} steps, then follows {@code then}, shifted so
 * that its step 0 is the first step after the warm-up. With {@code r = then.rate(0)}:
 *
 * <pre>
 *   rate(step) = r · (startFactor + (1 − startFactor) · step / warmupSteps)   for step &lt; warmupSteps
 *   rate(step) = then.rate(step − warmupSteps)                                for step ≥ warmupSteps
 * </pre>
 *
 * computed in double and rounded once to float. This is PyTorch's
 * {@code SequentialLR([LinearLR(start_factor, 1.0, total_iters = warmupSteps), then],
 * milestones = [warmupSteps])}. With {@code startFactor = 0} (the two-argument constructor) it is
 * the warm-up of Hugging Face's {@code get_linear_schedule_with_warmup} and
 * {@code get_cosine_schedule_with_warmup}: {@code new LinearWarmup(w, new CosineDecay(lr, total − w, 0))}
 * gives the latter exactly. Its step 0 has rate 0, so that first update changes nothing but the
 * optimizer's moments.
 *
 * @param warmupSteps the length of the ramp (&gt; 0)
 * @param startFactor the fraction of {@code then.rate(0)} at step 0, in {@code [0, 1]}
 * @param then the schedule after the ramp
 */
public record LinearWarmup(long warmupSteps, float startFactor, LearningRateSchedule then)
    implements LearningRateSchedule {
  public LinearWarmup {
    Schedules.checkSteps("LinearWarmup", "the warm-up steps", warmupSteps);
    if (!(startFactor >= 0f && startFactor <= 1f)) {
      throw new IllegalArgumentException("LinearWarmup: the start factor must be in [0, 1], got " + startFactor);
    }
    Objects.requireNonNull(then, "then");
  }

  /** A warm-up from 0: {@code rate(step) = then.rate(0) · step / warmupSteps} during the ramp. */
  public LinearWarmup(long warmupSteps, LearningRateSchedule then) {
    this(warmupSteps, 0f, then);
  }

  @Override
  public float rate(long step) {
    Schedules.checkStep(step);
    if (step >= warmupSteps) {
      return then.rate(step - warmupSteps);
    }
    double f = startFactor + (1.0 - startFactor) * step / warmupSteps;
    return (float) (then.rate(0) * f);
  }
}
