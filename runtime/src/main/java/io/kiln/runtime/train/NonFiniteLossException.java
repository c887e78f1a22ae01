package io.kiln.runtime.train;

import java.util.Objects;
import java.util.Optional;

/**
 * Training produced a NaN or infinite loss. Continuing would only spread NaN through every weight,
 * so a generated model stops at the step where it happened and says how to recover. When the model
 * located it, the exception also names the node where the first non-finite value appeared, with
 * its shape and the pass (forward or backward):
 *
 * <pre>
 * LeNet: the loss became NaN at training step 17; the first non-finite value appeared in node 'c2'
 * [B, 16, 10, 10] (forward); lower the learning rate, clip gradients or check the inputs
 * </pre>
 */
public final class NonFiniteLossException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private static final String ADVICE = "lower the learning rate, clip gradients or check the inputs";

  /** The pass in which a non-finite value was found. */
  public enum Phase {
    /** Computing the nodes' values, input to loss. */
    FORWARD,
    /** Computing gradients, loss to inputs. */
    BACKWARD;

    /** {@code "forward"} or {@code "backward"}. */
    @Override
    public String toString() {
      return this == FORWARD ? "forward" : "backward";
    }
  }

  private final String model;
  private final float loss;
  private final long step;
  private final String node;
  private final String nodeShape;
  private final Phase phase;

  /**
   * @param model the model's name
   * @param loss the non-finite loss
   * @param step the training step (counted from 1, or as the model counts) that produced it
   */
  public NonFiniteLossException(String model, float loss, long step) {
    super(model + ": loss became " + loss + " at training step " + step + "; " + ADVICE);
    this.model = model;
    this.loss = loss;
    this.step = step;
    this.node = null;
    this.nodeShape = null;
    this.phase = null;
  }

  /**
   * The loss and where its first non-finite value appeared.
   *
   * @param model the model's name, e.g. {@code "LeNet"}
   * @param loss the non-finite loss
   * @param step the training step that produced it
   * @param node the declared node holding the first non-finite value, e.g. {@code "c2"}
   * @param nodeShape the node's shape as it should read, e.g. {@code "[B, 16, 10, 10]"}
   * @param phase the pass that computed it
   */
  public NonFiniteLossException(String model, float loss, long step, String node, String nodeShape, Phase phase) {
    super(model + (Float.isFinite(loss)
            ? ": a gradient became non-finite at training step " + step + " (the loss was " + loss + ")"
            : ": the loss became " + loss + " at training step " + step)
        + "; the first non-finite value appeared in node '" + Objects.requireNonNull(node, "node") + "' "
        + Objects.requireNonNull(nodeShape, "nodeShape") + " (" + Objects.requireNonNull(phase, "phase") + "); "
        + ADVICE);
    this.model = model;
    this.loss = loss;
    this.step = step;
    this.node = node;
    this.nodeShape = nodeShape;
    this.phase = phase;
  }

  /**
   * A non-finite gradient found by {@code applyGradients}, which does not see the loss: {@link #loss()}
   * is NaN.
   *
   * @param model the model's name
   * @param step the training step that would have been committed
   * @param node the declared node owning the first parameter whose gradient is non-finite
   * @param gradient that gradient as it should read, e.g. {@code "gradient of c2.weight [16, 6, 5, 5]"}
   */
  public static NonFiniteLossException inGradient(String model, long step, String node, String gradient) {
    return new NonFiniteLossException(model, step, node, gradient);
  }

  private NonFiniteLossException(String model, long step, String node, String gradient) {
    super(model + ": a gradient became non-finite at training step " + step + "; the first non-finite value appeared in node '"
        + Objects.requireNonNull(node, "node") + "' " + Objects.requireNonNull(gradient, "gradient") + " (backward); " + ADVICE);
    this.model = model;
    this.loss = Float.NaN;
    this.step = step;
    this.node = node;
    this.nodeShape = gradient;
    this.phase = Phase.BACKWARD;
  }

  /** The model's name. */
  public String model() {
    return model;
  }

  /** The loss value (NaN or ±infinity); NaN also when {@code applyGradients} found the failure without a loss. */
  public float loss() {
    return loss;
  }

  /** The training step that produced it. */
  public long step() {
    return step;
  }

  /** The node where the first non-finite value appeared, if the model located it. */
  public Optional<String> node() {
    return Optional.ofNullable(node);
  }

  /** That node's shape as written in the message, e.g. {@code "[B, 16, 10, 10]"}, if located. */
  public Optional<String> nodeShape() {
    return Optional.ofNullable(nodeShape);
  }

  /** The pass that produced that node's non-finite value, if located. */
  public Optional<Phase> phase() {
    return Optional.ofNullable(phase);
  }
}
