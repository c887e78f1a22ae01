package io.kiln.spark;

import io.kiln.runtime.TrainableModel;
import java.io.Serializable;
import java.util.List;

/**
 * Computes a model's gradient on a batch of examples: the one piece of a data-parallel run that
 * depends on the model's inputs. Generated classes take their inputs as typed arrays
 * ({@code computeGradients(float[] image, int[] label)}), so this function packs a batch into those
 * arrays and calls the model's {@code computeGradients}:
 *
 * <pre>{@code
 * GradientFunction<KilnLeNet, Image> grad = (model, batch) -> {
 *   float[] x = new float[batch.size() * 784];
 *   int[] y = new int[batch.size()];
 *   for (int i = 0; i < batch.size(); i++) {
 *     System.arraycopy(batch.get(i).pixels(), 0, x, i * 784, 784);
 *     y[i] = batch.get(i).label();
 *   }
 *   return model.computeGradients(x, y);
 * };
 * }</pre>
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
}
