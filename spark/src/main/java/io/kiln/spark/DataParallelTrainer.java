package io.kiln.spark;

import io.kiln.runtime.TrainableModel;
import io.kiln.runtime.train.LearningRateSchedule;
import io.kiln.runtime.train.NonFiniteLossException;
import io.kiln.runtime.train.Optimizer;
import io.kiln.runtime.train.Schedules;
import io.kiln.runtime.train.Stateful;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Trains any generated Kiln model data-parallel on Apache Spark.
 *
 * <p>The driver owns the model and the optimizer; executors hold replicas whose weights are
 * overwritten from a broadcast before every piece of work, so a task carries no state from one
 * step to the next and Spark can rerun a failed task anywhere with the same result. Two modes:
 *
 * <ul>
 *   <li><b>Synchronous SGD</b> ({@link Builder#synchronous()}, the default). Each step is one Spark
 *       job: every partition computes the gradient of its {@code B/P} examples of global batch
 *       {@code s}, weighted by its share of the batch; the gradients are summed with
 *       {@code treeAggregate} in a fixed tree order ({@link TreeSum}), and the driver sets the
 *       learning rate from the schedule and commits the sum with the model's own
 *       {@code applyGradients}, the commit {@code trainStep} uses on one machine (non-finite guard,
 *       optimizer step with its gradient clipping, step count). The result equals single-machine training with batch
 *       {@code B} on the same data order, up to float rounding in the sum (bit for bit when
 *       {@code P = 1}).
 *   <li><b>Local SGD</b> ({@link Builder#localSgd(int)}). Each partition takes {@code k} optimizer
 *       steps on its own {@code B/P}-example slices, then the replicas' weights and optimizer state
 *       are averaged (weighted by share, in the same fixed order). One job per {@code k} steps:
 *       {@code k} times less communication, at the price of replicas drifting apart between
 *       averages. With {@code k = 1} and SGD (with or without momentum) it is synchronous SGD.
 * </ul>
 *
 * <p>The global batch is the single-machine batch: the loss of a generated model is a mean over
 * its batch, so a partition's gradient is scaled by {@code (B/P)/B} before the sum, giving the mean
 * over all {@code B} examples.
 *
 * <p>Checkpoints are the model's own ({@code saveCheckpoint}: weights, buffers, optimizer state,
 * step; atomic), written by the driver every {@code N} steps; a new trainer with the same settings
 * {@link #resume()}s from the last one and continues as if never interrupted, because the batch of
 * step {@code s} depends only on {@code s}.
 *
 * <p>What does not carry over exactly from one machine: batch normalization normalizes each
 * partition with its own batch statistics (as PyTorch's DistributedDataParallel without SyncBatchNorm)
 * and its running statistics are averaged over partitions; dropout masks come from each replica's
 * own generator, so a model with dropout trains correctly but not bit-reproducibly.
 *
 * <pre>{@code
 * DataParallelTrainer<KilnLeNet, Image> trainer = DataParallelTrainer
 *     .builder(() -> KilnLeNet.create(1), GradientFunction.of(rows -> new KilnLeNet.Batch(pixels(rows), labels(rows))))
 *     .optimizer(() -> new Adam(1e-3f))
 *     .globalBatch(128)
 *     .checkpoints(Path.of("runs/spark-lenet"), 500)
 *     .build();
 * try (ShardedData<Image> data = trainer.shard(images)) {
 *   trainer.resume();
 *   trainer.train(data, 10L * data.stepsPerEpoch());
 * }
 * }</pre>
 *
 * <p>A trainer is used from one driver thread.
 *
 * @param <M> the generated model class
 * @param <E> the example type of the training data
 */
public final class DataParallelTrainer<M extends TrainableModel, E> {

  /** How replicas are kept in step. */
  public enum Mode {
    /** Gradients summed every step; the same result as one machine. */
    SYNCHRONOUS,
    /** Weights and optimizer state averaged every k local steps. */
    LOCAL_SGD
  }

  /** Called on the driver after each synchronous step, or each local-SGD round. */
  @FunctionalInterface
  public interface StepListener {
    /**
     * @param step the number of steps taken so far (the model's {@code steps()})
     * @param loss the mean loss of the step's global batch (local SGD: of the round's batches)
     * @param examples examples the step or round trained on
     */
    void onStep(long step, double loss, long examples);
  }

  /**
   * What one {@link #train} call did.
   *
   * @param firstStep the step count before the call
   * @param lastStep the step count after it
   * @param meanLoss the mean training loss over the call's steps (NaN if it took none)
   * @param examples examples trained on
   * @param seconds wall-clock time
   */
  public record Report(long firstStep, long lastStep, double meanLoss, long examples, double seconds) {
    /** Training throughput, examples per second. */
    public double examplesPerSecond() {
      return examples / seconds;
    }
  }

  private final SerializableSupplier<M> modelFactory;
  private final GradientFunction<M, E> gradients;
  private final SerializableSupplier<? extends Optimizer> optimizerFactory;
  private final LearningRateSchedule schedule;
  private final Mode mode;
  private final int localSteps;
  private final int globalBatch;
  private final int partitions;
  private final Long shuffleSeed;
  private final Path checkpointDir;
  private final int checkpointEvery;
  private final int treeDepth;
  private final StepListener listener;
  private final String run = UUID.randomUUID().toString();
  private final M model;
  private final Optimizer optimizer;

  private DataParallelTrainer(Builder<M, E> b) {
    this.modelFactory = b.modelFactory;
    this.gradients = b.gradients;
    this.optimizerFactory = b.optimizerFactory;
    this.schedule = b.schedule;
    this.mode = b.mode;
    this.localSteps = b.localSteps;
    this.globalBatch = b.globalBatch;
    this.partitions = b.partitions;
    this.shuffleSeed = b.shuffleSeed;
    this.checkpointDir = b.checkpointDir;
    this.checkpointEvery = b.checkpointEvery;
    this.treeDepth = b.treeDepth;
    this.listener = b.listener;
    this.model = Objects.requireNonNull(modelFactory.get(), "the model factory returned null");
    this.optimizer = Objects.requireNonNull(optimizerFactory.get(), "the optimizer factory returned null");
    if (optimizerFactory.get() == optimizer) {
      throw new IllegalArgumentException("the optimizer factory returned the same instance twice; it must make a new "
          + "optimizer on every call (an optimizer's state belongs to one model), e.g. () -> new Adam(1e-3f)");
    }
    boolean stateful = optimizer instanceof Stateful;
    if (mode == Mode.LOCAL_SGD && !stateful) {
      throw new IllegalArgumentException("local SGD averages the optimizer's state, but " + optimizer
          + " does not implement io.kiln.runtime.train.Stateful; use Sgd, Adam or AdamW");
    }
    if (checkpointDir != null && !stateful) {
      throw new IllegalArgumentException("checkpoints save the optimizer's state, but " + optimizer
          + " does not implement io.kiln.runtime.train.Stateful; use Sgd, Adam or AdamW");
    }
  }

  /**
   * Starts configuring a trainer.
   *
   * @param model makes the model: called once on the driver (its weights are the starting point)
   *     and on executors for replicas (their weights are overwritten), e.g. {@code () -> KilnLeNet.create(1)}
   * @param gradients computes a replica's gradient on a batch of examples, see {@link GradientFunction}
   */
  public static <M extends TrainableModel, E> Builder<M, E> builder(SerializableSupplier<M> model, GradientFunction<M, E> gradients) {
    return new Builder<>(model, gradients);
  }

  /** Configures a {@link DataParallelTrainer}; every setter checks its argument at once. */
  public static final class Builder<M extends TrainableModel, E> {
    private final SerializableSupplier<M> modelFactory;
    private final GradientFunction<M, E> gradients;
    private SerializableSupplier<? extends Optimizer> optimizerFactory;
    private LearningRateSchedule schedule;
    private Mode mode = Mode.SYNCHRONOUS;
    private int localSteps = 1;
    private int globalBatch;
    private int partitions;
    private Long shuffleSeed;
    private Path checkpointDir;
    private int checkpointEvery;
    private int treeDepth = 2;
    private StepListener listener = (step, loss, examples) -> {};

    private Builder(SerializableSupplier<M> model, GradientFunction<M, E> gradients) {
      this.modelFactory = Objects.requireNonNull(model, "model factory");
      this.gradients = Objects.requireNonNull(gradients, "gradient function");
    }

    /**
     * Makes the optimizer: once on the driver (synchronous SGD updates only there) and, for local
     * SGD, once per task. Required. Must return a new instance on every call.
     */
    public Builder<M, E> optimizer(SerializableSupplier<? extends Optimizer> optimizer) {
      this.optimizerFactory = Objects.requireNonNull(optimizer, "optimizer factory");
      return this;
    }

    /**
     * Sets the learning rate before each step from {@code schedule.rate(step)}, as
     * {@link Schedules#apply} does on one machine. Evaluated on the driver only, so it need not be
     * serializable.
     */
    public Builder<M, E> schedule(LearningRateSchedule schedule) {
      this.schedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /**
     * The examples per training step, summed over all partitions: the batch size single-machine
     * training would use. Required; must be a multiple of the number of partitions.
     */
    public Builder<M, E> globalBatch(int batch) {
      if (batch < 1) {
        throw new IllegalArgumentException("the global batch must be ≥ 1, got " + batch);
      }
      this.globalBatch = batch;
      return this;
    }

    /**
     * How many partitions (parallel tasks) share each step; by default the number of partitions of
     * the data given to {@link DataParallelTrainer#shard}. Each computes {@code globalBatch / partitions}
     * examples per step, which must not exceed the model's {@code MAX_BATCH}.
     */
    public Builder<M, E> partitions(int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be ≥ 1, got " + partitions);
      }
      this.partitions = partitions;
      return this;
    }

    /** Synchronous SGD (the default): gradients summed every step. */
    public Builder<M, E> synchronous() {
      this.mode = Mode.SYNCHRONOUS;
      this.localSteps = 1;
      return this;
    }

    /**
     * Local SGD: every partition takes {@code k} steps on its own slices, then weights and
     * optimizer state are averaged over partitions. Needs an optimizer with state that can be saved
     * (Sgd, Adam, AdamW).
     */
    public Builder<M, E> localSgd(int k) {
      if (k < 1) {
        throw new IllegalArgumentException("local SGD needs k ≥ 1 local steps between averages, got " + k);
      }
      this.mode = Mode.LOCAL_SGD;
      this.localSteps = k;
      return this;
    }

    /**
     * Visits each partition's examples in a new order every epoch, drawn from {@code seed}, the
     * epoch and the partition (the same on every run). Without it every epoch follows the data's
     * own order. Examples stay in their partition: shuffle the data once before
     * {@link DataParallelTrainer#shard} for a global reshuffle.
     */
    public Builder<M, E> shuffle(long seed) {
      this.shuffleSeed = seed;
      return this;
    }

    /**
     * Writes a checkpoint to {@code dir} every {@code everySteps} steps (local SGD: at the first
     * average at or after each multiple), with the model's {@code saveCheckpoint}; see
     * {@link DataParallelTrainer#resume()}.
     */
    public Builder<M, E> checkpoints(Path dir, int everySteps) {
      if (everySteps < 1) {
        throw new IllegalArgumentException("checkpoints need an interval ≥ 1 step, got " + everySteps);
      }
      this.checkpointDir = Objects.requireNonNull(dir, "checkpoint directory");
      this.checkpointEvery = everySteps;
      return this;
    }

    /** The depth of Spark's {@code treeAggregate} (default 2); the sum's value does not depend on it. */
    public Builder<M, E> treeDepth(int depth) {
      if (depth < 1) {
        throw new IllegalArgumentException("the tree depth must be ≥ 1, got " + depth);
      }
      this.treeDepth = depth;
      return this;
    }

    /** Called on the driver after each step (or local-SGD round), e.g. for a progress bar. */
    public Builder<M, E> listener(StepListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Makes the driver's model and optimizer.
     *
     * @throws IllegalStateException if the optimizer or the global batch was not set
     * @throws IllegalArgumentException if the settings do not fit together (see the message)
     */
    public DataParallelTrainer<M, E> build() {
      if (optimizerFactory == null) {
        throw new IllegalStateException("no optimizer: call optimizer(() -> new Adam(1e-3f)) or similar");
      }
      if (globalBatch == 0) {
        throw new IllegalStateException("no global batch: call globalBatch(B) with the batch single-machine training would use");
      }
      if (partitions != 0 && globalBatch % partitions != 0) {
        throw new IllegalArgumentException(notDivisible(globalBatch, partitions));
      }
      return new DataParallelTrainer<>(this);
    }
  }

  /** The driver's model: the trained weights (live; do not change them while training). */
  public M model() {
    return model;
  }

  /** The driver's optimizer, holding the run's optimizer state. */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** Steps taken so far, counting those before a {@link #resume()}. */
  public long step() {
    return model.steps();
  }

  /** The mode this trainer runs in. */
  public Mode mode() {
    return mode;
  }

  /** Where checkpoints go ({@code <dir>/<model>.checkpoint.safetensors}), or null if none are written. */
  public Path checkpointFile() {
    return checkpointDir == null ? null : checkpointDir.resolve(model.modelName() + ".checkpoint.safetensors");
  }

  /**
   * Continues from the last checkpoint, if there is one: restores weights, buffers, optimizer state
   * and the step count into the driver's model and optimizer. Call it before {@link #train}.
   *
   * @return the step restored, or -1 if no checkpoint exists yet (training starts from the model
   *     factory's weights)
   * @throws IllegalStateException if the trainer writes no checkpoints
   * @throws IOException if the checkpoint cannot be read or belongs to another model or optimizer
   *     ({@link io.kiln.runtime.io.ModelFileException} says which); nothing changes then
   */
  public long resume() throws IOException {
    Path file = checkpointFile();
    if (file == null) {
      throw new IllegalStateException("this trainer has no checkpoint directory: configure checkpoints(dir, everySteps)");
    }
    if (!Files.exists(file)) {
      return -1;
    }
    model.loadCheckpoint(file, optimizer);
    return model.steps();
  }

  /** Lays out {@code data} for training; see {@link #shard(JavaRDD)}. */
  public ShardedData<E> shard(Dataset<E> data) {
    return shard(data.javaRDD());
  }

  /**
   * Lays out {@code data} for training (one shuffle) and caches it on the executors: example
   * {@code i} of the data's order goes to partition {@code (i mod B) / (B/P)}, so that step
   * {@code s} of every partition together is exactly global batch {@code s}. Examples must be
   * serializable. {@code data} is evaluated three times (count, index, shuffle), so cache it first
   * if computing it is expensive; after this call training reads only the cached shards.
   *
   * @throws IllegalArgumentException if the data is empty or smaller than one global batch, or the
   *     global batch is not a multiple of the number of partitions
   */
  public ShardedData<E> shard(JavaRDD<E> data) {
    Objects.requireNonNull(data, "data");
    int p = partitions != 0 ? partitions : data.getNumPartitions();
    if (globalBatch % p != 0) {
      throw new IllegalArgumentException(notDivisible(globalBatch, p));
    }
    long n = data.count();
    if (n == 0) {
      throw new IllegalArgumentException("the training data is empty: " + model.modelName() + " needs at least one global batch of "
          + globalBatch + " examples");
    }
    if (n < globalBatch) {
      throw new IllegalArgumentException("the training data has " + n + " examples, fewer than one global batch of "
          + globalBatch + "; lower globalBatch or add data");
    }
    long stepsLong = n / globalBatch;
    if (stepsLong * (globalBatch / p) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("each partition would hold " + stepsLong * (globalBatch / p)
          + " examples, more than a Java list can; use more partitions");
    }
    int stepsPerEpoch = (int) stepsLong;
    long used = stepsLong * globalBatch;
    int perPartition = globalBatch / p;
    long expected = (long) stepsPerEpoch * perPartition;
    JavaPairRDD<Long, E> indexed = data.zipWithIndex()
        .filter(t -> t._2() < used)
        .mapToPair(t -> new Tuple2<>(t._2(), t._1()));
    JavaRDD<Shard<E>> shards = indexed.partitionBy(new BatchSlices(p, globalBatch))
        .mapPartitionsWithIndex((Integer part, Iterator<Tuple2<Long, E>> rows) -> {
          List<Tuple2<Long, E>> all = new ArrayList<>();
          rows.forEachRemaining(all::add);
          if (all.size() != expected) {
            throw new IllegalStateException("partition " + part + " received " + all.size() + " examples but "
                + expected + " were expected; is the data's order deterministic (zipWithIndex needs it)?");
          }
          all.sort(Comparator.comparing(Tuple2::_1));
          List<E> examples = new ArrayList<>(all.size());
          for (Tuple2<Long, E> t : all) {
            examples.add(t._2());
          }
          return List.of(new Shard<>(part, examples)).iterator();
        }, true)
        .persist(StorageLevel.MEMORY_AND_DISK());
    shards.setName("kiln shards of " + model.modelName() + " (B=" + globalBatch + ", P=" + p + ")");
    shards.count(); // materialize now: the first step should measure training, not the shuffle
    return new ShardedData<>(shards, n, p, globalBatch, stepsPerEpoch);
  }

  /**
   * Trains until the model has taken {@code untilStep} steps in all (one epoch is
   * {@link ShardedData#stepsPerEpoch()} steps); step {@code s} trains on global batch
   * {@code s mod stepsPerEpoch} of epoch {@code s / stepsPerEpoch}. Does nothing if the model is
   * already there.
   *
   * @throws IllegalArgumentException if {@code data} was sharded for another batch or partition
   *     count, or the gradient function rejected a batch (the message names the step and partition)
   * @throws NonFiniteLossException if a loss or gradient became NaN or infinite; the model and
   *     optimizer are left as they were before that step (or round)
   * @throws IOException if writing a checkpoint fails
   */
  public Report train(ShardedData<E> data, long untilStep) throws IOException {
    Objects.requireNonNull(data, "data");
    if (data.globalBatch() != globalBatch || (partitions != 0 && data.partitions() != partitions)) {
      throw new IllegalArgumentException("the data was sharded for global batch " + data.globalBatch() + " on "
          + data.partitions() + " partitions but this trainer uses global batch " + globalBatch
          + (partitions != 0 ? " on " + partitions + " partitions" : "") + "; shard it with this trainer");
    }
    if (untilStep < 0) {
      throw new IllegalArgumentException("untilStep must be ≥ 0, got " + untilStep);
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.shards.context());
    long first = model.steps();
    long start = System.nanoTime();
    double lossSum = 0;
    long examples = 0;
    while (model.steps() < untilStep) {
      long step = model.steps();
      int k = mode == Mode.SYNCHRONOUS ? 1 : (int) Math.min(localSteps - step % localSteps, untilStep - step);
      TreeSum.Part total = mode == Mode.SYNCHRONOUS ? synchronousStep(sc, data, step) : localRound(sc, data, step, k);
      lossSum += total.loss * k;
      examples += total.examples;
      listener.onStep(model.steps(), total.loss, total.examples);
      if (checkpointDir != null && model.steps() / checkpointEvery > step / checkpointEvery) {
        Files.createDirectories(checkpointDir);
        model.saveCheckpoint(checkpointFile(), optimizer);
      }
    }
    long steps = model.steps() - first;
    return new Report(first, model.steps(), steps == 0 ? Double.NaN : lossSum / steps, examples,
        (System.nanoTime() - start) / 1e9);
  }

  private TreeSum.Part synchronousStep(JavaSparkContext sc, ShardedData<E> data, long step) {
    Broadcast<Snapshot> weights = sc.broadcast(Snapshot.of(model, null, null));
    TreeSum.Part total;
    try {
      total = data.shards.treeAggregate(new TreeSum(data.partitions()),
          new GradientTask<>(run, modelFactory, gradients, weights, step, data.globalBatch(), data.partitions(),
              data.stepsPerEpoch(), shuffleSeed),
          TreeSum::merge, treeDepth).total();
    } finally {
      weights.destroy();
    }
    throwIfFailed(total);
    if (!Double.isFinite(total.loss)) {
      throw new NonFiniteLossException(model.modelName(), (float) total.loss, step + 1);
    }
    int n = model.parameterSlab().length;
    System.arraycopy(total.vector, 0, model.gradientSlab(), 0, n);
    float rateBefore = optimizer.learningRate();
    if (schedule != null) {
      Schedules.apply(optimizer, schedule, step);
    }
    try {
      model.applyGradients(optimizer); // the model's own commit: non-finite guard, optimizer step, step count
    } catch (NonFiniteLossException e) {
      optimizer.setLearningRate(rateBefore);
      throw e;
    }
    Snapshot.setState(model, total.vector, n);
    return total;
  }

  private TreeSum.Part localRound(JavaSparkContext sc, ShardedData<E> data, long step, int k) {
    float[] rates = null;
    if (schedule != null) {
      rates = new float[k];
      for (int j = 0; j < k; j++) {
        rates[j] = schedule.rate(step + j);
      }
    }
    Stateful state = (Stateful) optimizer;
    Broadcast<Snapshot> weights = sc.broadcast(Snapshot.of(model, Snapshot.OptimizerSnapshot.of(state.state()), rates));
    TreeSum.Part total;
    try {
      total = data.shards.treeAggregate(new TreeSum(data.partitions()),
          new LocalSgdTask<>(run, modelFactory, gradients, optimizerFactory, weights, step, k, data.globalBatch(),
              data.partitions(), data.stepsPerEpoch(), shuffleSeed),
          TreeSum::merge, treeDepth).total();
    } finally {
      weights.destroy();
    }
    throwIfFailed(total);
    int n = model.parameterSlab().length;
    int s = Snapshot.state(model).length;
    for (int i = 0; i < n + s; i++) {
      if (!Float.isFinite(total.vector[i])) {
        throw new NonFiniteLossException(model.modelName(), (float) total.loss, step + k);
      }
    }
    // All checks passed: commit weights, state and the averaged optimizer state together.
    String[] names = total.optimizerBuffers == null ? new String[0] : total.optimizerBuffers;
    float[][] buffers = new float[names.length][];
    for (int b = 0; b < names.length; b++) {
      buffers[b] = new float[n];
      System.arraycopy(total.vector, n + s + b * n, buffers[b], 0, n);
    }
    float lr = rates != null ? rates[k - 1] : optimizer.learningRate();
    long optimizerSteps = state.state().steps() + k;
    state.restore(new Snapshot.OptimizerSnapshot(state.kind(), optimizerSteps, lr, names, buffers).toState());
    System.arraycopy(total.vector, 0, model.parameterSlab(), 0, n);
    Snapshot.setState(model, total.vector, n);
    model.setSteps(step + k);
    return total;
  }

  private void throwIfFailed(TreeSum.Part total) {
    if (total.error != null) {
      throw new IllegalArgumentException(total.error);
    }
    if (total.nonFiniteStep >= 0) {
      throw new NonFiniteLossException(model.modelName(), total.nonFiniteLoss, total.nonFiniteStep + 1);
    }
  }

  private static String notDivisible(int batch, int partitions) {
    return "the global batch " + batch + " is not a multiple of the " + partitions + " partitions; every partition must get "
        + "the same share of each step. Use a global batch such as " + (batch / partitions + 1) * partitions
        + ", or partitions(P) with a P that divides " + batch;
  }

  /** Sends example {@code i} to the partition that owns its slice of batch {@code i / B}. */
  static final class BatchSlices extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;
    private final int batch;

    BatchSlices(int partitions, int batch) {
      this.partitions = partitions;
      this.batch = batch;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      long i = (Long) key;
      return (int) (i % batch) / (batch / partitions);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BatchSlices b && b.partitions == partitions && b.batch == batch;
    }

    @Override
    public int hashCode() {
      return 31 * partitions + batch;
    }
  }

  /** What every executor-side task needs to find its replica and its examples. */
  abstract static class Task<M extends TrainableModel, E> implements Function2<TreeSum, Shard<E>, TreeSum>, Serializable {
    private static final long serialVersionUID = 1L;
    final String run;
    final SerializableSupplier<M> modelFactory;
    final GradientFunction<M, E> gradients;
    final Broadcast<Snapshot> weights;
    final long step;
    final int globalBatch;
    final int perPartition;
    final int stepsPerEpoch;
    final Long shuffleSeed;

    Task(String run, SerializableSupplier<M> modelFactory, GradientFunction<M, E> gradients, Broadcast<Snapshot> weights,
        long step, int globalBatch, int partitions, int stepsPerEpoch, Long shuffleSeed) {
      this.run = run;
      this.modelFactory = modelFactory;
      this.gradients = gradients;
      this.weights = weights;
      this.step = step;
      this.globalBatch = globalBatch;
      this.perPartition = globalBatch / partitions;
      this.stepsPerEpoch = stepsPerEpoch;
      this.shuffleSeed = shuffleSeed;
    }

    @Override
    public TreeSum call(TreeSum sum, Shard<E> shard) {
      M model = Replicas.borrow(run, modelFactory);
      try {
        weights.value().loadInto(model);
        return sum.add(shard.partition, compute(model, shard));
      } catch (IllegalArgumentException e) {
        // A bad batch or model is the same on every attempt: report it instead of letting Spark retry it.
        return sum.add(shard.partition, TreeSum.Part.error("step " + (step + 1) + ", partition " + shard.partition + ": " + e.getMessage()));
      } finally {
        Replicas.giveBack(run, model);
      }
    }

    abstract TreeSum.Part compute(M model, Shard<E> shard);

    /** The share of the global batch one partition's mean stands for. */
    float weight(int examples) {
      return examples / (float) globalBatch;
    }
  }

  /** Synchronous SGD: one partition's weighted gradient (and batch-norm state) for one step. */
  static final class GradientTask<M extends TrainableModel, E> extends Task<M, E> {
    private static final long serialVersionUID = 1L;

    GradientTask(String run, SerializableSupplier<M> modelFactory, GradientFunction<M, E> gradients, Broadcast<Snapshot> weights,
        long step, int globalBatch, int partitions, int stepsPerEpoch, Long shuffleSeed) {
      super(run, modelFactory, gradients, weights, step, globalBatch, partitions, stepsPerEpoch, shuffleSeed);
    }

    @Override
    TreeSum.Part compute(M model, Shard<E> shard) {
      List<E> batch = shard.batch(step, perPartition, stepsPerEpoch, shuffleSeed);
      float loss = gradients.computeGradients(model, batch);
      float w = weight(batch.size());
      float[] g = model.gradientSlab();
      float[] state = Snapshot.state(model);
      float[] v = new float[g.length + state.length];
      for (int i = 0; i < g.length; i++) {
        v[i] = g[i] * w;
      }
      for (int i = 0; i < state.length; i++) {
        v[g.length + i] = state[i] * w;
      }
      return new TreeSum.Part(v, (double) loss * w, batch.size());
    }
  }

  /** Local SGD: one partition's replica after k local steps, weighted, with its optimizer state. */
  static final class LocalSgdTask<M extends TrainableModel, E> extends Task<M, E> {
    private static final long serialVersionUID = 1L;
    private final SerializableSupplier<? extends Optimizer> optimizerFactory;
    private final int k;

    LocalSgdTask(String run, SerializableSupplier<M> modelFactory, GradientFunction<M, E> gradients,
        SerializableSupplier<? extends Optimizer> optimizerFactory, Broadcast<Snapshot> weights, long step, int k,
        int globalBatch, int partitions, int stepsPerEpoch, Long shuffleSeed) {
      super(run, modelFactory, gradients, weights, step, globalBatch, partitions, stepsPerEpoch, shuffleSeed);
      this.optimizerFactory = optimizerFactory;
      this.k = k;
    }

    @Override
    TreeSum.Part compute(M model, Shard<E> shard) {
      Snapshot snap = weights.value();
      Optimizer opt = optimizerFactory.get();
      Stateful stateful = (Stateful) opt;
      if (snap.optimizer().steps() > 0) {
        stateful.restore(snap.optimizer().toState());
      }
      float[] params = model.parameterSlab();
      int n = params.length;
      double lossSum = 0;
      long examples = 0;
      for (int j = 0; j < k; j++) {
        if (snap.learningRates() != null) {
          opt.setLearningRate(snap.learningRates()[j]);
        }
        List<E> batch = shard.batch(step + j, perPartition, stepsPerEpoch, shuffleSeed);
        float loss = gradients.computeGradients(model, batch);
        if (!Float.isFinite(loss)) {
          return TreeSum.Part.nonFinite(step + j, loss);
        }
        try {
          model.applyGradients(opt);
        } catch (NonFiniteLossException e) {
          return TreeSum.Part.nonFinite(step + j, loss);
        }
        lossSum += loss;
        examples += batch.size();
      }
      float w = weight(perPartition);
      float[] state = Snapshot.state(model);
      io.kiln.runtime.train.OptimizerState os = stateful.state();
      String[] names = os.buffers().keySet().toArray(new String[0]);
      float[] v = new float[n + state.length + names.length * n];
      for (int i = 0; i < n; i++) {
        v[i] = params[i] * w;
      }
      for (int i = 0; i < state.length; i++) {
        v[n + i] = state[i] * w;
      }
      for (int b = 0; b < names.length; b++) {
        float[] buf = os.buffers().get(names[b]);
        int at = n + state.length + b * n;
        for (int i = 0; i < n; i++) {
          v[at + i] = buf[i] * w;
        }
      }
      TreeSum.Part part = new TreeSum.Part(v, lossSum / k * w, examples);
      part.optimizerBuffers = names;
      return part;
    }
  }
}
