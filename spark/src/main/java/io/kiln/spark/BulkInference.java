package io.kiln.spark;

import io.kiln.runtime.TrainableModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;

/**
 * Scores a large data set with a trained model: the weights are broadcast once, each partition
 * makes one model instance ({@code mapPartitions}) and feeds it batches of up to {@code batch}
 * examples, so a model (its arena, its JIT-compiled kernels) serves a whole partition rather than
 * one row. Results come back in the data's order, one per example.
 *
 * <pre>{@code
 * JavaRDD<Integer> classes = BulkInference.score(images, trainer.model(), () -> KilnLeNet.create(0), 64,
 *     (model, batch) -> IntStream.of(model.classify(pack(batch))).boxed().toList());
 * }</pre>
 */
public final class BulkInference {
  private BulkInference() {}

  /**
   * Scores {@code data} lazily (nothing runs until an action such as {@code count} or {@code collect}).
   *
   * @param trained the model whose weights (and batch-norm statistics) to use; copied now, so later
   *     training does not change the result
   * @param factory makes the per-partition instances (their own weights are overwritten), e.g.
   *     {@code () -> KilnLeNet.create(0)}; must make the same model as {@code trained}
   * @param batch examples per call of {@code scorer}, at most the model's {@code MAX_BATCH}
   * @param scorer scores one batch, one result per example
   * @throws IllegalArgumentException if {@code batch < 1}; a factory that makes another model
   *     fails the job with a message naming both models
   */
  public static <M extends TrainableModel, E, R> JavaRDD<R> score(JavaRDD<E> data, M trained, SerializableSupplier<M> factory,
      int batch, Scorer<M, E, R> scorer) {
    Objects.requireNonNull(data, "data");
    Broadcast<Snapshot> weights = broadcast(JavaSparkContext.fromSparkContext(data.context()), trained, batch);
    return data.mapPartitions(new ScorePartition<>(weights, factory, batch, scorer));
  }

  /** Scores a {@link Dataset}; see {@link #score(JavaRDD, TrainableModel, SerializableSupplier, int, Scorer)}. */
  public static <M extends TrainableModel, E, R> Dataset<R> score(Dataset<E> data, M trained, SerializableSupplier<M> factory,
      int batch, Scorer<M, E, R> scorer, Encoder<R> encoder) {
    Objects.requireNonNull(data, "data");
    Broadcast<Snapshot> weights = broadcast(JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext()), trained, batch);
    ScorePartition<M, E, R> f = new ScorePartition<>(weights, factory, batch, scorer);
    return data.mapPartitions((MapPartitionsFunction<E, R>) f::call, encoder);
  }

  private static Broadcast<Snapshot> broadcast(JavaSparkContext sc, TrainableModel trained, int batch) {
    Objects.requireNonNull(trained, "trained model");
    if (batch < 1) {
      throw new IllegalArgumentException("the inference batch must be ≥ 1 example, got " + batch);
    }
    return sc.broadcast(Snapshot.of(trained, null, null));
  }

  /** One partition: one model, batches pulled lazily from the partition's iterator. */
  private record ScorePartition<M extends TrainableModel, E, R>(Broadcast<Snapshot> weights, SerializableSupplier<M> factory,
      int batch, Scorer<M, E, R> scorer) implements FlatMapFunction<Iterator<E>, R> {

    @Override
    public Iterator<R> call(Iterator<E> rows) {
      if (!rows.hasNext()) {
        return java.util.Collections.emptyIterator();
      }
      M model = Objects.requireNonNull(factory.get(), "the model factory returned null");
      weights.value().loadInto(model);
      return new Iterator<>() {
        private Iterator<R> current = java.util.Collections.emptyIterator();

        @Override
        public boolean hasNext() {
          while (!current.hasNext() && rows.hasNext()) {
            List<E> chunk = new ArrayList<>(batch);
            while (chunk.size() < batch && rows.hasNext()) {
              chunk.add(rows.next());
            }
            List<R> scored = scorer.score(model, chunk);
            if (scored == null || scored.size() != chunk.size()) {
              throw new IllegalStateException("the scorer returned " + (scored == null ? "null" : scored.size() + " results")
                  + " for a batch of " + chunk.size() + " examples; it must return one result per example");
            }
            current = scored.iterator();
          }
          return current.hasNext();
        }

        @Override
        public R next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return current.next();
        }
      };
    }
  }
}
