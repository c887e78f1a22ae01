package io.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.train.NonFiniteLossException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ChecksTest {
  private static final int[] TWO = {2};

  private static String message(Executable call) {
    return assertThrows(IllegalArgumentException.class, call).getMessage();
  }

  @Test
  void batchOfReturnsTheBatch() {
    assertThat(Checks.batchOf("XorNet", "forward", "x", new float[8], TWO, 64)).isEqualTo(4);
    assertThat(Checks.batchOf("LeNet", "forward", "image", new float[2 * 784], new int[] {1, 28, 28}, 2)).isEqualTo(2);
  }

  @Test
  void batchOfMessages() {
    assertThat(message(() -> Checks.batchOf("XorNet", "forward", "x", new float[7], TWO, 64)))
        .isEqualTo("XorNet.forward: input 'x' has 7 floats, which is not a whole number of samples of shape [2] (2 floats each)");
    assertThat(message(() -> Checks.batchOf("XorNet", "trainStep", "x", new float[160], TWO, 64)))
        .isEqualTo("XorNet.trainStep: input 'x' holds a batch of 80 samples but @Model(maxBatch = 64) allows at most 64; split it or raise maxBatch");
    assertThat(message(() -> Checks.batchOf("XorNet", "forward", "x", new float[0], TWO, 64)))
        .isEqualTo("XorNet.forward: input 'x' is empty; pass at least one sample of shape [2]");
    NullPointerException npe = assertThrows(NullPointerException.class,
        () -> Checks.batchOf("XorNet", "forward", "x", null, TWO, 64));
    assertThat(npe).hasMessageThat().isEqualTo("XorNet.forward: input 'x' is null");
  }

  @Test
  void classLabelMessages() {
    Checks.classLabels("LeNet", "trainStep", "label", new int[] {0, 9, 3, 4}, 4, 10);
    assertThat(message(() -> Checks.classLabels("LeNet", "trainStep", "label", new int[3], 4, 10)))
        .isEqualTo("LeNet.trainStep: labels 'label' has 3 entries but the batch has 4 samples");
    assertThat(message(() -> Checks.classLabels("LeNet", "trainStep", "label", new int[] {0, 1, 12, 3}, 4, 10)))
        .isEqualTo("LeNet.trainStep: label[2] = 12 is outside [0, 10)");
    assertThat(message(() -> Checks.classLabels("LeNet", "trainStep", "label", new int[] {-1}, 1, 10)))
        .isEqualTo("LeNet.trainStep: label[0] = -1 is outside [0, 10)");
  }

  @Test
  void sequenceLabelsHaveNoHiddenIgnoreValue() {
    // Integer.MIN_VALUE once meant "no ignore index" and slipped through to the loss kernel.
    assertThat(message(() -> Checks.sequenceLabels("CharLstm", "trainStep", "next", new int[] {1, Integer.MIN_VALUE}, 2, 96)))
        .isEqualTo("CharLstm.trainStep: next[1] = -2147483648 is outside [0, 96)");
    assertThat(message(() -> Checks.sequenceLabels("CharLstm", "loss", "next", new int[3], 4, 96)))
        .isEqualTo("CharLstm.loss: labels 'next' has 3 entries but the batch has 4 positions");
    assertThat(message(() -> Checks.labelsWithIgnore("Tagger", "trainStep", "gold", new int[] {0, Integer.MIN_VALUE}, 2, 5, -1)))
        .isEqualTo("Tagger.trainStep: gold[1] = -2147483648 is outside [0, 5) and is not the ignore index -1");
    // any int may be the ignore index, MIN_VALUE included
    Checks.labelsWithIgnore("Tagger", "trainStep", "gold", new int[] {Integer.MIN_VALUE, 4}, 2, 5, Integer.MIN_VALUE);
  }

  @Test
  void tokenIdsAndNonFiniteInputsNameModelMethodAndPosition() {
    Checks.tokenIds("CharLstm", "forward", "text", new int[] {0, 95, 3, 4}, 2, 2, 96);
    assertThat(message(() -> Checks.tokenIds("CharLstm", "forward", "text", new int[] {0, 95, 3, 96}, 2, 2, 96)))
        .isEqualTo("CharLstm.forward: input 'text': id 96 at [1, 1] is outside the vocabulary [0, 96)");
    Checks.finiteInput("LeNet", "predict", "image", new float[] {0, 1e38f}, 2);
    assertThat(message(() -> Checks.finiteInput("LeNet", "predict", "image", new float[] {0, Float.NEGATIVE_INFINITY, Float.NaN}, 3)))
        .isEqualTo("LeNet.predict: input 'image'[1] is -Infinity; inputs must be finite (replace or drop missing values before calling)");
  }

  @Test
  void targetMessages() {
    Checks.targets("XorNet", "trainStep", "y", new float[4], 4, new int[] {1});
    assertThat(message(() -> Checks.targets("XorNet", "trainStep", "y", new float[3], 4, new int[] {1})))
        .isEqualTo("XorNet.trainStep: targets 'y' has 3 floats but a batch of 4 samples of shape [1] needs 4");
    assertThat(message(() -> Checks.targets("XorNet", "trainStep", "y", new float[] {0, 1, Float.NaN, 0}, 4, new int[] {1})))
        .isEqualTo("XorNet.trainStep: y[2] = NaN is not a finite number");
  }

  @Test
  void finiteLoss() {
    Checks.finiteLoss("XorNet", 0.25f, 3);
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> Checks.finiteLoss("XorNet", Float.NaN, 17));
    assertThat(e).hasMessageThat().isEqualTo(
        "XorNet: loss became NaN at training step 17; lower the learning rate, clip gradients or check the inputs");
    assertThat(e).isInstanceOf(ArithmeticException.class);
    assertThat(e.step()).isEqualTo(17);
    assertThat(e.model()).isEqualTo("XorNet");
    assertThrows(NonFiniteLossException.class, () -> Checks.finiteLoss("XorNet", Float.POSITIVE_INFINITY, 1));
  }
}
