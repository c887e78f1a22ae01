package io.kiln.spark;

import org.apache.spark.api.java.JavaRDD;

/**
 * Training data laid out for a {@link DataParallelTrainer}: {@code P} partitions cached on the
 * executors, partition {@code p} holding its slice of every global batch, so each training step
 * reads only memory local to its task. Made by {@link DataParallelTrainer#shard}; reuse it for all
 * the epochs of a run and {@link #close} it at the end to free the cache.
 *
 * <p>Only whole global batches are kept: with {@code N} examples and global batch {@code B}, an
 * epoch is {@code N / B} steps and the last {@code N mod B} examples (in the data's order) are not
 * used, as with PyTorch's {@code drop_last=True}.
 */
public final class ShardedData<E> implements AutoCloseable {
  final JavaRDD<Shard<E>> shards;
  private final long examples;
  private final int partitions;
  private final int globalBatch;
  private final int stepsPerEpoch;

  ShardedData(JavaRDD<Shard<E>> shards, long examples, int partitions, int globalBatch, int stepsPerEpoch) {
    this.shards = shards;
    this.examples = examples;
    this.partitions = partitions;
    this.globalBatch = globalBatch;
    this.stepsPerEpoch = stepsPerEpoch;
  }

  /** Examples in the source data, including the ones dropped to keep whole batches. */
  public long examples() {
    return examples;
  }

  /** Examples one epoch trains on: {@code stepsPerEpoch() × globalBatch()}. */
  public long examplesPerEpoch() {
    return (long) stepsPerEpoch * globalBatch;
  }

  /** The number of partitions, each holding {@code globalBatch() / partitions()} examples of every step. */
  public int partitions() {
    return partitions;
  }

  /** The global batch {@code B}: examples per training step, summed over partitions. */
  public int globalBatch() {
    return globalBatch;
  }

  /** Training steps per pass over the data. */
  public int stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /** Removes the cached partitions from the executors. */
  @Override
  public void close() {
    shards.unpersist(false);
  }
}
