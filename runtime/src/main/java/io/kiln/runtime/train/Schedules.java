package io.kiln.runtime.train;

/** Applies {@link LearningRateSchedule}s to optimizers. */
public final class Schedules {
  private Schedules() {}

  /**
   * Sets the optimizer's learning rate to {@code schedule.rate(step)} and returns it: call it before
   * each {@code trainStep}, with {@code step} counted from 0 (after resuming from a checkpoint, the
   * saved step).
   *
   * <pre>{@code
   * LearningRateSchedule lr = new LinearWarmup(100, new CosineDecay(3e-4f, 10_000, 0f));
   * for (long step = 0; step < 10_100; step++) {
   *   Schedules.apply(adam, lr, step);
   *   model.trainStep(x, y, adam);
   * }
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code step < 0} or the schedule gives a negative or
   *     non-finite rate
   */
  public static float apply(Optimizer optimizer, LearningRateSchedule schedule, long step) {
    float rate = schedule.rate(step);
    optimizer.setLearningRate(rate);
    return rate;
  }

  static void checkStep(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("a learning-rate schedule starts at step 0, got step " + step);
    }
  }

  static float checkRate(String schedule, String what, float rate) {
    if (!(rate >= 0f) || !Float.isFinite(rate)) {
      throw new IllegalArgumentException(schedule + ": " + what + " must be ≥ 0 and finite, got " + rate);
    }
    return rate;
  }

  static long checkSteps(String schedule, String what, long steps) {
    if (steps <= 0) {
      throw new IllegalArgumentException(schedule + ": " + what + " must be positive, got " + steps);
    }
    return steps;
  }
}
