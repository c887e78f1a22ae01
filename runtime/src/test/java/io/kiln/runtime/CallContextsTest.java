package io.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallContextsTest {
  @Test
  void aContextGivenBackIsTakenAgain() {
    AtomicInteger made = new AtomicInteger();
    CallContexts<int[]> contexts = new CallContexts<>(2, () -> new int[] {made.incrementAndGet()});
    int[] first = contexts.take();
    contexts.give(first);
    assertThat(contexts.take()).isSameInstanceAs(first);
    assertThat(made.get()).isEqualTo(1);
  }

  @Test
  void concurrentCallsGetDistinctContextsAndOnlyTheSlotsAreKept() {
    CallContexts<Object> contexts = new CallContexts<>(2, Object::new);
    Object a = contexts.take();
    Object b = contexts.take();
    Object c = contexts.take();
    assertThat(a).isNotSameInstanceAs(b);
    assertThat(b).isNotSameInstanceAs(c);
    contexts.give(a);
    contexts.give(b);
    contexts.give(c); // both slots full: dropped
    Object x = contexts.take();
    Object y = contexts.take();
    assertThat(java.util.List.of(x, y)).containsExactly(a, b);
    assertThat(contexts.take()).isNoneOf(a, b, c);
  }
}
