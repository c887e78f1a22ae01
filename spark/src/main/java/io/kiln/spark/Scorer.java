package io.kiln.spark;

import java.io.Serializable;
import java.util.List;

/**
 * Scores a batch of examples with a trained model, for {@link BulkInference}: packs the batch into
 * the model's input arrays, calls {@code classify}, {@code predict} or {@code forward}, and returns
 * one result per example, in order. Runs on executors, so it must be serializable (a lambda
 * targeting this interface is).
 *
 * @param <M> the generated model class
 * @param <E> the example type
 * @param <R> the result type (a class label, a probability vector, a record joining both)
 */
@FunctionalInterface
public interface Scorer<M, E, R> extends Serializable {

  /** One result per example of {@code batch}, in the same order. */
  List<R> score(M model, List<E> batch);
}
