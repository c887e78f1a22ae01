package io.kiln.tests.api;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.dsl.Tensor;
import io.kiln.runtime.Classifier;
import io.kiln.runtime.InferenceModel;
import io.kiln.runtime.LabeledBatch;
import io.kiln.runtime.SupervisedModel;
import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.Adam;
import io.kiln.runtime.Fit;
import io.kiln.runtime.train.NonFiniteLossException;
import io.kiln.runtime.train.Sgd;
import io.kiln.samples.charlstm.KilnCharLstm;
import io.kiln.samples.perceptron.KilnXorNet;
import io.kiln.tests.models.KilnMlp;
import io.kiln.tests.models.KilnSeqStack;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The typed face every generated class shares: the Input and Batch records, the interfaces
 * InferenceModel / Classifier / SupervisedModel, the one commit path applyGradients, and the generic
 * loop Fit that trains any of them, as a user coming from Keras or PyTorch would use them.
 */
class TypedApiTest {

  /** A dense classifier: the label is the largest of the first ten features. */
  private static List<KilnMlp.Batch> mlpBatches(int count, int size, long seed) {
    Rng rng = new Rng(seed);
    List<KilnMlp.Batch> batches = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      float[] x = new float[size * 64];
      int[] y = new int[size];
      for (int i = 0; i < size; i++) {
        for (int j = 0; j < 64; j++) {
          x[i * 64 + j] = rng.nextFloat() * 2 - 1;
        }
        for (int j = 1; j < 10; j++) {
          y[i] = x[i * 64 + j] > x[i * 64 + y[i]] ? j : y[i];
        }
      }
      batches.add(new KilnMlp.Batch(x, y));
    }
    return batches;
  }

  /** A recurrent tagger: the label at every step is the current token mod 4 (7 tokens, 4 classes). */
  private static List<KilnSeqStack.Batch> seqBatches(int count, long seed) {
    Rng rng = new Rng(seed);
    List<KilnSeqStack.Batch> batches = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      int steps = 6;
      int[] ids = new int[3 * steps];
      int[] next = new int[3 * steps];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = rng.nextInt(7);
        next[i] = ids[i] % 4;
      }
      batches.add(new KilnSeqStack.Batch(ids, steps, next));
    }
    return batches;
  }

  /** The one generic routine both models go through: no adapter, no cast, no per-model code. */
  private static <X, B extends LabeledBatch<X>> List<Fit.Epoch> fitAndCheckItLearns(SupervisedModel<X, B> model, List<B> batches,
      int epochs, double factor) {
    double before = Fit.evaluate(model, batches);
    List<Fit.Epoch> history = Fit.fit(model, batches, new Adam(0.01f), epochs);
    double after = Fit.evaluate(model, batches);
    assertThat(after).isLessThan(before * factor);
    assertThat(history).hasSize(epochs);
    assertThat(model.steps()).isEqualTo((long) epochs * batches.size());
    for (Fit.Epoch e : history) {
      assertThat(e.steps()).isEqualTo(batches.size());
      assertThat(e.examples()).isEqualTo(batches.stream().mapToLong(LabeledBatch::size).sum());
    }
    assertThat(history.get(epochs - 1).meanLoss()).isLessThan(history.get(0).meanLoss());
    return history;
  }

  @Test
  void aDenseAndARecurrentModelTrainThroughTheSameGenericLoop() {
    fitAndCheckItLearns(KilnMlp.create(3), mlpBatches(8, 32, 1), 15, 0.5);
    fitAndCheckItLearns(KilnSeqStack.create(3), seqBatches(6, 2), 40, 0.5);
  }

  @Test
  void theReadmeSnippetLearnsXor() {
    KilnXorNet net = KilnXorNet.create(7);
    float[] x = {0, 0, 0, 1, 1, 0, 1, 1};
    float[] y = {0, 1, 1, 0};
    var batches = List.of(new KilnXorNet.Batch(x, y));
    Fit.fit(net, batches, new Sgd(1.0f), 500);
    float[] p = net.predict(x);
    for (int i = 0; i < 4; i++) {
      assertThat(Math.round(p[i])).isEqualTo((int) y[i]);
    }
  }

  @Test
  void fitTrainsExactlyAsTheArrayMethodsDo() {
    List<KilnSeqStack.Batch> batches = seqBatches(4, 5);
    KilnSeqStack viaFit = KilnSeqStack.create(9);
    Fit.Epoch epoch = Fit.epoch(viaFit, batches, new Adam(0.01f), (b, loss) -> {});
    KilnSeqStack byHand = KilnSeqStack.create(9);
    Adam adam = new Adam(0.01f);
    double lossSum = 0;
    for (KilnSeqStack.Batch b : batches) {
      lossSum += byHand.trainStep(b.ids(), b.steps(), b.next(), adam) * 3.0;
    }
    assertArrayEquals(byHand.parameterSlab(), viaFit.parameterSlab());
    assertThat(epoch.meanLoss()).isWithin(1e-9).of(lossSum / 12);
    assertThat(viaFit.steps()).isEqualTo(4);
  }

  @Test
  void trainStepIsComputeGradientsThenApplyGradients() {
    KilnMlp.Batch batch = mlpBatches(1, 16, 4).get(0);
    KilnMlp stepped = KilnMlp.create(2);
    KilnMlp split = KilnMlp.create(2);
    Sgd a = Sgd.builder(0.1f).momentum(0.9f).build();
    Sgd b = Sgd.builder(0.1f).momentum(0.9f).build();
    for (int i = 0; i < 3; i++) {
      float loss = stepped.trainStep(batch, a);
      assertThat(split.computeGradients(batch)).isEqualTo(loss);
      split.applyGradients(b);
    }
    assertArrayEquals(stepped.parameterSlab(), split.parameterSlab());
    assertThat(split.steps()).isEqualTo(3);
  }

  @Test
  void applyGradientsRefusesANonFiniteGradientNamingTheParameterAndChangesNothing() {
    KilnMlp model = KilnMlp.create(2);
    Adam adam = new Adam(0.01f);
    model.trainStep(mlpBatches(1, 8, 1).get(0), adam);
    model.computeGradients(mlpBatches(1, 8, 2).get(0));
    model.gradientSlab()[model.parameter("hidden.bias").offset() + 5] = Float.POSITIVE_INFINITY;
    float[] before = model.parameterSlab().clone();
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> model.applyGradients(adam));
    assertThat(e).hasMessageThat().startsWith(
        "Mlp: a gradient became non-finite at training step 2; the first non-finite value appeared in node 'hidden' gradient of hidden.bias [48] (backward)");
    assertThat(e.node()).hasValue("hidden");
    assertArrayEquals(before, model.parameterSlab());
    assertThat(model.steps()).isEqualTo(1);
  }

  @Test
  void perStepClassifiersClassifyEveryStep() {
    KilnSeqStack model = KilnSeqStack.create(4);
    int[] ids = {1, 2, 3, 4, 5, 6, 0, 1};
    int steps = 4;
    Tensor logits = model.forward(ids, steps);
    float[] out = logits.toArray();
    int[] expected = new int[ids.length];
    for (int r = 0; r < ids.length; r++) {
      for (int c = 1; c < 4; c++) {
        expected[r] = out[r * 4 + c] > out[r * 4 + expected[r]] ? c : expected[r];
      }
    }
    Classifier<KilnSeqStack.Input> classifier = model;
    assertThat(classifier.classify(new KilnSeqStack.Input(ids, steps))).isEqualTo(expected);
    assertThat(model.classify(ids, steps)).hasLength(2 * steps);
  }

  @Test
  void theTypedMethodsAreTheArrayMethods() {
    KilnMlp model = KilnMlp.create(6);
    KilnMlp.Batch batch = mlpBatches(1, 5, 8).get(0);
    InferenceModel<KilnMlp.Input> inference = model;
    assertThat(inference.modelName()).isEqualTo("Mlp");
    assertThat(inference.predict(batch.input())).isEqualTo(model.predict(batch.pixels()));
    assertThat(inference.forward(batch.input()).toArray()).isEqualTo(model.forward(batch.pixels()).toArray());
    assertThat(model.loss(batch)).isEqualTo(model.loss(batch.pixels(), batch.label()));
    assertThat(batch.size()).isEqualTo(5);
  }

  @Test
  void minValueLabelsAreRejectedWithModelMethodIndexAndValue() {
    KilnSeqStack ignoring = KilnSeqStack.create(1);
    IllegalArgumentException withIgnore = assertThrows(IllegalArgumentException.class,
        () -> ignoring.trainStep(new int[] {1, 2}, 2, new int[] {0, Integer.MIN_VALUE}, new Adam(1e-3f)));
    assertThat(withIgnore).hasMessageThat()
        .isEqualTo("SeqStack.trainStep: next[1] = -2147483648 is outside [0, 4) and is not the ignore index -1");
    KilnCharLstm plain = KilnCharLstm.create(1);
    IllegalArgumentException without = assertThrows(IllegalArgumentException.class,
        () -> plain.trainStep(new int[] {1, 2}, 2, new int[] {Integer.MIN_VALUE, 0}, new Adam(1e-3f)));
    assertThat(without).hasMessageThat().isEqualTo("CharLstm.trainStep: next[0] = -2147483648 is outside [0, 96)");
    assertThat(plain.steps()).isEqualTo(0);
  }

  @Test
  void outOfRangeTokenIdsNameTheModelAndTheMethod() {
    KilnSeqStack model = KilnSeqStack.create(1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.trainStep(new int[] {1, 7, 2, 3}, 2, new int[] {0, 1, 2, 3}, new Adam(1e-3f)));
    assertThat(e).hasMessageThat().isEqualTo("SeqStack.trainStep: input 'ids': id 7 at [0, 1] is outside the vocabulary [0, 7)");
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> model.classify(new int[] {0, -3}, 1));
    assertThat(negative).hasMessageThat().isEqualTo("SeqStack.classify: input 'ids': id -3 at [1, 0] is outside the vocabulary [0, 7)");
  }

  @Test
  void nonFiniteInputsToPredictAndClassifyAreRejectedNamingTheFirstBadIndex() {
    KilnMlp model = KilnMlp.create(1);
    float[] x = new float[2 * 64];
    x[70] = Float.NaN;
    x[90] = Float.POSITIVE_INFINITY;
    IllegalArgumentException predict = assertThrows(IllegalArgumentException.class, () -> model.predict(x));
    assertThat(predict).hasMessageThat().isEqualTo(
        "Mlp.predict: input 'pixels'[70] is NaN; inputs must be finite (replace or drop missing values before calling)");
    x[70] = 0;
    IllegalArgumentException classify = assertThrows(IllegalArgumentException.class, () -> model.classify(new KilnMlp.Input(x)));
    assertThat(classify).hasMessageThat().startsWith("Mlp.classify: input 'pixels'[90] is Infinity;");
    x[90] = 0;
    assertThat(model.classify(x)).hasLength(2);
  }
}
