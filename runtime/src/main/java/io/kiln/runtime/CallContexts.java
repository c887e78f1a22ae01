package io.kiln.runtime;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * A few reusable call contexts of a stateless kernel (the task body handed to
 * {@link Parallelism#forEach}, holding one call's arguments and its scratch), shared by every
 * caller: {@link #take} one, run the call, {@link #give} it back. A kernel whose callers are not
 * layer objects (GELU, the recurrent step product) so allocates nothing per call after warm-up,
 * keeps no per-thread state, and stays safe when models run on several application threads at
 * once (a caller finding every context taken gets a new one, which a later {@code give} may keep).
 */
public final class CallContexts<T> {
  private final AtomicReferenceArray<T> spare;
  private final Supplier<T> create;

  /** Keeps up to {@code slots} idle contexts, making new ones with {@code create}. */
  public CallContexts(int slots, Supplier<T> create) {
    Checks.positive("slots", slots);
    this.spare = new AtomicReferenceArray<>(slots);
    this.create = create;
  }

  /** An idle context for the caller's exclusive use until it {@link #give}s it back. */
  public T take() {
    for (int i = 0; i < spare.length(); i++) {
      T t = spare.get(i);
      if (t != null && spare.compareAndSet(i, t, null)) {
        return t;
      }
    }
    return create.get();
  }

  /** Returns a context taken with {@link #take}; it is dropped when every slot is full. */
  public void give(T context) {
    for (int i = 0; i < spare.length(); i++) {
      if (spare.get(i) == null && spare.compareAndSet(i, null, context)) {
        return;
      }
    }
  }
}
