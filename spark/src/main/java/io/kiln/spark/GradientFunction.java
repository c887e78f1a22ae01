package io.kiln.spark;

import io.kiln.runtime.LabeledBatch;
import io.kiln.runtime.SupervisedModel;
import io.kiln.runtime.TrainableModel;
import java.io.Serializable;
import java.util.List;

/**
 * Computes a model's gradient on a batch of examples: the one piece of a data-parallel run that
 * depends on the model's inputs. Every generated model that trains is a {@link SupervisedModel}
 * over its own {@code Batch} record, so the function only has to pack the examples into that record:
 *
 * <pre>{@code
 * GradientFunction<KilnLeNet, Image> grad = GradientFunction.of(rows -> {
 *   float[] x = new float[rows.size() * 784];
 *   int[] y = new int[rows.size()];
 *   for (int i = 0; i < rows.size(); i++) {
 *     System.arraycopy(rows.get(i).pixels(), 0, x, i * 784, 784);
 *     y[i] = rows.get(i).label();
 *   }
 *   return new KilnLeNet.Batch(x, y);
 * });
 * }</pre>
 *
 * <p>A lambda {@code (model, rows) -> model.computeGradients(...)} works as well, for a model used
 * through its array methods.
 *
 * <p>It runs on executors, so it must be serializable (a lambda targeting this interface is) and
 * must not touch driver state.
 *
 * @param <M> the generated model class
 * @param <E> the example type held by the RDD or Dataset
 */
@FunctionalInterface
public interface GradientFunction<M extends TrainableModel, E> extends Serializable {

  /**
   * Fills {@code model.gradientSlab()} with the gradient of the batch's <em>mean</em> loss and
   * returns that loss, without changing the weights (the generated {@code computeGradients} does
   * exactly this). The trainer weights each partition's result by its share of the global batch.
   */
  float computeGradients(M model, List<E> batch);

  /**
   * The gradient function of any generated model: packs the examples with {@code toBatch} and calls
   * the model's {@code computeGradients(Batch)}.
   */
  static <X, B extends LabeledBatch<X>, M extends SupervisedModel<X, B>, E> GradientFunction<M, E> of(BatchFunction<E, B> toBatch) {
    java.util.Objects.requireNonNull(toBatch, "batch function");
    return (model, examples) -> model.computeGradients(toBatch.batch(examples));
  }
}
