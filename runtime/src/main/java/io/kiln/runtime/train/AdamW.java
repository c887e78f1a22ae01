package io.kiln.runtime.train;

import java.util.Map;

/**
 * AdamW (Loshchilov &amp; Hutter) with PyTorch defaults: β = (0.9, 0.999), ε = 1e-8, bias correction
 * and decoupled weight decay 0.01: each step first shrinks the weights by {@code 1 − lr·λ}, then
 * applies the Adam update to the plain gradient.
 */
public final class AdamW implements Optimizer, Stateful {
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
    this.update = new AdamUpdate("AdamW", b.lr, b.beta1, b.beta2, b.eps, b.weightDecay, true,
        b.clipNorm);
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
    private float clipNorm;

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

    /**
     * The decoupled weight decay λ (≥ 0): each step first multiplies the weights by
     * {@code 1 − lr·λ}, as PyTorch's {@code AdamW(weight_decay=λ)}.
     */
    public Builder weightDecay(float weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /**
     * Clips by global norm: each step scales the whole gradient by {@code min(1, τ/‖g‖₂)} first,
     * like {@code torch.nn.utils.clip_grad_norm_(params, τ)} before {@code optimizer.step()} (but
     * with {@code τ/‖g‖} exactly, without PyTorch's {@code + 1e-6}). The gradients themselves are
     * left unchanged. A NaN or infinite norm makes the step throw an {@link ArithmeticException}
     * before any parameter changes.
     *
     * @throws IllegalArgumentException unless {@code tau} is positive and finite
     */
    public Builder clipGlobalNorm(float tau) {
      this.clipNorm = OptimizerArgs.clipNorm("AdamW", tau);
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
    update.lr = OptimizerArgs.scheduledRate("AdamW", lr);
  }

  @Override
  public double lastGradientNorm() {
    return update.lastNorm;
  }

  /** {@code "AdamW"}. */
  @Override
  public String kind() {
    return "AdamW";
  }

  /** {@code lr}, {@code betas}, {@code eps}, {@code weight_decay}, {@code clip_global_norm} (0: off). */
  @Override
  public Map<String, String> settings() {
    return update.settings();
  }

  /** The step count t, the learning rate and, after the first step, {@code exp_avg} and {@code exp_avg_sq}. */
  @Override
  public OptimizerState state() {
    return update.state();
  }

  @Override
  public void restore(OptimizerState state) {
    update.restore(state);
  }

  @Override
  public String toString() {
    return "AdamW(lr=" + update.lr + ", betas=(" + update.beta1 + ", " + update.beta2 + "), eps="
        + update.eps + ", weightDecay=" + update.weightDecay + update.clipSuffix() + ")";
  }
}
