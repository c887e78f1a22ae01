package io.kiln.samples.perceptron;

import static com.google.common.truth.Truth.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PerceptronSampleTest {

  @Test
  void thePerceptronRuleLearnsAndAndOr() {
    for (var gate : new Object[][] {{"AND", PerceptronSample.AND}, {"OR", PerceptronSample.OR}}) {
      PerceptronSample.GateResult r = PerceptronSample.trainGate((String) gate[0], (float[]) gate[1], 100);
      assertThat(r.converged()).isTrue();
      assertThat(r.correct()).isEqualTo(4);
    }
  }

  @Test
  void thePerceptronRuleNeverConvergesOnXor() {
    PerceptronSample.GateResult r = PerceptronSample.trainGate("XOR", PerceptronSample.XOR, 1000);
    assertThat(r.converged()).isFalse();
    assertThat(r.correct()).isLessThan(4);
  }

  @Test
  void twoDenseLayersLearnXor() {
    PerceptronSample.XorResult r = PerceptronSample.trainXorNet(7L, 5000);
    assertThat(r.correct()).isEqualTo(4);
    assertThat(r.loss()).isLessThan(0.05f);
  }

  @Test
  void theSampleSaysWhatHappened() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PerceptronSample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("ŷ = step(z) = 0");
    assertThat(out).containsMatch("AND converged after \\d+ epochs");
    assertThat(out).contains("XOR did NOT converge");
    assertThat(out).contains("truth table 4/4 correct (100%)\n");
  }
}
