package io.kiln.runtime.train;

/**
 * Adam (Kingma &amp; Ba) with PyTorch defaults: β = (0.9, 0.999), ε = 1e-8, bias correction, and
 * optional L2 weight decay added to the gradient (default 0). For decay that does not interact
 * with the adaptive scaling, use {@link AdamW}.
 */
public final class Adam extends AdamFamily {
  /** PyTorch's default β1. */
  public static final float DEFAULT_BETA1 = BETA1;
  /** PyTorch's default β2. */
  public static final float DEFAULT_BETA2 = BETA2;
  /** PyTorch's default ε. */
  public static final float DEFAULT_EPS = EPS;
  /** The default weight decay λ. */
  public static final float DEFAULT_WEIGHT_DECAY = 0f;

  /**
   * Adam with learning rate {@code lr} and every other setting at its default.
   *
   * @throws IllegalArgumentException unless {@code lr} is positive and finite
   */
  public Adam(float lr) {
    this(builder(lr));
  }

  private Adam(Builder b) {
    super("Adam", b, false);
  }

  /** Starts configuring Adam with learning rate {@code lr}. */
  public static Builder builder(float lr) {
    return new Builder(lr);
  }

  /** Configures {@link Adam}; arguments are validated by {@link #build()}. */
  public static final class Builder extends AdamFamily.Settings<Builder> {
    private Builder(float lr) {
      super("Adam", lr, DEFAULT_WEIGHT_DECAY);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * The L2 weight decay λ (≥ 0), added to the gradient as {@code λ·p} before the moments (the
     * gradient of {@code (λ/2)·ΣW²}, PyTorch's {@code Adam(weight_decay=λ)}).
     */
    public Builder weightDecay(float weightDecay) {
      return decay(weightDecay);
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
}
