package io.kiln.runtime.rnn;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.runtime.rnn.RnnTestArrays.OFF;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class EmbeddingTest {
  private final Random r = new Random(3);

  @Test
  void forwardAndBackwardMatchTheNaiveTwins() {
    int batch = 3;
    int steps = 5;
    int vocab = 7;
    int dim = 13;
    int[] ids = new int[OFF + batch * steps];
    for (int i = OFF; i < ids.length; i++) {
      ids[i] = r.nextInt(vocab);
    }
    float[] table = RnnTestArrays.random(r, vocab * dim, 1);
    float[] y = RnnTestArrays.nans(batch * steps * dim);
    float[] expected = y.clone();
    Embedding.forward("tokens", batch, steps, vocab, dim, ids, OFF, table, OFF, y, OFF);
    Embedding.forwardReference(batch, steps, dim, ids, OFF, table, OFF, expected, OFF);
    assertThat(y).isEqualTo(expected);

    float[] dy = RnnTestArrays.random(r, batch * steps * dim, 1);
    float[] dTable = RnnTestArrays.random(r, vocab * dim, 1);
    float[] dExpected = dTable.clone();
    Embedding.backward(batch, steps, vocab, dim, ids, OFF, dy, OFF, dTable, OFF);
    Embedding.backwardReference(batch, steps, dim, ids, OFF, dy, OFF, dExpected, OFF);
    assertThat(dTable).isEqualTo(dExpected);
  }

  @Test
  void repeatedIdsAccumulate() {
    int[] ids = {2, 0, 2, 2};
    float[] dy = {1, 10, 2, 20, 3, 30, 4, 40};
    float[] dTable = new float[3 * 2];
    Embedding.backward(2, 2, 3, 2, ids, 0, dy, 0, dTable, 0);
    assertThat(dTable).isEqualTo(new float[] {2, 20, 0, 0, 1 + 3 + 4, 10 + 30 + 40});
    Embedding.backward(2, 2, 3, 2, ids, 0, dy, 0, dTable, 0);
    assertThat(dTable[4]).isEqualTo(16f);
  }

  @Test
  void anOutOfRangeIdNamesTheInputThePositionAndTheLimit() {
    int batch = 4;
    int steps = 18;
    int[] ids = new int[batch * steps];
    ids[3 * steps + 17] = 120;
    float[] y = RnnTestArrays.nans(batch * steps * 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Embedding.forward("tokens", batch, steps, 96, 2, ids, 0, new float[96 * 2], 0, y, OFF));
    assertThat(e).hasMessageThat().isEqualTo("input 'tokens': id 120 at [3, 17] is outside [0, 96)");
    // nothing was written before the check failed
    assertThat(Float.isNaN(y[OFF])).isTrue();
    ids[3 * steps + 17] = -1;
    IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
        () -> Embedding.backward(batch, steps, 96, 2, ids, 0, new float[batch * steps * 2], 0, new float[96 * 2], 0));
    assertThat(neg).hasMessageThat().contains("id -1 at [3, 17] is outside [0, 96)");
  }
}
