package io.kiln.runtime.introspect;

/**
 * When an activation counts as saturated: where its derivative has all but vanished, so almost no
 * gradient passes back through it.
 *
 * <ul>
 *   <li>{@link #SIGMOID}: {@code y < 0.01} or {@code y > 0.99}, where σ' = y(1 − y) < 0.0099, under 4% of
 *       its peak 0.25;
 *   <li>{@link #TANH}: {@code |y| > 0.99}, where tanh' = 1 − y² < 0.0199, under 2% of its peak 1;
 *   <li>{@link #NONE}: not defined (ReLU, linear, normalizations): the fraction is NaN.
 * </ul>
 */
public enum Saturation {
  NONE,
  SIGMOID,
  TANH;

  /** The threshold of both rules: 0.99 (and 0.01 for the sigmoid's lower end). */
  public static final float LIMIT = 0.99f;

  /** Whether {@code y}, an output of this activation, is saturated. */
  public boolean saturated(float y) {
    return switch (this) {
      case SIGMOID -> y < 1f - LIMIT || y > LIMIT;
      case TANH -> Math.abs(y) > LIMIT;
      case NONE -> false;
    };
  }
}
