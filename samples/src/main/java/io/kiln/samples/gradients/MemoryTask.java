package io.kiln.samples.gradients;

import io.kiln.runtime.init.Rng;

/**
 * The task that needs memory: a sequence starts with one of {@link #CLASSES} symbols, then
 * {@link MemoryNets#STEPS} − 1 distractors drawn from other symbols; the label is the first symbol,
 * asked for after the last step. Only a gradient that survives the trip back to step 0 can teach it.
 */
final class MemoryTask {
  static final int CLASSES = 4;
  /** Symbols 0–3 are the classes, 4–9 the distractors. */
  static final int VOCAB = 10;

  private MemoryTask() {}

  /** Fills {@code ids [batch, steps]} and {@code labels [batch]} with fresh sequences. */
  static void fill(Rng rng, int[] ids, int[] labels, int batch, int steps) {
    for (int b = 0; b < batch; b++) {
      int first = rng.nextInt(CLASSES);
      labels[b] = first;
      ids[b * steps] = first;
      for (int t = 1; t < steps; t++) {
        ids[b * steps + t] = CLASSES + rng.nextInt(VOCAB - CLASSES);
      }
    }
  }
}
