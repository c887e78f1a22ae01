package io.kiln.samples.gradients;

import io.kiln.runtime.TrainableModel;
import io.kiln.runtime.introspect.Introspectable;
import io.kiln.runtime.introspect.Introspection;
import io.kiln.runtime.train.Optimizer;

/**
 * One generated model seen through the three calls the experiments make, so one loop trains every
 * variant: {@code X} is its input ({@code float[]} images, or {@code int[]} symbols with the steps
 * bound in the lambdas).
 */
record Net<X>(String name, TrainableModel model, Introspectable introspectable, Step<X> step, Gradients<X> gradients,
    Classify<X> classify) {

  interface Step<X> {
    float run(X input, int[] labels, Optimizer optimizer);
  }

  interface Gradients<X> {
    float run(X input, int[] labels);
  }

  interface Classify<X> {
    int[] run(X input);
  }

  Introspection introspect() {
    return introspectable.introspect(true);
  }

  /** The gradient norm of parameter {@code name}, left by the last step. */
  double gradientNorm(String parameter) {
    return model.parameters().stream().filter(p -> p.name().equals(parameter)).findFirst().orElseThrow().gradientNorm();
  }

  /** Overwrites every {@code .weight} parameter whose name passes {@code which} with N(0, std²) draws. */
  void gaussianWeights(java.util.function.Predicate<String> which, double std, io.kiln.runtime.init.Rng rng) {
    for (var p : model.parameters()) {
      if (which.test(p.name())) {
        float[] w = new float[p.size()];
        for (int i = 0; i < w.length; i++) {
          w[i] = (float) (std * rng.nextGaussian());
        }
        p.copyFrom(w);
      }
    }
  }

  /** The fraction of {@code labels} that {@code predicted} matches. */
  static double accuracy(int[] predicted, int[] labels, int n) {
    int right = 0;
    for (int i = 0; i < n; i++) {
      if (predicted[i] == labels[i]) {
        right++;
      }
    }
    return (double) right / n;
  }
}
