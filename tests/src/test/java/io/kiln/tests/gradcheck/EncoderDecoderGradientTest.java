package io.kiln.tests.gradcheck;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.tests.models.KilnEncoderDecoder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finite-difference checks through encoder → decoder state hand-offs (@InitialState): the
 * encoders get gradients only through the states they hand over.
 */
class EncoderDecoderGradientTest {

  @ParameterizedTest
  @CsvSource({"1, 2", "3, 5"})
  void gradientsFlowThroughTheHandOff(int batch, int steps) {
    SplittableRandom rng = new SplittableRandom(5 * batch + steps);
    KilnEncoderDecoder model = KilnEncoderDecoder.create(12);
    int[] source = rng.ints(batch * steps, 0, 6).toArray();
    int[] target = rng.ints(batch * steps, 0, 6).toArray();
    int[] next = rng.ints(batch * steps, 0, 6).toArray();
    model.computeGradients(source, target, steps, next);
    float encoderGradient = 0;
    for (float g : model.parameter("encoder.weight_ih_l0").gradient().toArray()) {
      encoderGradient += Math.abs(g);
    }
    assertThat(encoderGradient).isGreaterThan(0f); // the LSTM encoder learns only through h and c
    int n = FiniteDifferences.check("EncoderDecoder", model.parameters(), () -> model.loss(source, target, steps, next));
    assertThat(n).isEqualTo(KilnEncoderDecoder.PARAMETER_COUNT);
  }
}
