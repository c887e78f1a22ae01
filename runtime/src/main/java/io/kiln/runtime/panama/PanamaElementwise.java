package io.kiln.runtime.panama;

import io.kiln.runtime.simd.ElementwiseKernels;
import io.kiln.runtime.simd.ScalarElementwise;
import io.kiln.dsl.Activation;

/** Vector API element-wise kernels (temporarily delegating to the scalar twins). */
public final class PanamaElementwise implements ElementwiseKernels {
  private final ScalarElementwise scalar = new ScalarElementwise();

  /** Creates the kernels. */
  public PanamaElementwise() {}

  @Override public void activate(Activation f, float[] x, int xOff, int n) { scalar.activate(f, x, xOff, n); }
  @Override public void activationBackward(Activation f, float[] dz, int dzOff, float[] dy, int dyOff, float[] y, int yOff, int n) { scalar.activationBackward(f, dz, dzOff, dy, dyOff, y, yOff, n); }
  @Override public void addColumnSums(float[] db, int dbOff, float[] dz, int dzOff, int rows, int cols) { scalar.addColumnSums(db, dbOff, dz, dzOff, rows, cols); }
  @Override public float softmaxCrossEntropy(float[] dLogits, int dOff, float[] logits, int lOff, int[] labels, int labelsOff, int rows, int classes) { return scalar.softmaxCrossEntropy(dLogits, dOff, logits, lOff, labels, labelsOff, rows, classes); }
  @Override public float sigmoidBinaryCrossEntropy(float[] dLogits, int dOff, float[] logits, int lOff, float[] targets, int tOff, int n) { return scalar.sigmoidBinaryCrossEntropy(dLogits, dOff, logits, lOff, targets, tOff, n); }
  @Override public float meanSquaredError(float[] dY, int dOff, float[] y, int yOff, float[] targets, int tOff, int n) { return scalar.meanSquaredError(dY, dOff, y, yOff, targets, tOff, n); }
  @Override public float perceptron(float[] dZ, int dOff, float[] yHat, int yOff, float[] targets, int tOff, int n, int rows) { return scalar.perceptron(dZ, dOff, yHat, yOff, targets, tOff, n, rows); }
  @Override public void softmax(float[] out, int outOff, float[] x, int xOff, int rows, int cols) { scalar.softmax(out, outOff, x, xOff, rows, cols); }
}
