package io.kiln.runtime;

import io.kiln.runtime.train.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The training loop every generated model shares, Keras's {@code fit} for Kiln: it takes any
 * {@link SupervisedModel} and its batches, with no adapter per model.
 *
 * <pre>{@code
 * KilnLeNet model = KilnLeNet.create(1);
 * List<KilnLeNet.Batch> batches = ...;   // or an Iterable that reshuffles on every iterator()
 * List<Fit.Epoch> history = Fit.fit(model, batches, new Adam(1e-3f), 10);
 * }</pre>
 *
 * <p>{@code batches} is iterated once per epoch, as PyTorch iterates a {@code DataLoader}: an
 * {@code Iterable} whose {@code iterator()} draws a new order each time gives shuffled epochs, and
 * one that fills reused arrays on {@code next()} trains without allocating per batch. Loops that do
 * more per epoch (evaluate, save, plot) call {@link #epoch} once per epoch themselves.
 */
public final class Fit {
  private Fit() {}

  /** Called after every training step, e.g. to advance a progress bar. */
  @FunctionalInterface
  public interface StepListener<B> {
    /**
     * @param batch the batch just trained on
     * @param loss its mean loss, before the update
     */
    void onStep(B batch, float loss);
  }

  /**
   * What one epoch did.
   *
   * @param steps training steps taken
   * @param examples samples (sequences) trained on
   * @param meanLoss the mean loss per sample over the epoch (each batch's mean weighted by its size);
   *     NaN if the epoch had no batch
   * @param seconds wall-clock time
   */
  public record Epoch(int steps, long examples, double meanLoss, double seconds) {}

  /**
   * Trains for {@code epochs} passes over {@code batches}.
   *
   * @return one {@link Epoch} per epoch
   * @throws IllegalArgumentException if {@code epochs < 1}, or a batch is malformed (the model's message)
   * @throws NonFiniteLossException if a loss or gradient became NaN or infinite; the step that hit it
   *     changed nothing
   */
  public static <X, B extends LabeledBatch<X>> List<Epoch> fit(SupervisedModel<X, B> model, Iterable<? extends B> batches,
      Optimizer optimizer, int epochs) {
    if (epochs < 1) {
      throw new IllegalArgumentException("fit: epochs must be ≥ 1, got " + epochs);
    }
    List<Epoch> history = new ArrayList<>(epochs);
    for (int e = 0; e < epochs; e++) {
      history.add(epoch(model, batches, optimizer, (batch, loss) -> {}));
    }
    return List.copyOf(history);
  }

  /**
   * One pass over {@code batches}: {@code trainStep} on each, then {@code listener}.
   *
   * @throws IllegalArgumentException if a batch is malformed (the model's message)
   * @throws NonFiniteLossException if a loss or gradient became NaN or infinite
   */
  public static <X, B extends LabeledBatch<X>> Epoch epoch(SupervisedModel<X, B> model, Iterable<? extends B> batches,
      Optimizer optimizer, StepListener<? super B> listener) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(listener, "listener");
    long start = System.nanoTime();
    int steps = 0;
    long examples = 0;
    double lossSum = 0;
    for (B batch : Objects.requireNonNull(batches, "batches")) {
      float loss = model.trainStep(batch, optimizer);
      int size = batch.size();
      lossSum += (double) loss * size;
      examples += size;
      steps++;
      listener.onStep(batch, loss);
    }
    return new Epoch(steps, examples, examples == 0 ? Double.NaN : lossSum / examples, (System.nanoTime() - start) / 1e9);
  }

  /**
   * The mean loss per sample over {@code batches}, in inference mode (dropout off, batch-norm
   * running statistics), without changing the model; NaN if there is no batch.
   */
  public static <X, B extends LabeledBatch<X>> double evaluate(SupervisedModel<X, B> model, Iterable<? extends B> batches) {
    Objects.requireNonNull(model, "model");
    long examples = 0;
    double lossSum = 0;
    for (B batch : Objects.requireNonNull(batches, "batches")) {
      lossSum += (double) model.loss(batch) * batch.size();
      examples += batch.size();
    }
    return examples == 0 ? Double.NaN : lossSum / examples;
  }
}
