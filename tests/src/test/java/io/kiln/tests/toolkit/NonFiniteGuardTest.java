package io.kiln.tests.toolkit;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.kiln.runtime.train.Adam;
import io.kiln.runtime.train.NonFiniteLossException;
import io.kiln.runtime.train.Sgd;
import io.kiln.samples.lenet.KilnLeNet;
import io.kiln.tests.models.KilnEveryBce;
import io.kiln.tests.models.KilnLastState;
import io.kiln.tests.models.KilnNormDrop;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A NaN or infinite loss stops {@code trainStep} with a {@link NonFiniteLossException} naming the step, the node
 * where the first non-finite value appeared and the pass; the weights, the step count and the optimizer are as
 * before the failed step, so training can go on with good data.
 */
class NonFiniteGuardTest {
  @Test
  void nanInTheInputNamesTheInputAndChangesNothing() {
    List<TrainingData.Batch> data = TrainingData.fashionBatches(3, 8, 0);
    KilnLeNet model = KilnLeNet.create(5);
    Adam adam = new Adam(1e-3f);
    for (int s = 0; s < 2; s++) {
      model.trainStep(data.get(s).x(), data.get(s).labels(), adam);
    }
    List<float[]> before = TrainingData.snapshot(model.parameters());
    String adamBefore = TrainingData.stateBits(adam);
    float[] bad = data.get(2).x().clone();
    bad[3 * 784 + 400] = Float.NaN; // one pixel of the fourth image

    NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
        () -> model.trainStep(bad, data.get(2).labels(), adam));

    assertThat(e.step()).isEqualTo(3);
    assertThat(e.model()).isEqualTo("LeNet");
    assertThat(Float.isNaN(e.loss())).isTrue();
    assertThat(e.node()).hasValue("image");
    assertThat(e.phase()).hasValue(NonFiniteLossException.Phase.FORWARD);
    assertThat(e).hasMessageThat().contains("step 3");
    assertThat(e).hasMessageThat().contains("'image'");
    assertThat(TrainingData.sameBits(TrainingData.snapshot(model.parameters()), before)).isTrue();
    assertThat(model.steps()).isEqualTo(2);

    assertThat(TrainingData.stateBits(adam)).isEqualTo(adamBefore); // Adam did not count the failed step

    // Training goes on with good data.
    assertThat(Float.isFinite(model.trainStep(data.get(2).x(), data.get(2).labels(), adam))).isTrue();
    assertThat(model.steps()).isEqualTo(3);
  }

  @Test
  void aSequenceModelNamesItsTrainingStepNotTheSequenceLength() {
    KilnLastState model = KilnLastState.create(3);
    int[] ids = {1, 2, 3, 4, 5, 0, 1, 2};
    int[] labels = {0, 2};
    Sgd sgd = new Sgd(0.1f);
    model.trainStep(ids, 4, labels, sgd);
    model.parameter("emb.weight").set(Float.NaN, 2, 1); // symbol 2 now embeds to a NaN

    NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> model.trainStep(ids, 4, labels, sgd));

    assertThat(e.step()).isEqualTo(2); // the second step, whatever the 4 steps of each sequence
    assertThat(e).hasMessageThat().contains("training step 2");
    assertThat(e.node()).hasValue("emb");
  }

  @Test
  void aHugeLearningRateBlowsUpAndIsStoppedWithWeightsIntact() {
    List<TrainingData.Batch> data = TrainingData.fashionBatches(10, 8, 40);
    KilnLeNet model = KilnLeNet.create(5);
    Sgd sgd = new Sgd(1e12f);
    for (int s = 0; s < data.size(); s++) {
      List<float[]> before = TrainingData.snapshot(model.parameters());
      TrainingData.Batch b = data.get(s);
      try {
        model.trainStep(b.x(), b.labels(), sgd);
      } catch (NonFiniteLossException e) {
        assertThat(s).isGreaterThan(0); // the first step's weights are the seed's, its loss is finite
        assertThat(e.step()).isEqualTo(s + 1);
        assertWithMessage("%s", e.getMessage()).that(e.node()).isPresent();
        assertWithMessage("%s", e.getMessage()).that(e.phase()).isPresent();
        assertThat(e.nodeShape()).isPresent();
        assertThat(e).hasMessageThat().contains("step " + (s + 1));
        assertThat(e).hasMessageThat().contains("'" + e.node().get() + "'");
        assertThat(e).hasMessageThat().contains(e.nodeShape().get());
        assertThat(TrainingData.sameBits(TrainingData.snapshot(model.parameters()), before)).isTrue();
        assertThat(model.steps()).isEqualTo(s);
        System.out.println("huge learning rate: " + e.getMessage());
        return;
      }
    }
    fail("a learning rate of 1e12 should make the loss non-finite within " + data.size() + " steps");
  }

  @Test
  void aNanTargetIsRejectedBeforeTheStep() {
    KilnEveryBce model = KilnEveryBce.create(2);
    Sgd sgd = new Sgd(0.1f);
    float[] x = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 1f, 0f, -1f, 0.5f, 0.5f, 0.5f};
    model.trainStep(x, new float[] {1, 0, 1, 0, 1, 0}, sgd);
    List<float[]> before = TrainingData.snapshot(model.parameters());
    float[] bad = {1, 0, Float.NaN, 0, 1, 0};

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.trainStep(x, bad, sgd));

    assertThat(e).hasMessageThat().contains("EveryBce");
    assertThat(e).hasMessageThat().contains("target[2]");
    assertThat(TrainingData.sameBits(TrainingData.snapshot(model.parameters()), before)).isTrue();
    assertThat(model.steps()).isEqualTo(1);
  }

  /**
   * Batch-norm running statistics are state too: a rejected step must not leave them NaN (else the model's
   * inference and its next checkpoint are ruined though its "weights are left unchanged"), nor update them twice.
   */
  @Test
  void aRejectedStepLeavesBatchNormStatisticsAlone() {
    List<TrainingData.Batch> data = TrainingData.randomBatches(2, 16, 36, 3, 5);
    KilnNormDrop model = KilnNormDrop.create(3);
    Adam adam = new Adam(1e-3f);
    model.trainStep(data.get(0).x(), data.get(0).labels(), adam);
    List<float[]> buffers = TrainingData.snapshot(model.buffers());
    float[] bad = data.get(1).x().clone();
    bad[5] = Float.NaN;

    NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
        () -> model.trainStep(bad, data.get(1).labels(), adam));

    assertThat(e.node()).hasValue("x");
    assertThat(TrainingData.sameBits(TrainingData.snapshot(model.buffers()), buffers)).isTrue();

    // ... and the dropout generator: the next good step is the one a run without the bad batch takes
    KilnNormDrop clean = KilnNormDrop.create(3);
    Adam cleanAdam = new Adam(1e-3f);
    clean.trainStep(data.get(0).x(), data.get(0).labels(), cleanAdam);
    assertThat(Float.floatToIntBits(model.trainStep(data.get(1).x(), data.get(1).labels(), adam)))
        .isEqualTo(Float.floatToIntBits(clean.trainStep(data.get(1).x(), data.get(1).labels(), cleanAdam)));
  }
}
