package io.kiln.runtime.train;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
 * following {@code torch.optim.SGD} (dampening 0):
 *
 * <pre>
 *   g = grad + weightDecay · p
 *   b = momentum · b + g          (b starts at 0, so the first b is g, as in PyTorch)
 *   g = nesterov ? g + momentum · b : b
 *   p = p − lr · g
 * </pre>
 *
 * Without momentum or decay a step is exactly {@code p -= lr · g}, the rule of the perceptron and
 * of the textbook.
 */
public final class Sgd implements Optimizer {
  private float lr;
  private final float momentum;
  private final boolean nesterov;
  private final float weightDecay;
  private float[] velocity; // allocated on the first step when momentum > 0

  /**
   * Plain SGD: {@code p -= lr · g}.
   *
   * @throws IllegalArgumentException unless {@code lr} is positive and finite
   */
  public Sgd(float lr) {
    this(builder(lr));
  }

  private Sgd(Builder b) {
    this.lr = b.lr;
    this.momentum = b.momentum;
    this.nesterov = b.nesterov;
    this.weightDecay = b.weightDecay;
    if (nesterov && momentum == 0f) {
      throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0");
    }
  }

  /** Starts configuring SGD with learning rate {@code lr}. */
  public static Builder builder(float lr) {
    return new Builder(lr);
  }

  /** Configures {@link Sgd}; every setter validates its argument at once. */
  public static final class Builder {
    private final float lr;
    private float momentum;
    private boolean nesterov;
    private float weightDecay;

    private Builder(float lr) {
      this.lr = OptimizerArgs.learningRate("SGD", lr);
    }

    /** Momentum factor in [0, 1); 0 (the default) disables it. */
    public Builder momentum(float momentum) {
      this.momentum = OptimizerArgs.unitInterval("SGD", "momentum", momentum);
      return this;
    }

    /** Use Nesterov momentum (needs momentum &gt; 0). */
    public Builder nesterov(boolean nesterov) {
      this.nesterov = nesterov;
      return this;
    }

    /** L2 penalty coefficient λ added to the gradient as {@code λ·p} (default 0). */
    public Builder weightDecay(float weightDecay) {
      this.weightDecay = OptimizerArgs.nonNegative("SGD", "weight decay", weightDecay);
      return this;
    }

    /**
     * Builds the optimizer.
     *
     * @throws IllegalArgumentException if Nesterov is requested without momentum
     */
    public Sgd build() {
      return new Sgd(this);
    }
  }

  @Override
  public void step(float[] params, float[] grads, int count) {
    OptimizerArgs.arrays("SGD", params, grads, count);
    float lr = this.lr;
    float wd = weightDecay;
    if (momentum == 0f) {
      for (int i = 0; i < count; i++) {
        float g = wd == 0f ? grads[i] : grads[i] + wd * params[i];
        params[i] -= lr * g;
      }
      return;
    }
    if (velocity == null) {
      velocity = new float[count];
    }
    OptimizerArgs.sameCount("SGD", velocity.length, count);
    float[] v = velocity;
    float m = momentum;
    for (int i = 0; i < count; i++) {
      float g = wd == 0f ? grads[i] : grads[i] + wd * params[i];
      float b = m * v[i] + g;
      v[i] = b;
      params[i] -= lr * (nesterov ? g + m * b : b);
    }
  }

  @Override
  public float learningRate() {
    return lr;
  }

  @Override
  public void setLearningRate(float lr) {
    this.lr = OptimizerArgs.learningRate("SGD", lr);
  }

  @Override
  public String toString() {
    return "SGD(lr=" + lr + ", momentum=" + momentum + (nesterov ? ", nesterov" : "")
        + ", weightDecay=" + weightDecay + ")";
  }
}
