package io.kiln.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One partition's examples, cached on its executor for the whole run: example {@code i} of the
 * training data (in the data's order) lives in partition {@code (i mod B) / (B/P)}, sorted by
 * {@code i}. So the rows {@code [s·b, (s+1)·b)} of every partition, {@code b = B/P}, are together
 * exactly global batch {@code s} of single-machine training on the same order.
 */
final class Shard<E> implements Serializable {
  private static final long serialVersionUID = 1L;

  final int partition;
  private final List<E> examples;
  private transient int[] order;
  private transient long orderEpoch = -1;

  Shard(int partition, List<E> examples) {
    this.partition = partition;
    this.examples = examples;
  }

  int size() {
    return examples.size();
  }

  /**
   * This partition's share of global batch {@code step}: {@code perPartition} examples. With
   * {@code shuffleSeed} set, every epoch visits the shard's examples in a fresh order drawn from
   * (seed, epoch, partition), the same on every run and every retry.
   */
  synchronized List<E> batch(long step, int perPartition, int stepsPerEpoch, Long shuffleSeed) {
    long epoch = step / stepsPerEpoch;
    int from = (int) (step % stepsPerEpoch) * perPartition;
    List<E> batch = new ArrayList<>(perPartition);
    if (shuffleSeed == null) {
      for (int i = 0; i < perPartition; i++) {
        batch.add(examples.get(from + i));
      }
      return batch;
    }
    if (order == null || orderEpoch != epoch) {
      order = permutation(examples.size(), shuffleSeed, epoch, partition);
      orderEpoch = epoch;
    }
    for (int i = 0; i < perPartition; i++) {
      batch.add(examples.get(order[from + i]));
    }
    return batch;
  }

  static int[] permutation(int n, long seed, long epoch, int partition) {
    SplittableRandom rng = new SplittableRandom(seed ^ (epoch * 0x9E3779B97F4A7C15L) ^ ((long) partition * 0xC2B2AE3D27D4EB4FL));
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
