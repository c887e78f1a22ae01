package io.kiln.runtime.train;

/**
 * AdamW (Loshchilov &amp; Hutter) with PyTorch defaults: β = (0.9, 0.999), ε = 1e-8, bias correction
 * and decoupled weight decay 0.01: each step first shrinks the weights by {@code 1 − lr·λ}, then
 * applies the Adam update to the plain gradient.
 */
public final class AdamW implements Optimizer {
  /** PyTorch's default β1. */
  public static final float DEFAULT_BETA1 = 0.9f;
  /** PyTorch's default β2. */
  public static final float DEFAULT_BETA2 = 0.999f;
  /** PyTorch's default ε. */
  public static final float DEFAULT_EPS = 1e-8f;
  /** The default weight decay λ. */
  public static final float DEFAULT_WEIGHT_DECAY = 0.01f;

  private final AdamUpdate update;

  /**
   * AdamW with learning rate {@code lr} and every other setting at its default.
   *
   * @throws IllegalArgumentException unless {@code lr} is positive and finite
   */
  public AdamW(float lr) {
    this(builder(lr));
  }

  private AdamW(Builder b) {
    this.update = new AdamUpdate("AdamW", b.lr, b.beta1, b.beta2, b.eps, b.weightDecay, true);
  }

  /** Starts configuring AdamW with learning rate {@code lr}. */
  public static Builder builder(float lr) {
    return new Builder(lr);
  }

  /** Configures {@link AdamW}; arguments are validated by {@link #build()}. */
  public static final class Builder {
    private final float lr;
    private float beta1 = DEFAULT_BETA1;
    private float beta2 = DEFAULT_BETA2;
    private float eps = DEFAULT_EPS;
    private float weightDecay = DEFAULT_WEIGHT_DECAY;

    private Builder(float lr) {
      this.lr = OptimizerArgs.learningRate("AdamW", lr);
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
    public AdamW build() {
      return new AdamW(this);
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
    update.lr = OptimizerArgs.learningRate("AdamW", lr);
  }

  @Override
  public String toString() {
    return "AdamW(lr=" + update.lr + ", betas=(" + update.beta1 + ", " + update.beta2 + "), eps="
        + update.eps + ", weightDecay=" + update.weightDecay + ")";
  }
}
