package io.kiln.spark;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fixed-order sum gives the same bits whatever order Spark delivers partial results in. */
class TreeSumTest {

  private static TreeSum.Part leaf(int partition, int length) {
    Random r = new Random(partition * 31L + 5);
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3)); // mixed magnitudes: order matters
    }
    return new TreeSum.Part(v, partition + 0.5, 10);
  }

  /** Sums leaves arriving in {@code order}, merged into {@code groups} partial sums first, as Spark's tree levels do. */
  private static TreeSum.Part sum(int leaves, List<Integer> order, int groups, long seed) {
    List<TreeSum> partials = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      partials.add(new TreeSum(leaves));
    }
    for (int i = 0; i < order.size(); i++) {
      partials.get(i % groups).add(order.get(i), leaf(order.get(i), 257));
    }
    Collections.shuffle(partials, new Random(seed));
    TreeSum total = new TreeSum(leaves);
    for (TreeSum p : partials) {
      total.merge(p);
    }
    return total.total();
  }

  @Test
  void anyArrivalOrderGivesTheSameBits() {
    for (int leaves : new int[] {1, 2, 3, 5, 8, 13}) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < leaves; i++) {
        order.add(i);
      }
      TreeSum.Part reference = sum(leaves, order, 1, 0);
      assertThat(reference.examples).isEqualTo(10L * leaves);
      for (int trial = 0; trial < 20; trial++) {
        Collections.shuffle(order, new Random(trial));
        TreeSum.Part other = sum(leaves, order, 1 + trial % 4, trial);
        assertArrayEquals(reference.vector, other.vector, "P=" + leaves + ", trial " + trial);
        assertThat(other.loss).isEqualTo(reference.loss);
      }
    }
  }

  @Test
  void theSumIsTheSumOfTheLeaves() {
    TreeSum s = new TreeSum(3);
    s.add(2, new TreeSum.Part(new float[] {4, 5}, 1, 1));
    s.add(0, new TreeSum.Part(new float[] {1, 2}, 1, 1));
    s.add(1, new TreeSum.Part(new float[] {10, 20}, 1, 1));
    assertArrayEquals(new float[] {15, 27}, s.total().vector);
  }

  @Test
  void theFirstErrorByPartitionWinsAndMissingOrRepeatedPartitionsAreCaught() {
    TreeSum s = new TreeSum(4);
    s.add(3, TreeSum.Part.error("late"));
    s.add(1, TreeSum.Part.error("early"));
    s.add(0, leaf(0, 3));
    IllegalStateException incomplete = assertThrows(IllegalStateException.class, s::total);
    assertThat(incomplete).hasMessageThat().contains("incomplete");
    s.add(2, leaf(2, 3));
    assertThat(s.total().error).isEqualTo("early");

    TreeSum twice = new TreeSum(4);
    twice.add(1, leaf(1, 3));
    assertThrows(IllegalStateException.class, () -> twice.add(1, leaf(1, 3)));
    assertThrows(IllegalArgumentException.class, () -> twice.add(4, leaf(4, 3)));
  }
}
