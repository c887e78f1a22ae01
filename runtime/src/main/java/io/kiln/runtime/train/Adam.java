package io.kiln.runtime.train;

/**
 * Adam (Kingma &amp; Ba) with PyTorch defaults: β = (0.9, 0.999), ε = 1e-8, bias correction, and
 * optional L2 weight decay added to the gradient (default 0). For decay that does not interact
 * with the adaptive scaling, use {@link AdamW}.
 */
public final class Adam implements Optimizer {
  /** PyTorch's default β1. */
  public static final float DEFAULT_BETA1 = 0.9f;
  /** PyTorch's default β2. */
  public static final float DEFAULT_BETA2 = 0.999f;
  /** PyTorch's default ε. */
  public static final float DEFAULT_EPS = 1e-8f;
  /** The default weight decay λ. */
  public static final float DEFAULT_WEIGHT_DECAY = 0f;

  private final AdamUpdate update;

  /**
   * Adam with learning rate {@code lr} and every other setting at its default.
   *
   * @throws IllegalArgumentException unless {@code lr} is positive and finite
   */
  public Adam(float lr) {
    this(builder(lr));
  }

  private Adam(Builder b) {
    this.update = new AdamUpdate("Adam", b.lr, b.beta1, b.beta2, b.eps, b.weightDecay, false);
  }

  /** Starts configuring Adam with learning rate {@code lr}. */
  public static Builder builder(float lr) {
    return new Builder(lr);
  }

  /** Configures {@link Adam}; arguments are validated by {@link #build()}. */
  public static final class Builder {
    private final float lr;
    private float beta1 = DEFAULT_BETA1;
    private float beta2 = DEFAULT_BETA2;
    private float eps = DEFAULT_EPS;
    private float weightDecay = DEFAULT_WEIGHT_DECAY;

    private Builder(float lr) {
      this.lr = OptimizerArgs.learningRate("Adam", lr);
    }

    /** The moment decay rates, each in [0, 1). */
    public Builder betas(float beta1, float beta2) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      return this;
    }

    /** The term added to the denominator for numerical stability (≥ 0). */
    public Builder eps(float eps) {
      this.eps = eps;
      return this;
    }

    /** The weight decay λ (≥ 0). */
    public Builder weightDecay(float weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /**
     * Builds the optimizer.
     *
     * @throws IllegalArgumentException if a setting is out of range
     */
    public Adam build() {
      return new Adam(this);
    }
  }

  @Override
  public void step(float[] params, float[] grads, int count) {
    update.step(params, grads, count);
  }

  @Override
  public float learningRate() {
    return update.lr;
  }

  @Override
  public void setLearningRate(float lr) {
    update.lr = OptimizerArgs.learningRate("Adam", lr);
  }

  @Override
  public String toString() {
    return "Adam(lr=" + update.lr + ", betas=(" + update.beta1 + ", " + update.beta2 + "), eps="
        + update.eps + ", weightDecay=" + update.weightDecay + ")";
  }
}
