package io.kiln.spark;

import io.kiln.runtime.train.Adam;
import java.io.IOException;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;

/**
 * Not a test: measures the fixed cost of a Spark job in local mode, the {@code J} of the cost model
 * in docs/scale-out.md, next to a synchronous step of a model whose computation is negligible.
 * Run it as docs/scale-out.md shows; the first round includes JIT warm-up.
 */
public final class JobOverhead {
  private JobOverhead() {}

  public static void main(String[] args) throws IOException {
    int n = 200;
    JavaRDD<Integer> rdd = SparkTests.sc().parallelize(List.of(1, 2), 2).cache();
    rdd.count();
    float[] weights = new float[61_706]; // LeNet's parameter count
    for (int round = 0; round < 2; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        rdd.count();
      }
      double count = (System.nanoTime() - t0) / 1e6 / n;
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        rdd.treeAggregate(0, (x, y) -> x + y, Integer::sum, 2);
      }
      double aggregate = (System.nanoTime() - t0) / 1e6 / n;
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        Broadcast<float[]> b = SparkTests.sc().broadcast(weights.clone());
        rdd.treeAggregate(new float[0], (x, y) -> b.value().clone(), (x, y) -> x.length > 0 ? x : y, 2);
        b.destroy();
      }
      double vectors = (System.nanoTime() - t0) / 1e6 / n;
      DataParallelTrainer<KilnTinyNet, SparkTests.Row> trainer = DataParallelTrainer
          .<KilnTinyNet, SparkTests.Row>builder(() -> KilnTinyNet.create(1), SparkTests.GRADIENTS)
          .optimizer(() -> new Adam(0.01f)).globalBatch(32).partitions(2).build();
      try (ShardedData<SparkTests.Row> data = trainer.shard(SparkTests.rdd(SparkTests.blobs(256, 1), 2))) {
        DataParallelTrainer.Report r = trainer.train(data, n);
        System.out.printf("round %d (ms per job): count %.1f; treeAggregate %.1f; treeAggregate with a broadcast and returned "
            + "vector of 61,706 floats %.1f; TinyNet synchronous step on 2 partitions %.1f%n",
            round, count, aggregate, vectors, 1000 * r.seconds() / n);
      }
    }
  }
}
