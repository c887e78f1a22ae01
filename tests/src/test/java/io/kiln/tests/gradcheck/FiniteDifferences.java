package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.runtime.Parameter;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Checks analytic parameter gradients against finite differences of the loss, element by element.
 * The loss is evaluated in float, so the step and tolerances are sized for float noise.
 *
 * <p>ReLU and max-pooling make the loss piecewise smooth: when a kink lies within one step of the
 * point, the central difference mixes two pieces while the analytic gradient is the derivative of
 * one of them. So an element passes when the central, the forward or the backward difference
 * agrees with it; a wrong gradient disagrees with all three.
 */
final class FiniteDifferences {
  private static final float STEP = 3e-3f;
  private static final double ABSOLUTE = 2e-3;
  private static final double RELATIVE = 2e-2;

  private FiniteDifferences() {}

  /**
   * {@code gradients} must already hold the analytic gradients for the current weights;
   * {@code loss} re-evaluates the loss without touching them. Returns the elements checked.
   */
  static int check(String model, List<Parameter> parameters, DoubleSupplier loss) {
    int checked = 0;
    for (Parameter p : parameters) {
      float[] analytic = p.gradient().toArray();
      float[] values = p.toArray();
      for (int i = 0; i < values.length; i++) {
        float original = values[i];
        double center = loss.getAsDouble();
        values[i] = original + STEP;
        p.copyFrom(values);
        double plus = loss.getAsDouble();
        values[i] = original - STEP;
        p.copyFrom(values);
        double minus = loss.getAsDouble();
        values[i] = original;
        p.copyFrom(values);
        double numeric = (plus - minus) / (2 * STEP);
        double error = Math.min(Math.abs(numeric - analytic[i]),
            Math.min(Math.abs((plus - center) / STEP - analytic[i]), Math.abs((center - minus) / STEP - analytic[i])));
        double tolerance = ABSOLUTE + RELATIVE * Math.max(Math.abs(numeric), Math.abs(analytic[i]));
        assertWithMessage("%s: d loss / d %s[%s] (analytic %s, central %s, forward %s, backward %s)", model, p.name(), i,
            analytic[i], numeric, (plus - center) / STEP, (center - minus) / STEP)
            .that(error)
            .isAtMost(tolerance);
        checked++;
      }
    }
    return checked;
  }

  /** {@code n} inputs uniform in (−1.5, 1.5): large enough to exercise the nonlinearities, small enough not to saturate them. */
  static float[] inputs(java.util.SplittableRandom rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rng.nextDouble(-1.5, 1.5);
    }
    return a;
  }
}
