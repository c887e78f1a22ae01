package io.kiln.runtime;

import io.kiln.runtime.train.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What every generated model that can train has in common, so that code outside the model (a
 * distributed trainer such as {@code io.kiln.spark}, a parameter server, a custom training loop)
 * can move weights and gradients without knowing the model's class.
 *
 * <p>Computing a gradient depends on the model's inputs and lives in {@link SupervisedModel}, typed
 * by the batch record each generated class names; everything after that is the same for all
 * models: a gradient lives in one flat slab laid out exactly like the parameter slab, and
 * {@link #applyGradients} commits it. This interface exposes the two slabs directly, because
 * copying 60,000 floats through {@link Parameter} views on every step of a distributed run would be
 * wasted work.
 *
 * <p>The slabs are the model's own memory, not copies: writing them changes the model, and the
 * model's next call overwrites the gradient slab. An instance is not thread-safe.
 */
public interface TrainableModel {

  /** The declared model's name ({@code MODEL_NAME}), recorded in saved files and checked on load. */
  String modelName();

  /**
   * The live parameter slab: every learned float, {@code PARAMETER_COUNT} long, in the layout the
   * {@link #parameters()} views describe.
   */
  float[] parameterSlab();

  /**
   * The live gradient slab, as long as {@link #parameterSlab()} and laid out the same way, holding
   * the gradient of the last {@code computeGradients} or {@code trainStep}; {@link #applyGradients}
   * updates the parameters from it.
   */
  float[] gradientSlab();

  /** All learned tensors as named views of {@link #parameterSlab()}. */
  List<Parameter> parameters();

  /** State tensors saved with the weights but not learned (batch-norm running statistics); may be empty. */
  List<Parameter> buffers();

  /**
   * Commits the gradient in {@link #gradientSlab()}: checks that every value is finite, lets
   * {@code optimizer} update the parameters in one pass over the slabs, and counts the step. The one
   * commit path of the model: {@code trainStep} calls it after computing a gradient, and a trainer
   * that fills the gradient slab itself (with a gradient summed over machines) calls it instead.
   *
   * @throws io.kiln.runtime.train.NonFiniteLossException if a gradient is NaN or infinite, naming the
   *     parameter whose gradient holds the first one (in backward order); nothing is changed
   */
  void applyGradients(Optimizer optimizer);

  /** Training steps taken so far (recorded in checkpoints). */
  long steps();

  /**
   * Sets the step count: for trainers that replace {@link #parameterSlab()} themselves (averaging
   * replicas) and so bypass {@link #applyGradients}, which otherwise counts steps.
   *
   * @throws IllegalArgumentException if {@code steps < 0}
   */
  void setSteps(long steps);

  /** Writes weights, buffers, the optimizer's state and the step count atomically. */
  void saveCheckpoint(Path file, Optimizer optimizer) throws IOException;

  /** Restores a {@link #saveCheckpoint} file into this model and {@code optimizer}; all or nothing. */
  void loadCheckpoint(Path file, Optimizer optimizer) throws IOException;

  /** Writes the weights (and buffers) atomically in safetensors format. */
  void save(Path file) throws IOException;
}
