package io.kiln.runtime.simd;

import io.kiln.dsl.Activation;

/**
 * Element-wise and row-wise kernels: activations, their backward, bias gradients and fused losses.
 * Every array argument is followed by its offset; rows are contiguous (row-major).
 *
 * <p>Conventions (as in llm.c): gradient outputs come first among the outputs and are
 * <em>accumulated</em> ({@code +=}) where the Javadoc says so, else overwritten.
 */
public interface ElementwiseKernels {

  /** {@code x[i] = f(x[i])} for {@code n} elements, in place. */
  void activate(Activation f, float[] x, int xOff, int n);

  /**
   * {@code dz[i] = dy[i] · f'(z[i])} where f' is expressed through the activation's output
   * {@code y = f(z)} (ReLU: y &gt; 0; sigmoid: y(1 − y); tanh: 1 − y²; NONE and STEP: 1, the
   * straight-through rule the perceptron criterion relies on). {@code dz} may alias {@code dy}.
   */
  void activationBackward(Activation f, float[] dz, int dzOff, float[] dy, int dyOff, float[] y, int yOff, int n);

  /** Bias gradient: {@code db[j] += Σ_i dz[i][j]} over a {@code rows × cols} matrix. */
  void addColumnSums(float[] db, int dbOff, float[] dz, int dzOff, int rows, int cols);

  /**
   * Bias gradient per row (a convolution's per filter): {@code db[i] += Σ_j dz[i][j]} over a
   * {@code rows × cols} matrix. Implementations may sum a row in any fixed order (the result
   * depends only on the operands and on the provider).
   */
  void addRowSums(float[] db, int dbOff, float[] dz, int dzOff, int rows, int cols);

  /**
   * Fused softmax + categorical cross-entropy (log-sum-exp) over {@code rows × classes} logits
   * and integer labels. Returns the mean loss over rows. When {@code dLogits} is not null, writes
   * {@code (softmax − onehot) / rows} into it (overwrites).
   */
  float softmaxCrossEntropy(float[] dLogits, int dOff, float[] logits, int lOff, int[] labels, int labelsOff, int rows, int classes);

  /**
   * Fused sigmoid + binary cross-entropy on {@code n} logits (PyTorch's
   * {@code binary_cross_entropy_with_logits}, numerically stable). Returns the mean over all n;
   * when {@code dLogits} is not null writes {@code (σ(z) − t) / n}.
   */
  float sigmoidBinaryCrossEntropy(float[] dLogits, int dOff, float[] logits, int lOff, float[] targets, int tOff, int n);

  /** Mean of {@code (y − t)²} over n; when {@code dY} is not null writes {@code 2(y − t) / n}. */
  float meanSquaredError(float[] dY, int dOff, float[] y, int yOff, float[] targets, int tOff, int n);

  /**
   * The perceptron criterion on step outputs {@code ŷ ∈ {0, 1}}: returns the fraction of the n
   * outputs that differ from the targets; when {@code dZ} is not null writes
   * {@code (ŷ − t) / rows}, so SGD at rate η applies {@code w += η(t − ŷ)x}.
   */
  float perceptron(float[] dZ, int dOff, float[] yHat, int yOff, float[] targets, int tOff, int n, int rows);

  /** Row-wise softmax of a {@code rows × cols} matrix into {@code out} (may alias x). */
  void softmax(float[] out, int outOff, float[] x, int xOff, int rows, int cols);
}
