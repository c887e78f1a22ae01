package io.kiln.runtime.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum, L2 weight decay and
 * clipping by global norm, following {@code torch.optim.SGD} (dampening 0), preceded by
 * {@code torch.nn.utils.clip_grad_norm_} when clipping:
 *
 * <pre>
 *   s = clipping ? min(1, τ / ‖grad‖₂) : 1      (‖·‖ over the whole slab, in double)
 *   g = s · grad + weightDecay · p
 *   b = momentum · b + g          (b starts at 0, so the first b is g, as in PyTorch)
 *   g = nesterov ? g + momentum · b : b
 *   p = p − lr · g
 * </pre>
 *
 * Without momentum, decay or clipping a step is exactly {@code p -= lr · g}, the rule of the
 * perceptron and of the textbook. Weight decay λ adds {@code λ·p} to the gradient, which is the
 * gradient of the penalty {@code (λ/2)·ΣW²} (PyTorch's {@code weight_decay}); the penalty
 * {@code λ·ΣW²} of some textbooks is weight decay {@code 2λ}.
 */
public final class Sgd implements Optimizer, Stateful {
  /** The buffer name in {@link #state()}, as PyTorch names it. */
  public static final String MOMENTUM_BUFFER = "momentum_buffer";

  private float lr;
  private final float momentum;
  private final boolean nesterov;
  private final float weightDecay;
  private final float clipNorm; // 0: no clipping
  private float[] velocity; // allocated on the first step when momentum > 0
  private long steps;
  private double lastNorm = Double.NaN;

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
    this.clipNorm = b.clipNorm;
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
    private float clipNorm;

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

    /**
     * L2 penalty coefficient λ added to the gradient as {@code λ·p}, i.e. the gradient of
     * {@code (λ/2)·ΣW²}, as PyTorch's {@code weight_decay} (default 0).
     */
    public Builder weightDecay(float weightDecay) {
      this.weightDecay = OptimizerArgs.nonNegative("SGD", "weight decay", weightDecay);
      return this;
    }

    /**
     * Clips by global norm: each step scales the whole gradient by {@code min(1, τ/‖g‖₂)} before
     * decay and momentum, like {@code torch.nn.utils.clip_grad_norm_(params, τ)} before
     * {@code optimizer.step()} (but with {@code τ/‖g‖} exactly, without PyTorch's {@code + 1e-6}).
     * The gradients themselves are left unchanged. A NaN or infinite norm makes the step throw an
     * {@link ArithmeticException} before any parameter changes.
     *
     * @throws IllegalArgumentException unless {@code tau} is positive and finite
     */
    public Builder clipGlobalNorm(float tau) {
      this.clipNorm = OptimizerArgs.clipNorm("SGD", tau);
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
    if (momentum != 0f && velocity != null) {
      OptimizerArgs.sameCount("SGD", velocity.length, count);
    }
    float s = 1f; // multiplying by 1f is exact: without clipping the update is bitwise the plain one
    if (clipNorm != 0f) {
      lastNorm = GradientClipping.globalNorm(grads, count);
      s = GradientClipping.factor("SGD", lastNorm, clipNorm);
    }
    steps++;
    float lr = this.lr;
    float wd = weightDecay;
    if (momentum == 0f) {
      for (int i = 0; i < count; i++) {
        float g = wd == 0f ? grads[i] * s : grads[i] * s + wd * params[i];
        params[i] -= lr * g;
      }
      return;
    }
    if (velocity == null) {
      velocity = new float[count];
    }
    float[] v = velocity;
    float m = momentum;
    for (int i = 0; i < count; i++) {
      float g = wd == 0f ? grads[i] * s : grads[i] * s + wd * params[i];
      float b = m * v[i] + g;
      v[i] = b;
      params[i] -= lr * (nesterov ? g + m * b : b);
    }
  }

  @Override
  public double lastGradientNorm() {
    return lastNorm;
  }

  @Override
  public float learningRate() {
    return lr;
  }

  @Override
  public void setLearningRate(float lr) {
    this.lr = OptimizerArgs.scheduledRate("SGD", lr);
  }

  /** {@code "SGD"}. */
  @Override
  public String kind() {
    return "SGD";
  }

  /** {@code lr}, {@code momentum}, {@code nesterov}, {@code weight_decay}, {@code clip_global_norm} (0: off). */
  @Override
  public Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("lr", Float.toString(lr));
    m.put("momentum", Float.toString(momentum));
    m.put("nesterov", Boolean.toString(nesterov));
    m.put("weight_decay", Float.toString(weightDecay));
    m.put("clip_global_norm", Float.toString(clipNorm));
    return m;
  }

  /** The step count, the learning rate and, with momentum after the first step, {@value #MOMENTUM_BUFFER}. */
  @Override
  public OptimizerState state() {
    Map<String, float[]> buffers = velocity == null ? Map.of() : Map.of(MOMENTUM_BUFFER, velocity);
    return new OptimizerState(kind(), steps, lr, buffers);
  }

  @Override
  public void restore(OptimizerState state) {
    List<String> expected = momentum == 0f ? List.of() : List.of(MOMENTUM_BUFFER);
    float[][] buffers = OptimizerArgs.restoredBuffers(kind(), state, expected);
    lr = state.learningRate();
    steps = state.steps();
    velocity = buffers == null || buffers.length == 0 ? null : buffers[0];
  }

  @Override
  public String toString() {
    return "SGD(lr=" + lr + ", momentum=" + momentum + (nesterov ? ", nesterov" : "")
        + ", weightDecay=" + weightDecay + (clipNorm != 0f ? ", clipGlobalNorm=" + clipNorm : "") + ")";
  }
}
