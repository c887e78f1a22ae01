package io.kiln.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sum over P partitions whose floating-point result does not depend on the order in which Spark
 * delivers the partial results.
 *
 * <p>Float addition is not associative, and Spark's {@code treeAggregate} combines partial results
 * in whatever order tasks finish, so a plain running sum would give different weights from run to
 * run. Here every partition is a leaf of one fixed binary tree over {@code [0, P)}; two partial
 * sums are added only when they are the two children of the same node, left plus right. The
 * result is therefore the same bits whatever the arrival order, the tree depth Spark chooses, or
 * which task was retried. Pending nodes wait in a map; at most about log2 P of them are pending in
 * any one partial sum when results arrive in order.
 *
 * <p>Instances are mutated in place (Spark clones the zero value per partition), which is what
 * {@code treeAggregate}'s {@code seqOp} and {@code combOp} allow.
 */
final class TreeSum implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int leaves;
  private final TreeMap<Long, Part> pending = new TreeMap<>();

  TreeSum(int leaves) {
    if (leaves < 1) {
      throw new IllegalArgumentException("a sum needs at least one partition, got " + leaves);
    }
    this.leaves = leaves;
  }

  /**
   * One node's partial sum: a vector of floats (gradients or weighted parameters), a weighted loss,
   * an example count, and what went wrong, if anything.
   */
  static final class Part implements Serializable {
    private static final long serialVersionUID = 1L;

    final float[] vector;
    double loss;
    long examples;
    /** The first user error (from the lowest partition), or null. */
    String error;
    /** The earliest training step whose loss or gradient was non-finite, or -1. */
    long nonFiniteStep = -1;
    float nonFiniteLoss;
    /** Names of the optimizer buffers appended to {@link #vector} (local SGD), or null. */
    String[] optimizerBuffers;

    Part(float[] vector, double loss, long examples) {
      this.vector = vector;
      this.loss = loss;
      this.examples = examples;
    }

    static Part error(String message) {
      Part p = new Part(new float[0], 0, 0);
      p.error = message;
      return p;
    }

    static Part nonFinite(long step, float loss) {
      Part p = new Part(new float[0], 0, 0);
      p.nonFiniteStep = step;
      p.nonFiniteLoss = loss;
      return p;
    }

    boolean failed() {
      return error != null || nonFiniteStep >= 0;
    }

    /** Adds {@code right} into this node (the left child) and returns it. */
    Part plus(Part right) {
      if (error == null) {
        error = right.error;
      }
      if (right.nonFiniteStep >= 0 && (nonFiniteStep < 0 || right.nonFiniteStep < nonFiniteStep)) {
        nonFiniteStep = right.nonFiniteStep;
        nonFiniteLoss = right.nonFiniteLoss;
      }
      if (failed()) {
        return shell(this); // a failed step is discarded: no need to add the vectors
      }
      if (vector.length != right.vector.length) {
        throw new IllegalStateException("partial sums of different lengths: " + vector.length + " and " + right.vector.length
            + "; did the model factory make different models on different executors?");
      }
      float[] a = vector;
      float[] b = right.vector;
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
      loss += right.loss;
      examples += right.examples;
      if (optimizerBuffers == null) {
        optimizerBuffers = right.optimizerBuffers;
      }
      return this;
    }

    private static Part shell(Part p) {
      Part s = new Part(new float[0], 0, 0);
      s.error = p.error;
      s.nonFiniteStep = p.nonFiniteStep;
      s.nonFiniteLoss = p.nonFiniteLoss;
      return s;
    }
  }

  /** Adds partition {@code partition}'s leaf. */
  TreeSum add(int partition, Part leaf) {
    if (partition < 0 || partition >= leaves) {
      throw new IllegalArgumentException("partition " + partition + " is outside [0, " + leaves + ")");
    }
    insert(partition, partition + 1, leaf);
    return this;
  }

  /** Adds everything {@code other} holds (Spark's {@code combOp}). */
  TreeSum merge(TreeSum other) {
    if (other.leaves != leaves) {
      throw new IllegalArgumentException("cannot merge sums over " + leaves + " and " + other.leaves + " partitions");
    }
    for (Map.Entry<Long, Part> e : other.pending.entrySet()) {
      insert((int) (e.getKey() >>> 32), (int) (long) e.getKey(), e.getValue());
    }
    return this;
  }

  /**
   * The sum over all partitions.
   *
   * @throws IllegalStateException if some partition never reported (lists which)
   */
  Part total() {
    Part root = pending.get(key(0, leaves));
    if (root == null || pending.size() != 1) {
      List<String> have = new ArrayList<>();
      for (long k : pending.keySet()) {
        have.add("[" + (k >>> 32) + ", " + (int) k + ")");
      }
      throw new IllegalStateException("the sum over " + leaves + " partitions is incomplete: only " + have + " reported");
    }
    return root;
  }

  private void insert(int lo, int hi, Part part) {
    while (!(lo == 0 && hi == leaves)) {
      int[] parent = parentOf(lo, hi);
      int mid = parent[2];
      boolean left = lo == parent[0];
      long siblingKey = left ? key(mid, parent[1]) : key(parent[0], mid);
      Part sibling = pending.remove(siblingKey);
      if (sibling == null) {
        break;
      }
      part = left ? part.plus(sibling) : sibling.plus(part);
      lo = parent[0];
      hi = parent[1];
    }
    if (pending.putIfAbsent(key(lo, hi), part) != null) {
      throw new IllegalStateException("partitions [" + lo + ", " + hi + ") were added twice");
    }
  }

  /** The node whose child is {@code [lo, hi)}, as {lo, hi, mid}. */
  private int[] parentOf(int lo, int hi) {
    int a = 0;
    int b = leaves;
    while (true) {
      int mid = (a + b) >>> 1;
      if ((lo == a && hi == mid) || (lo == mid && hi == b)) {
        return new int[] {a, b, mid};
      }
      if (hi <= mid) {
        b = mid;
      } else if (lo >= mid) {
        a = mid;
      } else {
        throw new IllegalStateException("[" + lo + ", " + hi + ") is not a node of the tree over [0, " + leaves + ")");
      }
    }
  }

  private static long key(int lo, int hi) {
    return ((long) lo << 32) | (hi & 0xffffffffL);
  }
}
