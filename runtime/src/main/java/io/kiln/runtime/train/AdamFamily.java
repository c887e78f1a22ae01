package io.kiln.runtime.train;

import java.util.Map;

/**
 * What {@link Adam} and {@link AdamW} share: the update itself ({@link AdamUpdate}), its settings
 * and state, and a builder; they differ only in how weight decay enters the step.
 */
abstract sealed class AdamFamily implements Optimizer, Stateful permits Adam, AdamW {
  /** PyTorch's default β1. */
  static final float BETA1 = 0.9f;
  /** PyTorch's default β2. */
  static final float BETA2 = 0.999f;
  /** PyTorch's default ε. */
  static final float EPS = 1e-8f;

  private final String kind;
  final AdamUpdate update;

  AdamFamily(String kind, Settings<?> b, boolean decoupled) {
    this.kind = kind;
    this.update = new AdamUpdate(kind, b.lr, b.beta1, b.beta2, b.eps, b.weightDecay, decoupled, b.clipNorm);
  }

  /** The settings both builders take; {@code B} is the concrete builder, so calls chain. */
  abstract static class Settings<B extends Settings<B>> {
    private final String kind;
    private final float lr;
    private float beta1 = BETA1;
    private float beta2 = BETA2;
    private float eps = EPS;
    private float weightDecay;
    private float clipNorm;

    Settings(String kind, float lr, float weightDecay) {
      this.kind = kind;
      this.lr = OptimizerArgs.learningRate(kind, lr);
      this.weightDecay = weightDecay;
    }

    abstract B self();

    /** The moment decay rates, each in [0, 1). */
    public B betas(float beta1, float beta2) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      return self();
    }

    /** The term added to the denominator for numerical stability (≥ 0). */
    public B eps(float eps) {
      this.eps = eps;
      return self();
    }

    B decay(float weightDecay) {
      this.weightDecay = weightDecay;
      return self();
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
    public B clipGlobalNorm(float tau) {
      this.clipNorm = OptimizerArgs.clipNorm(kind, tau);
      return self();
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
    update.lr = OptimizerArgs.scheduledRate(kind, lr);
  }

  @Override
  public double lastGradientNorm() {
    return update.lastNorm;
  }

  /** {@code "Adam"} or {@code "AdamW"}. */
  @Override
  public String kind() {
    return kind;
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
    return kind + "(lr=" + update.lr + ", betas=(" + update.beta1 + ", " + update.beta2 + "), eps="
        + update.eps + ", weightDecay=" + update.weightDecay + update.clipSuffix() + ")";
  }
}
