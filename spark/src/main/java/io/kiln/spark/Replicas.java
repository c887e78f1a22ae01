package io.kiln.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Model replicas kept on each executor between steps, so a step costs a weight copy rather than a
 * new model (its arena, initialization and JIT warm-up). A task borrows a replica, overwrites its
 * weights from the broadcast and gives it back; a replica carries nothing from one step to the
 * next, so a retried task on another executor computes the same result. Only the last few runs'
 * pools are kept, so finished runs do not pin memory.
 */
final class Replicas {
  private static final int RUNS_KEPT = 4;
  private static final Map<String, ConcurrentLinkedQueue<Object>> POOLS = new LinkedHashMap<>(8, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, ConcurrentLinkedQueue<Object>> eldest) {
      return size() > RUNS_KEPT;
    }
  };

  private Replicas() {}

  @SuppressWarnings("unchecked")
  static <M> M borrow(String run, Supplier<M> factory) {
    Object m = pool(run).poll();
    if (m == null) {
      m = factory.get();
      if (m == null) {
        throw new IllegalArgumentException("the model factory returned null");
      }
    }
    return (M) m;
  }

  static void giveBack(String run, Object model) {
    pool(run).offer(model);
  }

  private static ConcurrentLinkedQueue<Object> pool(String run) {
    synchronized (POOLS) {
      return POOLS.computeIfAbsent(run, r -> new ConcurrentLinkedQueue<>());
    }
  }
}
