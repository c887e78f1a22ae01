package io.kiln.runtime.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of an optimizer's mutable state, enough to resume training bit for bit: the number of
 * steps taken, the current learning rate (a schedule may have changed it) and the per-parameter
 * buffers as flat arrays over the model's parameter slab, named as PyTorch names them
 * ({@code momentum_buffer} for SGD, {@code exp_avg} and {@code exp_avg_sq} for Adam and AdamW).
 * A buffer that does not exist yet (before the first step) is absent.
 *
 * @param kind the optimizer kind ({@link Stateful#kind()}), e.g. {@code "Adam"}
 * @param steps the number of steps taken (Adam's {@code t})
 * @param learningRate the learning rate the next step would use
 * @param buffers the state arrays by name, each as long as the parameter slab; copied in, and the
 *     map is unmodifiable (the arrays themselves are not copied out: do not change them)
 */
public record OptimizerState(String kind, long steps, float learningRate, Map<String, float[]> buffers) {
  public OptimizerState {
    Objects.requireNonNull(kind, "kind");
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be ≥ 0, got " + steps);
    }
    Map<String, float[]> copy = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : Objects.requireNonNull(buffers, "buffers").entrySet()) {
      copy.put(Objects.requireNonNull(e.getKey(), "buffer name"),
          Objects.requireNonNull(e.getValue(), "buffer " + e.getKey()).clone());
    }
    buffers = Collections.unmodifiableMap(copy);
  }
}
