package io.kiln.spark;

import java.io.Serializable;
import java.util.List;

/**
 * Packs a partition's examples into the batch record a generated model trains on, e.g.
 * {@code rows -> new KilnLeNet.Batch(pixels(rows), labels(rows))}: with
 * {@link GradientFunction#of(BatchFunction)}, the only model-specific code of a data-parallel run.
 * It runs on executors, so it must be serializable (a lambda targeting this interface is).
 *
 * @param <E> the example type held by the RDD or Dataset
 * @param <B> the generated class's {@code Batch} record
 */
@FunctionalInterface
public interface BatchFunction<E, B> extends Serializable {

  /** The examples as one batch, in their order. */
  B batch(List<E> examples);
}
