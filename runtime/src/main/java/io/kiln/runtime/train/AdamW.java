package io.kiln.runtime.train;

/**
 * AdamW (Loshchilov &amp; Hutter) with PyTorch defaults: β = (0.9, 0.999), ε = 1e-8, bias correction
 * and decoupled weight decay 0.01: each step first shrinks the weights by {@code 1 − lr·λ}, then
 * applies the Adam update to the plain gradient.
 */
public final class AdamW extends AdamFamily {
  /** PyTorch's default β1. */
  public static final float DEFAULT_BETA1 = BETA1;
  /** PyTorch's default β2. */
  public static final float DEFAULT_BETA2 = BETA2;
  /** PyTorch's default ε. */
  public static final float DEFAULT_EPS = EPS;
  /** The default weight decay λ. */
  public static final float DEFAULT_WEIGHT_DECAY = 0.01f;

  /**
   * AdamW with learning rate {@code lr} and every other setting at its default.
   *
   * @throws IllegalArgumentException unless {@code lr} is positive and finite
   */
  public AdamW(float lr) {
    this(builder(lr));
  }

  private AdamW(Builder b) {
    super("AdamW", b, true);
  }

  /** Starts configuring AdamW with learning rate {@code lr}. */
  public static Builder builder(float lr) {
    return new Builder(lr);
  }

  /** Configures {@link AdamW}; arguments are validated by {@link #build()}. */
  public static final class Builder extends AdamFamily.Settings<Builder> {
    private Builder(float lr) {
      super("AdamW", lr, DEFAULT_WEIGHT_DECAY);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * The decoupled weight decay λ (≥ 0): each step first multiplies the weights by
     * {@code 1 − lr·λ}, as PyTorch's {@code AdamW(weight_decay=λ)}.
     */
    public Builder weightDecay(float weightDecay) {
      return decay(weightDecay);
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
}
