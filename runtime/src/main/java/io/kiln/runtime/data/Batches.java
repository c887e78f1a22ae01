package io.kiln.runtime.data;

import io.kiln.runtime.init.Rng;

/**
 * Minibatches over {@link Examples}, shuffled from a seed, filling arrays allocated once so that a
 * training loop allocates nothing per step.
 *
 * <p>An epoch visits every example exactly once: {@link #stepsPerEpoch()} batches, all of
 * {@link #batchSize()} examples except a last, smaller "tail" batch of {@link #tailSize()}
 * examples when the batch size does not divide the data set. Full batches are written into one
 * pair of arrays ({@code float[batchSize * featureSize]}, {@code int[batchSize]}) and the tail into
 * another pair sized exactly for it, so each batch's arrays have exactly the batch's length. The
 * order of epoch {@code e} depends only on {@code (seed, e)}: a run resumed at epoch 3 sees the
 * same batches as an uninterrupted one.
 *
 * <pre>{@code
 * Batches batches = Batches.shuffled(train, 64, seed);
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *   batches.startEpoch(epoch);
 *   while (batches.next()) {
 *     net.trainStep(batches.features(), batches.labels(), optimizer); // length = size() rows
 *   }
 * }
 * }</pre>
 *
 * <p>The arrays returned are reused: their contents change on the next {@link #next()}. Not
 * thread-safe.
 */
public final class Batches {
  private static final long EPOCH_GAMMA = 0x9e3779b97f4a7c15L;

  private final Examples source;
  private final int batchSize;
  private final int featureSize;
  private final boolean shuffle;
  private final long seed;
  private final int[] order;
  private final float[] fullFeatures;
  private final int[] fullLabels;
  private final float[] tailFeatures;
  private final int[] tailLabels;

  private int epoch = -1;
  private int position; // index into order of the next batch's first example
  private int step = -1; // index of the current batch within the epoch
  private int size; // examples in the current batch
  private float[] features;
  private int[] labels;

  private Batches(Examples source, int batchSize, boolean shuffle, long seed) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    if (source.size() == 0) {
      throw new IllegalArgumentException("the data set is empty; there is nothing to make batches of");
    }
    this.source = source;
    this.batchSize = Math.min(batchSize, source.size());
    this.featureSize = source.featureSize();
    this.shuffle = shuffle;
    this.seed = seed;
    this.order = new int[source.size()];
    int tail = source.size() % this.batchSize;
    this.fullFeatures = new float[Math.multiplyExact(this.batchSize, featureSize)];
    this.fullLabels = new int[this.batchSize];
    this.tailFeatures = new float[tail * featureSize];
    this.tailLabels = new int[tail];
    resetOrder();
  }

  /**
   * Batches in an order shuffled anew each epoch, determined by {@code seed} and the epoch number.
   * A batch size larger than the data set is reduced to its size.
   *
   * @throws IllegalArgumentException if {@code batchSize <= 0} or the source is empty
   */
  public static Batches shuffled(Examples source, int batchSize, long seed) {
    return new Batches(source, batchSize, true, seed);
  }

  /**
   * Batches in the source's order, every epoch the same, e.g. for evaluation.
   *
   * @throws IllegalArgumentException if {@code batchSize <= 0} or the source is empty
   */
  public static Batches sequential(Examples source, int batchSize) {
    return new Batches(source, batchSize, false, 0);
  }

  /**
   * Starts epoch {@code epoch} (0-based): computes its order; the next {@link #next()} fills the
   * first batch.
   */
  public void startEpoch(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    this.epoch = epoch;
    resetOrder();
    if (shuffle) {
      long epochSeed = new Rng(seed).nextLong() + epoch * EPOCH_GAMMA;
      new Rng(epochSeed).shuffle(order);
    }
    position = 0;
    step = -1;
    size = 0;
    features = null;
    labels = null;
  }

  /**
   * Fills the next batch of the current epoch ({@link #startEpoch} must have been called).
   *
   * @return {@code false} when the epoch is over (nothing was filled)
   */
  public boolean next() {
    if (epoch < 0) {
      throw new IllegalStateException("call startEpoch(epoch) before next()");
    }
    if (position >= order.length) {
      size = 0;
      return false;
    }
    int n = Math.min(batchSize, order.length - position);
    float[] x = n == batchSize ? fullFeatures : tailFeatures;
    int[] y = n == batchSize ? fullLabels : tailLabels;
    for (int i = 0; i < n; i++) {
      int idx = order[position + i];
      source.copyFeatures(idx, x, i * featureSize);
      y[i] = source.label(idx);
    }
    position += n;
    step++;
    size = n;
    features = x;
    labels = y;
    return true;
  }

  /** The current batch's features, {@code [size(), featureSize()]} row-major; reused by the next batch. */
  public float[] features() {
    checkBatch();
    return features;
  }

  /** The current batch's labels, {@code size()} of them; reused by the next batch. */
  public int[] labels() {
    checkBatch();
    return labels;
  }

  /** The number of examples in the current batch: {@link #batchSize()}, or {@link #tailSize()} for the tail. */
  public int size() {
    return size;
  }

  /** The index of the current batch within its epoch (0-based). */
  public int step() {
    return step;
  }

  /** The current epoch, or -1 before the first {@link #startEpoch}. */
  public int epoch() {
    return epoch;
  }

  /** The size of full batches (the requested size, or the data set's size if smaller). */
  public int batchSize() {
    return batchSize;
  }

  /** The size of the last batch of an epoch if it is smaller than {@link #batchSize()}, else 0. */
  public int tailSize() {
    return tailLabels.length;
  }

  /** Floats per example. */
  public int featureSize() {
    return featureSize;
  }

  /** The number of batches in an epoch, the tail included. */
  public int stepsPerEpoch() {
    return order.length / batchSize + (tailSize() > 0 ? 1 : 0);
  }

  /** The number of examples in an epoch. */
  public int examplesPerEpoch() {
    return order.length;
  }

  /** The arrays full batches are written into: {@code float[batchSize * featureSize]}. */
  public float[] fullFeatures() {
    return fullFeatures;
  }

  /** The array full batches' labels are written into: {@code int[batchSize]}. */
  public int[] fullLabels() {
    return fullLabels;
  }

  /** The array the tail batch is written into: {@code float[tailSize * featureSize]} (empty if no tail). */
  public float[] tailFeatures() {
    return tailFeatures;
  }

  /** The array the tail batch's labels are written into: {@code int[tailSize]} (empty if no tail). */
  public int[] tailLabels() {
    return tailLabels;
  }

  /** A copy of the current epoch's order: the source indices in the order they are visited. */
  public int[] order() {
    return order.clone();
  }

  private void resetOrder() {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
  }

  private void checkBatch() {
    if (features == null) {
      throw new IllegalStateException("no current batch: call startEpoch(epoch) and then next()");
    }
  }
}
