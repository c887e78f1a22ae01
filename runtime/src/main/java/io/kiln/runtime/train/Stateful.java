package io.kiln.runtime.train;

import java.util.Map;

/**
 * An optimizer whose state can be saved and restored exactly, for checkpoints
 * ({@link io.kiln.runtime.io.Checkpoints}). {@link Sgd}, {@link Adam} and {@link AdamW} implement it.
 */
public interface Stateful {

  /** The optimizer's kind, e.g. {@code "SGD"}, {@code "Adam"}, {@code "AdamW"}; state restores only into the same kind. */
  String kind();

  /**
   * The fixed hyper-parameters and the current learning rate as strings (PyTorch's names: {@code lr},
   * {@code momentum}, {@code weight_decay}, {@code betas}, ...), in a stable order: recorded in
   * checkpoints so a file says how it was trained.
   */
  Map<String, String> settings();

  /** A copy of the current state: later steps do not change it. */
  OptimizerState state();

  /**
   * Replaces the state (step count, learning rate and buffers) with {@code state}, all or nothing.
   * The fixed hyper-parameters are not part of the state: an optimizer built with other settings of
   * the same kind accepts it (to change, say, the weight decay when resuming) but then no longer
   * reproduces the uninterrupted run.
   *
   * @throws IllegalArgumentException naming the problem, with nothing changed, if the state is of
   *     another kind, lacks or has extra buffers for this configuration (e.g. momentum buffers for
   *     SGD without momentum), has buffers of different lengths or an invalid learning rate
   */
  void restore(OptimizerState state);
}
