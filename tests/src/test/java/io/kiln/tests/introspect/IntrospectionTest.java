package io.kiln.tests.introspect;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static io.kiln.dsl.Activation.RELU;
import static io.kiln.dsl.Activation.SIGMOID;
import static io.kiln.dsl.Activation.TANH;
import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;

import io.kiln.dsl.Dense;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.Gru;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Model;
import io.kiln.dsl.Rnn;
import io.kiln.dsl.Tensor;
import io.kiln.dsl.Tokens;
import io.kiln.runtime.Parameter;
import io.kiln.runtime.introspect.GateActivations;
import io.kiln.runtime.introspect.Introspection;
import io.kiln.runtime.introspect.NodeProbe;
import io.kiln.runtime.testing.Allocations;
import io.kiln.runtime.train.Sgd;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@code introspect(true)} records agrees with an independent computation: activation
 * statistics and output-gradient norms with a double-precision forward and backward of the same
 * MLP, per-step ‖∂L/∂h_t‖ with finite differences through the hidden state, gate activations with a
 * scalar recomputation from the weights; recording allocates nothing per step and stops when off.
 */
class IntrospectionTest {
  @Model(maxBatch = 8)
  abstract static class Mlp {
    @Input(shape = 5) abstract Tensor x();
    @Dense(units = 6, activation = SIGMOID) abstract Tensor a(Tensor x);
    @Dense(units = 7, activation = RELU) abstract Tensor b(Tensor a);
    @Dense(units = 5, activation = TANH) abstract Tensor c(Tensor b);
    @Dense(units = 3) abstract Tensor logits(Tensor c);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor logits, @Labels IntTensor y);
  }

  @Model(maxBatch = 3)
  abstract static class RnnSeq {
    @Tokens(maxLength = 7) abstract IntTensor ids();
    @Embedding(vocab = 5, dim = 3) abstract Tensor emb(IntTensor ids);
    @Rnn(units = 4) abstract Tensor cell(Tensor emb);
    @Dense(units = 3) abstract Tensor out(Tensor cell);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor next);
  }

  @Model(maxBatch = 3)
  abstract static class LstmSeq {
    @Tokens(maxLength = 7) abstract IntTensor ids();
    @Embedding(vocab = 5, dim = 3) abstract Tensor emb(IntTensor ids);
    @Lstm(units = 4) abstract Tensor cell(Tensor emb);
    @Dense(units = 3) abstract Tensor out(Tensor cell);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor next);
  }

  @Model(maxBatch = 3)
  abstract static class GruSeq {
    @Tokens(maxLength = 7) abstract IntTensor ids();
    @Embedding(vocab = 5, dim = 3) abstract Tensor emb(IntTensor ids);
    @Gru(units = 4) abstract Tensor cell(Tensor emb);
    @Dense(units = 3) abstract Tensor out(Tensor cell);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor next);
  }

  private static final int BATCH = 8;

  private static float[] inputs(SplittableRandom rng, double scale) {
    float[] x = new float[BATCH * 5];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (scale * (rng.nextDouble() * 2 - 1));
    }
    return x;
  }

  @Test
  void mlpStatisticsAndOutputGradientsMatchADoublePrecisionPass() {
    SplittableRandom rng = new SplittableRandom(3);
    var model = KilnIntrospectionTest_Mlp.create(11);
    float[] x = inputs(rng, 6); // wide inputs: some sigmoid units saturate, some ReLUs die
    int[] y = rng.ints(BATCH, 0, 3).toArray();
    Introspection probes = model.introspect(true);
    float loss = model.computeGradients(x, y);

    MlpReference ref = new MlpReference(model.parameters(), x, y, BATCH);
    assertThat(loss).isWithin(1e-5f).of((float) ref.loss);
    String[] nodes = {"a", "b", "c", "logits"};
    for (int l = 0; l < nodes.length; l++) {
      NodeProbe p = probes.node(nodes[l]);
      double[] out = ref.outputs.get(l);
      assertWithMessage("mean of %s", nodes[l]).that(p.mean()).isWithin(1e-5).of(mean(out));
      assertWithMessage("std of %s", nodes[l]).that(p.std()).isWithin(1e-4).of(std(out));
      assertWithMessage("zeros of %s", nodes[l]).that(p.zeroFraction()).isEqualTo(fraction(out, v -> v == 0));
      assertWithMessage("‖∂L/∂%s‖", nodes[l]).that(p.outputGradientNorm()).isWithin(1e-5 + 1e-4 * norm(ref.gradients.get(l)))
          .of(norm(ref.gradients.get(l)));
    }
    assertThat(probes.node("a").saturatedFraction()).isEqualTo(fraction(ref.outputs.get(0), v -> v < 0.01 || v > 0.99));
    assertThat(probes.node("a").saturatedFraction()).isGreaterThan(0.0); // the check above compared something
    assertThat(probes.node("b").zeroFraction()).isGreaterThan(0.0);
    assertThat(probes.node("c").saturatedFraction()).isEqualTo(fraction(ref.outputs.get(2), v -> Math.abs(v) > 0.99));
    assertThat(probes.node("b").saturatedFraction()).isNaN(); // no rule for ReLU
  }

  @Test
  @Tag("allocation") // also run with stingy inlining: see the pom
  void offRecordsNothingAndOnAllocatesNothingPerStep() {
    SplittableRandom rng = new SplittableRandom(4);
    var model = KilnIntrospectionTest_Mlp.create(2);
    float[] x = inputs(rng, 1);
    int[] y = rng.ints(BATCH, 0, 3).toArray();
    Introspection probes = model.introspect(false);
    model.computeGradients(x, y);
    assertThat(probes.node("a").mean()).isNaN();
    assertThat(probes.node("logits").outputGradientNorm()).isNaN();

    assertThat(model.introspect(true)).isSameInstanceAs(probes);
    Sgd sgd = new Sgd(0.01f);
    model.trainStep(x, y, sgd);
    double recorded = probes.node("b").outputGradientNorm();
    assertThat(recorded).isGreaterThan(0.0);
    model.introspect(false);
    model.trainStep(x, y, sgd);
    assertThat(probes.node("b").outputGradientNorm()).isEqualTo(recorded); // off: the view keeps the last recorded step

    model.introspect(true);
    Allocations.assertNone("a train step with introspection on", () -> model.trainStep(x, y, sgd), 1000, 60);
  }

  enum Kind { RNN, LSTM, GRU }

  /** A model after one introspected {@code computeGradients}: its parameters, probes and loss. */
  private record Trained(List<Parameter> params, Introspection probes, float loss) {
    static <M extends io.kiln.runtime.TrainableModel & io.kiln.runtime.introspect.Introspectable> Trained of(M model,
        java.util.function.ToDoubleFunction<M> gradients) {
      Introspection probes = model.introspect(true);
      float loss = (float) gradients.applyAsDouble(model);
      return new Trained(model.parameters(), probes, loss);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void stepGradientNormsMatchFiniteDifferencesAndGatesMatchARecomputation(Kind kind) {
    SplittableRandom rng = new SplittableRandom(7 + kind.ordinal());
    int batch = 3;
    int steps = 6;
    int[] ids = rng.ints(batch * steps, 0, 5).toArray();
    int[] next = rng.ints(batch * steps, 0, 3).toArray();
    Trained run = switch (kind) {
      case RNN -> Trained.of(KilnIntrospectionTest_RnnSeq.create(5), m -> m.computeGradients(ids, steps, next));
      case LSTM -> Trained.of(KilnIntrospectionTest_LstmSeq.create(5), m -> m.computeGradients(ids, steps, next));
      case GRU -> Trained.of(KilnIntrospectionTest_GruSeq.create(5), m -> m.computeGradients(ids, steps, next));
    };
    List<Parameter> params = run.params();
    Introspection probes = run.probes();
    float loss = run.loss();
    RecurrentReference ref = new RecurrentReference(RecurrentReference.Cell.valueOf(kind.name()), params, 3, 4, 3);
    assertThat(loss).isWithin(1e-5f).of((float) ref.loss(ids, batch, steps, next, 0, 0, 0, 0));

    double[] expected = ref.stepGradientNorms(ids, batch, steps, next);
    double[] reported = probes.node("cell").stepGradientNorms();
    assertThat(reported.length).isEqualTo(steps);
    for (int t = 0; t < steps; t++) {
      assertWithMessage("%s ‖∂L/∂h_%s‖", kind, t).that(reported[t]).isWithin(1e-4 + 1e-3 * expected[t]).of(expected[t]);
    }

    ref.loss(ids, batch, steps, next, 0, 0, 0, 0);
    if (kind == Kind.RNN) {
      assertThat(probes.node("cell").gates()).isEmpty();
      return;
    }
    GateActivations gates = probes.gates("cell");
    int g = gates.names().size();
    assertThat(gates.batch()).isEqualTo(batch);
    assertThat(gates.steps()).isEqualTo(steps);
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < steps; t++) {
        for (int k = 0; k < g; k++) {
          for (int j = 0; j < 4; j++) {
            assertWithMessage("%s gate %s, sample %s, step %s, unit %s", kind, gates.names().get(k), b, t, j)
                .that((double) gates.get(k, b, t, j)).isWithin(1e-5).of(ref.gates[((b * steps + t) * g + k) * 4 + j]);
          }
        }
      }
    }
  }

  @Test
  void bidirectionalLayerRecordsItsOutputButNeitherDirectionsGatesNorStepGradients() {
    io.kiln.tests.models.KilnBiSeries model = io.kiln.tests.models.KilnBiSeries.create(5);
    Introspection probes = model.introspect(true);
    SplittableRandom rng = new SplittableRandom(3);
    float[] frames = floats(rng, 2 * 4 * 3);
    model.computeGradients(frames, 4, floats(rng, 2 * 4 * 2));
    NodeProbe lstm = probes.node("lstm");
    // Two directions' gates and ‖∂L/∂h_t‖ run in opposite step orders: the probe does not mix them.
    assertThat(lstm.isRecurrent()).isFalse();
    assertThat(lstm.gates()).isEmpty();
    assertThat(lstm.std()).isGreaterThan(0.0);
    assertThat(lstm.outputGradientNorm()).isGreaterThan(0.0);
  }

  private static float[] floats(SplittableRandom rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rng.nextDouble(-1, 1);
    }
    return a;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return s / v.length;
  }

  private static double std(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double d : v) {
      s += (d - m) * (d - m);
    }
    return Math.sqrt(s / v.length);
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d * d;
    }
    return Math.sqrt(s);
  }

  private static double fraction(double[] v, java.util.function.DoublePredicate p) {
    return (double) java.util.Arrays.stream(v).filter(p).count() / v.length;
  }
}
