package io.kiln.runtime.cnn;

/**
 * The fixed split of a batch into chunks of consecutive samples that the CNN kernels hand to
 * {@link io.kiln.runtime.Parallelism#forEach}: the number of chunks and their bounds depend only on
 * the batch size (never on the thread count), so a reduction over chunks (a convolution's weight
 * gradient) adds the same partial sums in the same order whatever the thread count.
 */
final class BatchSplit {
  /** Chunks per call at most: enough for 2–4 threads to balance, few enough to keep partial sums small. */
  static final int MAX_CHUNKS = 8;

  private BatchSplit() {}

  /** How many chunks {@code batch} samples are split into: {@code min(batch, MAX_CHUNKS)}. */
  static int chunks(int batch) {
    return Math.min(batch, MAX_CHUNKS);
  }

  /** The first sample of chunk {@code c} of {@code chunks} (c = chunks gives batch). */
  static int start(int c, int batch, int chunks) {
    return (int) ((long) c * batch / chunks);
  }
}
