package io.kiln.samples.train;

import io.kiln.runtime.data.Batches;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * The samples' data sources as the {@code Iterable} of a generated model's {@code Batch} records
 * that {@link io.kiln.runtime.Fit} iterates once per epoch. Batches wrap reused arrays: each
 * is valid until the loop asks for the next one, which is all a training step needs.
 */
public final class SampleBatches {
  private SampleBatches() {}

  /**
   * Epoch {@code epoch} of {@code batches} (shuffled as {@link Batches#startEpoch} draws it), each
   * batch wrapped by {@code wrap(features, labels)}, e.g. {@code KilnLeNet.Batch::new}.
   */
  public static <B> Iterable<B> epoch(Batches batches, int epoch, BiFunction<float[], int[], B> wrap) {
    return () -> {
      batches.startEpoch(epoch);
      return new Iterator<>() {
        private boolean fetched;
        private boolean available;

        @Override
        public boolean hasNext() {
          if (!fetched) {
            available = batches.next();
            fetched = true;
          }
          return available;
        }

        @Override
        public B next() {
          if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has no more batches");
          }
          fetched = false;
          return wrap.apply(batches.features(), batches.labels());
        }
      };
    };
  }

  /**
   * {@code steps} batches made on demand by {@code make(step)}, in order: for data drawn at random or
   * generated, where the batch of step {@code s} is made just before it is trained on.
   */
  public static <B> Iterable<B> generated(int steps, IntFunction<B> make) {
    return () -> IntStream.range(0, steps).mapToObj(make).iterator();
  }
}
