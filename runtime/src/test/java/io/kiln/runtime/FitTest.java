package io.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.dsl.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.kiln.runtime.train.Optimizer;
import io.kiln.runtime.train.Sgd;
import org.junit.jupiter.api.Test;

/**
 * The generic loop on a one-parameter model (y = w·x, mean squared error), whose steps are easy to
 * follow by hand; generated models go through it in the tests module.
 */
class FitTest {

  record X(float[] x) {}

  record B(float[] x, float[] y) implements LabeledBatch<X> {
    @Override
    public X input() {
      return new X(x);
    }

    @Override
    public int size() {
      return x.length;
    }
  }

  /** y = w·x with loss mean((w·x − y)²). */
  static final class Line implements SupervisedModel<X, B> {
    final float[] w = {0f};
    final float[] g = {0f};
    long steps;
    final List<Integer> sizes = new ArrayList<>();

    @Override public String modelName() { return "Line"; }
    @Override public Tensor forward(X in) { throw new UnsupportedOperationException(); }
    @Override public float[] predict(X in) { throw new UnsupportedOperationException(); }
    @Override public void exportOnnx(java.nio.file.Path file) { throw new UnsupportedOperationException(); }

    @Override
    public float loss(B b) {
      double sum = 0;
      for (int i = 0; i < b.x.length; i++) {
        double e = w[0] * b.x[i] - b.y[i];
        sum += e * e;
      }
      return (float) (sum / b.x.length);
    }

    @Override
    public float computeGradients(B b) {
      double grad = 0;
      for (int i = 0; i < b.x.length; i++) {
        grad += 2 * (w[0] * b.x[i] - b.y[i]) * b.x[i] / b.x.length;
      }
      g[0] = (float) grad;
      return loss(b);
    }

    @Override
    public float trainStep(B b, Optimizer optimizer) {
      sizes.add(b.size());
      float loss = computeGradients(b);
      applyGradients(optimizer);
      return loss;
    }

    @Override
    public void applyGradients(Optimizer optimizer) {
      optimizer.step(w, g, 1);
      steps++;
    }

    @Override public float[] parameterSlab() { return w; }
    @Override public float[] gradientSlab() { return g; }
    @Override public List<Parameter> parameters() { return List.of(); }
    @Override public List<Parameter> buffers() { return List.of(); }
    @Override public long steps() { return steps; }
    @Override public void setSteps(long s) { steps = s; }
    @Override public void saveCheckpoint(Path file, Optimizer optimizer) {}
    @Override public void loadCheckpoint(Path file, Optimizer optimizer) {}
    @Override public void save(Path file) {}
  }

  private static final List<B> DATA = List.of(
      new B(new float[] {1, 2}, new float[] {3, 6}),
      new B(new float[] {-1, 0.5f, 2}, new float[] {-3, 1.5f, 6}));

  @Test
  void fitRunsEveryBatchOfEveryEpochAndWeighsTheMeanBySize() {
    Line line = new Line();
    List<Fit.Epoch> history = Fit.fit(line, DATA, new Sgd(0.05f), 30);
    assertThat(history).hasSize(30);
    assertThat(line.steps).isEqualTo(60);
    assertThat(line.sizes.subList(0, 4)).containsExactly(2, 3, 2, 3).inOrder();
    assertThat(line.w[0]).isWithin(1e-3f).of(3f);
    assertThat(history.get(0).examples()).isEqualTo(5);
    assertThat(history.get(29).meanLoss()).isLessThan(1e-5);

    List<Float> losses = new ArrayList<>();
    Fit.Epoch first = Fit.epoch(new Line(), DATA, new Sgd(0.05f), (b, loss) -> losses.add(loss));
    assertThat(first.meanLoss()).isWithin(1e-6).of((losses.get(0) * 2.0 + losses.get(1) * 3.0) / 5.0);
    Line untrained = new Line();
    assertThat(Fit.evaluate(untrained, DATA)).isWithin(1e-6).of((untrained.loss(DATA.get(0)) * 2.0 + untrained.loss(DATA.get(1)) * 3.0) / 5.0);
    assertThat(untrained.steps).isEqualTo(0);
  }

  @Test
  void theListenerSeesEveryBatchWithItsLoss() {
    List<Float> seen = new ArrayList<>();
    Fit.epoch(new Line(), DATA, new Sgd(0.01f), (b, loss) -> seen.add(loss));
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).isWithin(1e-6f).of(22.5f); // (9 + 36) / 2 at w = 0
  }

  @Test
  void badArgumentsAreRejectedAndNoBatchesMeansNaN() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fit.fit(new Line(), DATA, new Sgd(0.1f), 0));
    assertThat(e).hasMessageThat().isEqualTo("fit: epochs must be ≥ 1, got 0");
    assertThat(Fit.epoch(new Line(), List.of(), new Sgd(0.1f), (b, loss) -> {}).meanLoss()).isNaN();
    assertThat(Fit.evaluate(new Line(), List.of())).isNaN();
  }
}
