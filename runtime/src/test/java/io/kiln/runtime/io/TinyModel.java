package io.kiln.runtime.io;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.LearningRateSchedule;
import io.kiln.runtime.train.Optimizer;
import io.kiln.runtime.train.Schedules;
import java.util.List;
import java.util.Map;

/**
 * A hand-written stand-in for a generated model: one linear layer {@code y = W·x + b} over a flat
 * parameter slab, least squares on a synthetic batch drawn each step from a data generator, input
 * dropout from a second generator, and a running-mean buffer, so a resume must restore
 * parameters, buffers, optimizer state and two random streams to be exact.
 */
final class TinyModel {
  static final String NAME = "Tiny";
  static final int IN = 4;
  static final int OUT = 3;
  static final int BATCH = 8;
  static final int COUNT = OUT * IN + OUT;
  static final float DROPOUT = 0.25f;

  final float[] params = new float[COUNT];
  final float[] grads = new float[COUNT];
  final float[] runningMean = new float[OUT];
  final List<Parameter> parameters = List.of(
      new Parameter("fc.weight", new int[] {OUT, IN}, params, grads, 0),
      new Parameter("fc.bias", new int[] {OUT}, params, grads, OUT * IN));
  final List<Parameter> buffers = List.of(new Parameter("fc.running_mean", new int[] {OUT}, runningMean, null, 0));
  final Rng data;
  final Rng dropout;
  long steps;

  private final float[] x = new float[BATCH * IN];
  private final float[] y = new float[BATCH * OUT];
  private final float[] err = new float[BATCH * OUT];

  TinyModel(long seed) {
    Rng init = new Rng(seed);
    for (int i = 0; i < OUT * IN; i++) {
      params[i] = (float) (init.nextGaussian() * 0.5);
    }
    data = new Rng(seed + 1);
    dropout = new Rng(seed + 2);
  }

  /** One step: draw a batch, forward, loss, backward, schedule, update. Returns the loss. */
  float trainStep(Optimizer opt, LearningRateSchedule schedule) {
    for (int b = 0; b < BATCH; b++) {
      for (int i = 0; i < IN; i++) {
        float v = data.nextFloat() * 2f - 1f;
        x[b * IN + i] = dropout.nextFloat() < DROPOUT ? 0f : v / (1f - DROPOUT);
      }
      for (int o = 0; o < OUT; o++) { // target: a fixed linear map plus noise
        float t = 0.5f * (o + 1) - 0.25f * o * o;
        for (int i = 0; i < IN; i++) {
          t += (float) (i - o) * 0.3f * x[b * IN + i];
        }
        y[b * OUT + o] = t + (data.nextFloat() - 0.5f) * 0.1f;
      }
    }
    float loss = 0f;
    java.util.Arrays.fill(grads, 0f);
    float scale = 2f / (BATCH * OUT);
    for (int o = 0; o < OUT; o++) {
      float mean = 0f;
      for (int b = 0; b < BATCH; b++) {
        float z = params[OUT * IN + o];
        for (int i = 0; i < IN; i++) {
          z += params[o * IN + i] * x[b * IN + i];
        }
        mean += z;
        float e = z - y[b * OUT + o];
        err[b * OUT + o] = e;
        loss += e * e;
      }
      runningMean[o] = 0.9f * runningMean[o] + 0.1f * (mean / BATCH);
    }
    for (int b = 0; b < BATCH; b++) {
      for (int o = 0; o < OUT; o++) {
        float d = scale * err[b * OUT + o];
        for (int i = 0; i < IN; i++) {
          grads[o * IN + i] += d * x[b * IN + i];
        }
        grads[OUT * IN + o] += d;
      }
    }
    Schedules.apply(opt, schedule, steps);
    opt.step(params, grads, COUNT);
    steps++;
    return loss / (BATCH * OUT);
  }

  void save(java.nio.file.Path file, Optimizer opt) throws java.io.IOException {
    Checkpoints.save(file, NAME, parameters, buffers, opt, steps,
        Map.of("rng.data", data.state(), "rng.dropout", dropout.state()));
  }

  void resume(java.nio.file.Path file, Optimizer opt) throws java.io.IOException {
    Checkpoints.Restored r = Checkpoints.load(file, NAME, parameters, buffers, opt);
    steps = r.step();
    data.setState(r.extras().get("rng.data"));
    dropout.setState(r.extras().get("rng.dropout"));
  }
}
