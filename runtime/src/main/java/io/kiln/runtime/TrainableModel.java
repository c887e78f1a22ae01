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
 * <p>Generated classes differ in their inputs ({@code trainStep(float[] image, int[] label, ...)},
 * {@code trainStep(int[] tokens, int steps, int[] targets, ...)}), so computing a gradient stays on
 * the concrete class; everything after that is the same for all models: a gradient lives in one
 * flat slab laid out exactly like the parameter slab, and an optimizer is one pass over the two.
 * This interface exposes those two slabs directly, because copying 60,000 floats through
 * {@link Parameter} views on every step of a distributed run would be wasted work.
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
   * the gradient of the last {@code computeGradients} or {@code trainStep}; an optimizer updates
   * the parameters from it with {@code optimizer.step(parameterSlab(), gradientSlab(), n)}.
   */
  float[] gradientSlab();

  /** All learned tensors as named views of {@link #parameterSlab()}. */
  List<Parameter> parameters();

  /** State tensors saved with the weights but not learned (batch-norm running statistics); may be empty. */
  List<Parameter> buffers();

  /** Training steps taken so far (recorded in checkpoints). */
  long steps();

  /**
   * Sets the step count: for trainers that update {@link #parameterSlab()} themselves (averaging
   * replicas, applying a gradient summed over machines) and so bypass {@code trainStep}, which
   * otherwise counts steps.
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
