package io.kiln.spark.samples;

import io.kiln.runtime.data.Dataset;
import io.kiln.runtime.train.Adam;
import io.kiln.runtime.train.Optimizer;
import io.kiln.tools.ProgressBar;
import io.kiln.samples.cli.CommandLine;
import io.kiln.samples.cli.InputFiles;
import io.kiln.samples.cli.UsageException;
import io.kiln.samples.data.FashionMnist;
import io.kiln.samples.lenet.KilnLeNet;
import io.kiln.samples.train.Args;
import io.kiln.spark.BulkInference;
import io.kiln.spark.DataParallelTrainer;
import io.kiln.spark.SerializableSupplier;
import io.kiln.spark.ShardedData;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * LeNet on Fashion-MNIST trained data-parallel on Spark: the single-machine sample
 * ({@code ./kiln lenet}) with the training loop replaced by a {@link DataParallelTrainer} and the
 * test-set evaluation by {@link BulkInference}.
 *
 * <pre>
 * ./kiln-spark lenet [--master local[2]] [--mode sync|local] [--k 8] [--partitions 2] [--batch 64]
 *                    [--epochs 10] [--lr 0.001] [--seed 1] [--data DIR] [--out runs/spark-lenet]
 *                    [--checkpoint-every 500]
 * </pre>
 *
 * <p>{@code --batch} is the global batch, as on one machine (each of the {@code --partitions}
 * tasks computes {@code batch / partitions} of it). With a checkpoint in {@code --out} the run
 * resumes where it stopped. Under {@code spark-submit} leave {@code --master} out: the cluster's
 * master applies.
 */
public final class SparkLeNet {
  private SparkLeNet() {}

  /** One image: 784 grey levels 0..255 (bytes keep the shipped data 4× smaller than floats) and its class. */
  public record Image(byte[] pixels, int label) implements Serializable {}

  private static final int PIXELS = 28 * 28;
  private static final float[] SCALE = new float[256];

  static {
    for (int i = 0; i < 256; i++) {
      SCALE[i] = i / 255f; // exactly the floats the IDX reader gives the single-machine sample
    }
  }

  /** Packs a batch into LeNet's image input, [B, 1, 28, 28]. */
  static float[] pixels(List<Image> batch) {
    float[] x = new float[batch.size() * PIXELS];
    for (int i = 0; i < batch.size(); i++) {
      byte[] p = batch.get(i).pixels();
      for (int j = 0; j < PIXELS; j++) {
        x[i * PIXELS + j] = SCALE[p[j] & 0xff];
      }
    }
    return x;
  }

  static int[] labels(List<Image> batch) {
    int[] y = new int[batch.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = batch.get(i).label();
    }
    return y;
  }

  /** The gradient function: the only model-specific code of the run. */
  static float gradients(KilnLeNet model, List<Image> batch) {
    return model.computeGradients(pixels(batch), labels(batch));
  }

  /** Scores a batch: 1 if LeNet's class is right, 0 if not. */
  static List<Integer> correct(KilnLeNet model, List<Image> batch) {
    int[] predicted = model.classify(pixels(batch));
    List<Integer> out = new ArrayList<>(predicted.length);
    for (int i = 0; i < predicted.length; i++) {
      out.add(predicted[i] == batch.get(i).label() ? 1 : 0);
    }
    return out;
  }

  static List<Image> images(Dataset data) {
    List<Image> out = new ArrayList<>(data.size());
    float[] f = new float[PIXELS];
    for (int i = 0; i < data.size(); i++) {
      data.copyFeatures(i, f, 0);
      byte[] b = new byte[PIXELS];
      for (int j = 0; j < PIXELS; j++) {
        b[j] = (byte) Math.round(f[j] * 255f);
      }
      out.add(new Image(b, data.label(i)));
    }
    return out;
  }

  static final String USAGE = "usage: ./kiln-spark lenet [--master local[2]] [--mode sync|local] [--k 8] [--partitions 2] "
      + "[--batch 64] [--epochs N] [--lr 0.001] [--seed 1] [--data DIR] [--out runs/spark-lenet] [--checkpoint-every 500]";

  public static void main(String[] args) {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(USAGE);
      return;
    }
    int status = CommandLine.run("kiln-spark lenet", () -> command(args, System.out), System.err, CommandLine.debugRequested());
    System.out.flush();
    if (status != CommandLine.OK) {
      System.exit(status);
    }
  }

  /** {@code ./kiln-spark lenet [options]}: every option is checked, and {@code --out} created, before Spark starts. */
  static void command(String[] args, PrintStream out) throws IOException {
    Args a = Args.parse("lenet", args, "master", "mode", "k", "partitions", "batch", "epochs", "lr", "seed", "data", "out",
        "checkpoint-every");
    String mode = a.choice("mode", "sync", "sync", "local");
    int k = a.intValue("k", 8, 1, Integer.MAX_VALUE);
    int partitions = a.intValue("partitions", 2, 1, KilnLeNet.MAX_BATCH);
    // each partition computes batch / partitions examples of a step, at most the model's MAX_BATCH
    int batch = a.intValue("batch", 64, partitions, partitions * KilnLeNet.MAX_BATCH);
    if (batch % partitions != 0) {
      throw new UsageException("--batch needs a multiple of --partitions (" + partitions + ") but got '" + batch + "'");
    }
    int epochs = a.intValue("epochs", 0, 1, Integer.MAX_VALUE); // 0: the default, chosen below by the data's size
    float lr = a.positiveFloat("lr", 1e-3f);
    long seed = a.longValue("seed", 1);
    int checkpointEvery = a.intValue("checkpoint-every", 500, 1, Integer.MAX_VALUE);
    String master = a.string("master", null);
    Path outDir = InputFiles.outputDirectory(a.path("out", Path.of("runs", "spark-lenet")), "--out");
    FashionMnist.Splits data = FashionMnist.load(a.path("data"), out);
    SparkSession.Builder spark = SparkSession.builder().appName("kiln-spark-lenet");
    if (master != null || System.getProperty("spark.master") == null) {
      spark.master(master == null ? "local[2]" : master);
    }
    SparkSession session = spark.getOrCreate();
    session.sparkContext().setLogLevel("WARN");
    try {
      run(session, data, mode, k, partitions, batch, epochs == 0 ? data.defaultEpochs() : epochs, lr, seed, outDir, checkpointEvery,
          out);
    } finally {
      session.stop();
    }
  }

  /**
   * Trains and reports test accuracy after every epoch; returns the last accuracy. Creates
   * {@code out} if needed and always ends by writing the weights ({@code lenet.safetensors}) and a
   * checkpoint of the last step there, however few steps were taken.
   */
  public static double run(SparkSession session, FashionMnist.Splits data, String mode, int k, int partitions, int batch,
      int epochs, float lr, long seed, Path out, int checkpointEvery, PrintStream log) throws IOException {
    // the trainer creates the directory only when it writes a periodic checkpoint: a run shorter
    // than --checkpoint-every would otherwise train and then fail to save its weights
    Files.createDirectories(out);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
    JavaRDD<Image> train = sc.parallelize(images(data.train()), partitions);
    JavaRDD<Image> test = sc.parallelize(images(data.test()), partitions).cache();
    SerializableSupplier<Optimizer> adam = () -> new Adam(lr);
    DataParallelTrainer.Builder<KilnLeNet, Image> builder = DataParallelTrainer
        .<KilnLeNet, Image>builder(() -> KilnLeNet.create(seed), SparkLeNet::gradients)
        .optimizer(adam)
        .globalBatch(batch)
        .partitions(partitions)
        .shuffle(seed)
        .checkpoints(out, checkpointEvery);
    switch (mode) {
      case "sync" -> builder.synchronous();
      case "local" -> builder.localSgd(k);
      default -> throw new IllegalArgumentException("spark lenet: --mode must be sync or local, got '" + mode + "'");
    }
    // A progress bar per epoch, fed by the trainer after every step (local SGD: every round of k steps).
    ProgressBar[] bar = new ProgressBar[1];
    long[] reported = new long[1];
    builder.listener((step, loss, examples) -> {
      int steps = (int) (step - reported[0]);
      reported[0] = step;
      for (int i = 0; i < steps && bar[0] != null; i++) {
        bar[0].step((int) (examples / steps), loss);
      }
    });
    DataParallelTrainer<KilnLeNet, Image> trainer = builder.build();
    log.println(KilnLeNet.summary());
    double accuracy = Double.NaN;
    try (ShardedData<Image> shards = trainer.shard(train)) {
      long resumed = trainer.resume();
      log.printf(Locale.ROOT, "Spark %s, master %s: %s SGD%s on %d partitions, global batch %d (%d per partition), Adam lr %s; "
              + "%,d training images (%d steps an epoch), %,d test images%s%n",
          session.version(), session.sparkContext().master(), mode.equals("sync") ? "synchronous" : "local", mode.equals("sync") ? "" : " (k=" + k + ")",
          partitions, batch, batch / partitions, lr, shards.examples(), shards.stepsPerEpoch(), data.test().size(),
          resumed >= 0 ? "; resumed at step " + resumed : "");
      for (int epoch = 1; epoch <= epochs; epoch++) {
        long until = (long) epoch * shards.stepsPerEpoch();
        if (trainer.step() >= until) {
          continue;
        }
        DataParallelTrainer.Report r;
        reported[0] = trainer.step();
        try (ProgressBar b = new ProgressBar("epoch " + epoch + "/" + epochs, until - trainer.step())) {
          bar[0] = b;
          r = trainer.train(shards, until);
        }
        long t0 = System.nanoTime();
        accuracy = BulkInference.score(test, trainer.model(), () -> KilnLeNet.create(0), KilnLeNet.MAX_BATCH, SparkLeNet::correct)
            .reduce(Integer::sum) / (double) data.test().size();
        double evalSeconds = (System.nanoTime() - t0) / 1e9;
        log.printf(Locale.ROOT, "epoch %d: train loss %.4f, test accuracy %.2f%%, %.1f s (%.0f images/s, %.1f ms/step); test scored in %.1f s%n",
            epoch, r.meanLoss(), 100 * accuracy, r.seconds(), r.examplesPerSecond(), 1000 * r.seconds() / (r.lastStep() - r.firstStep()),
            evalSeconds);
      }
    }
    Path weights = out.resolve("lenet.safetensors");
    trainer.model().save(weights);
    // the last periodic checkpoint may be steps behind, or missing: resuming should start from here
    trainer.model().saveCheckpoint(trainer.checkpointFile(), trainer.optimizer());
    log.println("weights: " + weights + "; checkpoint: " + trainer.checkpointFile());
    return accuracy;
  }
}
