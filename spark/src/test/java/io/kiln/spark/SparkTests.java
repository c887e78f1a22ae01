package io.kiln.spark;

import io.kiln.runtime.train.LearningRateSchedule;
import io.kiln.runtime.train.Optimizer;
import io.kiln.runtime.train.Schedules;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * What the Spark tests share: one local Spark session for the whole test JVM (starting one takes
 * seconds), a small synthetic data set and the single-machine reference loop.
 */
public final class SparkTests {
  /** Two executor threads, and up to four attempts per task so injected failures are retried. */
  static final String MASTER = "local[2,4]";
  static final long SEED = 7;
  static final int FEATURES = 4;

  private static SparkSession session;

  private SparkTests() {}

  public static synchronized SparkSession spark() {
    if (session == null) {
      session = SparkSession.builder()
          .master(MASTER)
          .appName("kiln-spark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.default.parallelism", "2")
          .getOrCreate();
      session.sparkContext().setLogLevel("ERROR");
    }
    return session;
  }

  static JavaSparkContext sc() {
    return JavaSparkContext.fromSparkContext(spark().sparkContext());
  }

  /** One example: four features and a class in [0, 3). */
  public record Row(float[] x, int label) implements Serializable {}

  /** {@code n} examples from three Gaussian blobs, the same for the same seed. */
  static List<Row> blobs(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] centers = {{1, 0, -1, 0.5f}, {-1, 1, 0, -0.5f}, {0, -1, 1, 0}};
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int c = rng.nextInt(3);
      float[] x = new float[FEATURES];
      for (int j = 0; j < FEATURES; j++) {
        x[j] = centers[c][j] + (float) (rng.nextGaussian() * 0.8);
      }
      rows.add(new Row(x, c));
    }
    return rows;
  }

  static JavaRDD<Row> rdd(List<Row> rows, int slices) {
    return sc().parallelize(rows, slices);
  }

  static float[] features(List<Row> batch) {
    float[] x = new float[batch.size() * FEATURES];
    for (int i = 0; i < batch.size(); i++) {
      System.arraycopy(batch.get(i).x(), 0, x, i * FEATURES, FEATURES);
    }
    return x;
  }

  static int[] labels(List<Row> batch) {
    int[] y = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      y[i] = batch.get(i).label();
    }
    return y;
  }

  /** Rows as the generated model's batch record: the only model-specific code a run needs. */
  static KilnTinyNet.Batch batch(List<Row> rows) {
    return new KilnTinyNet.Batch(features(rows), labels(rows));
  }

  /** The gradient function every test uses, as a user would write it. */
  static final GradientFunction<KilnTinyNet, Row> GRADIENTS = GradientFunction.of(SparkTests::batch);

  static float gradients(KilnTinyNet model, List<Row> batch) {
    return GRADIENTS.computeGradients(model, batch);
  }

  /** Single-machine training: step s trains on rows [(s mod N/B)·B, +B), the schedule applied first. */
  static KilnTinyNet singleMachine(List<Row> data, int batch, long steps, Optimizer optimizer, LearningRateSchedule schedule) {
    KilnTinyNet model = KilnTinyNet.create(SEED);
    int perEpoch = data.size() / batch;
    for (long s = 0; s < steps; s++) {
      int from = (int) (s % perEpoch) * batch;
      List<Row> rows = data.subList(from, from + batch);
      if (schedule != null) {
        Schedules.apply(optimizer, schedule, s);
      }
      model.trainStep(batch(rows), optimizer);
    }
    return model;
  }

  static double maxAbsDifference(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  static double maxAbs(float[] a) {
    double max = 0;
    for (float v : a) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
