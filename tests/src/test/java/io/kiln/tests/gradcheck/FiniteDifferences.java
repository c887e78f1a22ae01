package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.runtime.Parameter;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Checks analytic parameter gradients against central finite differences of the loss, element by
 * element. The loss is evaluated in float, so the step and tolerances are sized for float noise.
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
        values[i] = original + STEP;
        p.copyFrom(values);
        double plus = loss.getAsDouble();
        values[i] = original - STEP;
        p.copyFrom(values);
        double minus = loss.getAsDouble();
        values[i] = original;
        p.copyFrom(values);
        double numeric = (plus - minus) / (2 * STEP);
        double tolerance = ABSOLUTE + RELATIVE * Math.max(Math.abs(numeric), Math.abs(analytic[i]));
        assertWithMessage("%s: d loss / d %s[%s] (analytic %s, numeric %s)", model, p.name(), i, analytic[i], numeric)
            .that(Math.abs(numeric - analytic[i]))
            .isAtMost(tolerance);
        checked++;
      }
    }
    return checked;
  }
}
