package io.kiln.spark;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.spark.SparkTests.SEED;
import static io.kiln.spark.SparkTests.blobs;
import static io.kiln.spark.SparkTests.maxAbs;
import static io.kiln.spark.SparkTests.maxAbsDifference;
import static io.kiln.spark.SparkTests.rdd;
import static io.kiln.spark.SparkTests.singleMachine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.io.Checkpoints;
import io.kiln.runtime.io.ModelFileException;
import io.kiln.runtime.train.Adam;
import io.kiln.runtime.train.CosineDecay;
import io.kiln.runtime.train.LearningRateSchedule;
import io.kiln.runtime.train.LinearWarmup;
import io.kiln.runtime.train.NonFiniteLossException;
import io.kiln.runtime.train.Optimizer;
import io.kiln.runtime.train.OptimizerState;
import io.kiln.runtime.train.Sgd;
import io.kiln.runtime.train.Stateful;
import io.kiln.spark.SparkTests.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on a local Spark: the same weights as one machine, retried tasks that
 * lose nothing, checkpoints that resume exactly, and clear errors for bad input.
 */
class DataParallelTrainerTest {
  /** 256 examples: 8 steps an epoch at batch 32, so the tests cross epoch boundaries. */
  private static final List<Row> DATA = blobs(256, 11);
  private static final int BATCH = 32;

  /** Counts injected task failures (local mode: executors run in this JVM). */
  private static final AtomicInteger INJECTED = new AtomicInteger();
  /** Gradient calls per task attempt. */
  private static final Map<Long, Integer> CALLS = new ConcurrentHashMap<>();

  private static SerializableSupplier<Optimizer> adam() {
    return () -> Adam.builder(0.01f).clipGlobalNorm(1.0f).build();
  }

  private static SerializableSupplier<Optimizer> momentumSgd() {
    return () -> Sgd.builder(0.1f).momentum(0.9f).clipGlobalNorm(2.0f).build();
  }

  private static LearningRateSchedule schedule() {
    return new LinearWarmup(4, new CosineDecay(0.05f, 40, 0.001f));
  }

  private static DataParallelTrainer.Builder<KilnTinyNet, Row> builder(int partitions) {
    return DataParallelTrainer.<KilnTinyNet, Row>builder(() -> KilnTinyNet.create(SEED), SparkTests.GRADIENTS)
        .globalBatch(BATCH)
        .partitions(partitions);
  }

  private static KilnTinyNet train(DataParallelTrainer<KilnTinyNet, Row> trainer, JavaRDD<Row> data, long steps) throws IOException {
    try (ShardedData<Row> shards = trainer.shard(data)) {
      trainer.train(shards, steps);
    }
    return trainer.model();
  }

  @Test
  void oneSynchronousPartitionIsSingleMachineTrainingBitForBit() throws IOException {
    KilnTinyNet spark = train(builder(1).optimizer(adam()).schedule(schedule()).build(), rdd(DATA, 3), 20);
    KilnTinyNet local = singleMachine(DATA, BATCH, 20, adam().get(), schedule());
    assertThat(spark.steps()).isEqualTo(20);
    assertArrayEquals(local.parameterSlab(), spark.parameterSlab());
  }

  @Test
  void synchronousSgdOnFourPartitionsMatchesOneMachineWithTheSameGlobalBatch() throws IOException {
    long steps = 30; // almost four epochs
    Optimizer localSgd = momentumSgd().get();
    KilnTinyNet local = singleMachine(DATA, BATCH, steps, localSgd, schedule());
    DataParallelTrainer<KilnTinyNet, Row> trainer = builder(4).optimizer(momentumSgd()).schedule(schedule()).build();
    KilnTinyNet spark = train(trainer, rdd(DATA, 3), steps);

    KilnTinyNet start = KilnTinyNet.create(SEED);
    double moved = maxAbsDifference(start.parameterSlab(), local.parameterSlab());
    double diff = maxAbsDifference(local.parameterSlab(), spark.parameterSlab());
    assertThat(moved).isGreaterThan(0.1); // training really moved the weights ...
    assertThat(diff).isLessThan(1e-5 * Math.max(1, maxAbs(local.parameterSlab()))); // ... the same way
    // The optimizer state (momentum buffers, step count, scheduled rate) agrees too.
    OptimizerState expected = ((Stateful) localSgd).state();
    OptimizerState actual = ((Stateful) trainer.optimizer()).state();
    assertThat(actual.steps()).isEqualTo(expected.steps());
    assertThat(actual.learningRate()).isEqualTo(expected.learningRate());
    assertThat(maxAbsDifference(expected.buffers().get(Sgd.MOMENTUM_BUFFER), actual.buffers().get(Sgd.MOMENTUM_BUFFER)))
        .isLessThan(1e-5 * Math.max(1, maxAbs(expected.buffers().get(Sgd.MOMENTUM_BUFFER))));

    // The fixed-order sum makes a second run identical to the bit.
    KilnTinyNet again = train(builder(4).optimizer(momentumSgd()).schedule(schedule()).build(), rdd(DATA, 2), steps);
    assertArrayEquals(spark.parameterSlab(), again.parameterSlab());
  }

  @Test
  void shuffledEpochsOnADatasetAreSingleMachineTrainingOnTheSameOrder() throws IOException {
    long shuffle = 5;
    long steps = 20; // two and a half epochs, each in its own order
    org.apache.spark.sql.Dataset<Row> rows =
        SparkTests.spark().createDataset(DATA, org.apache.spark.sql.Encoders.javaSerialization(Row.class));
    DataParallelTrainer<KilnTinyNet, Row> trainer = builder(1).optimizer(adam()).shuffle(shuffle).build();
    try (ShardedData<Row> data = trainer.shard(rows)) {
      trainer.train(data, steps);
    }

    KilnTinyNet local = KilnTinyNet.create(SEED);
    Optimizer optimizer = adam().get();
    int perEpoch = DATA.size() / BATCH;
    for (long s = 0; s < steps; s++) {
      int[] order = Shard.permutation(DATA.size(), shuffle, s / perEpoch, 0);
      List<Row> batch = new ArrayList<>();
      for (int i = 0; i < BATCH; i++) {
        batch.add(DATA.get(order[(int) (s % perEpoch) * BATCH + i]));
      }
      local.trainStep(SparkTests.batch(batch), optimizer);
    }
    assertArrayEquals(local.parameterSlab(), trainer.model().parameterSlab());
    assertThat(Shard.permutation(DATA.size(), shuffle, 0, 0)).isNotEqualTo(Shard.permutation(DATA.size(), shuffle, 1, 0));
  }

  @Test
  void failedTasksAreRetriedFromTheBroadcastWeightsAndLoseNothing() throws IOException {
    long steps = 12;
    KilnTinyNet clean = train(builder(2).optimizer(adam()).build(), rdd(DATA, 2), steps);

    INJECTED.set(0);
    GradientFunction<KilnTinyNet, Row> flaky = (model, batch) -> {
      float loss = SparkTests.gradients(model, batch);
      TaskContext task = TaskContext.get();
      if (task.partitionId() == 1 && task.attemptNumber() == 0) {
        // Leave the replica damaged, as a crash mid-update would, then fail the task.
        java.util.Arrays.fill(model.parameterSlab(), 1e3f);
        INJECTED.incrementAndGet();
        throw new IllegalStateException("injected failure on the first attempt");
      }
      return loss;
    };
    DataParallelTrainer<KilnTinyNet, Row> trainer = DataParallelTrainer.builder(() -> KilnTinyNet.create(SEED), flaky)
        .globalBatch(BATCH).partitions(2).optimizer(adam()).build();
    KilnTinyNet retried = train(trainer, rdd(DATA, 2), steps);

    assertThat(INJECTED.get()).isEqualTo((int) steps); // every step's partition-1 task failed once
    assertArrayEquals(clean.parameterSlab(), retried.parameterSlab());
  }

  @Test
  void localSgdRoundsSurviveRetriedTasks() throws IOException {
    long steps = 12;
    KilnTinyNet clean = train(builder(2).optimizer(adam()).localSgd(3).build(), rdd(DATA, 2), steps);

    INJECTED.set(0);
    GradientFunction<KilnTinyNet, Row> flaky = (model, batch) -> {
      float loss = SparkTests.gradients(model, batch);
      TaskContext task = TaskContext.get();
      int call = CALLS.merge(task.taskAttemptId(), 1, Integer::sum);
      if (task.partitionId() == 0 && task.attemptNumber() == 0 && call == 2 && INJECTED.get() < 2) {
        INJECTED.incrementAndGet(); // fail in the middle of a round, after a local step has changed the replica
        throw new IllegalStateException("injected failure on the first attempt");
      }
      return loss;
    };
    DataParallelTrainer<KilnTinyNet, Row> trainer = DataParallelTrainer.builder(() -> KilnTinyNet.create(SEED), flaky)
        .globalBatch(BATCH).partitions(2).optimizer(adam()).localSgd(3).build();
    KilnTinyNet retried = train(trainer, rdd(DATA, 2), steps);

    assertThat(INJECTED.get()).isEqualTo(2);
    assertArrayEquals(clean.parameterSlab(), retried.parameterSlab());
  }

  @Test
  void aKilledRunResumesFromItsLastCheckpointAsIfUninterrupted(@TempDir Path dir) throws IOException {
    JavaRDD<Row> data = rdd(DATA, 2);
    KilnTinyNet uninterrupted = train(builder(2).optimizer(adam()).schedule(schedule()).build(), data, 16);

    // The first run checkpoints at steps 4 and 8, then "dies" after step 10: steps 9 and 10 are lost.
    DataParallelTrainer<KilnTinyNet, Row> first = builder(2).optimizer(adam()).schedule(schedule()).checkpoints(dir, 4).build();
    assertThat(first.resume()).isEqualTo(-1);
    train(first, data, 10);
    assertThat(Files.exists(first.checkpointFile())).isTrue();

    DataParallelTrainer<KilnTinyNet, Row> second = builder(2).optimizer(adam()).schedule(schedule()).checkpoints(dir, 4).build();
    assertThat(second.resume()).isEqualTo(8);
    KilnTinyNet resumed = train(second, data, 16);

    assertThat(resumed.steps()).isEqualTo(16);
    assertArrayEquals(uninterrupted.parameterSlab(), resumed.parameterSlab());
  }

  @Test
  void localSgdResumesFromACheckpointToo(@TempDir Path dir) throws IOException {
    JavaRDD<Row> data = rdd(DATA, 2);
    KilnTinyNet uninterrupted = train(builder(2).optimizer(adam()).localSgd(2).build(), data, 12);
    DataParallelTrainer<KilnTinyNet, Row> first = builder(2).optimizer(adam()).localSgd(2).checkpoints(dir, 4).build();
    train(first, data, 7); // checkpoints at 4; the round 6..7 is cut short and lost
    DataParallelTrainer<KilnTinyNet, Row> second = builder(2).optimizer(adam()).localSgd(2).checkpoints(dir, 4).build();
    assertThat(second.resume()).isEqualTo(4);
    assertArrayEquals(uninterrupted.parameterSlab(), train(second, data, 12).parameterSlab());
  }

  @Test
  void localSgdWithOneLocalStepIsSynchronousSgd() throws IOException {
    // Averaging after every step is averaging gradients when the update is linear in them: SGD with
    // momentum, but without clipping (each replica clips its own gradient, which is not linear).
    SerializableSupplier<Optimizer> sgd = () -> Sgd.builder(0.1f).momentum(0.9f).build();
    KilnTinyNet sync = train(builder(2).optimizer(sgd).schedule(schedule()).build(), rdd(DATA, 2), 20);
    KilnTinyNet local = train(builder(2).optimizer(sgd).schedule(schedule()).localSgd(1).build(), rdd(DATA, 2), 20);
    assertThat(maxAbsDifference(KilnTinyNet.create(SEED).parameterSlab(), local.parameterSlab())).isGreaterThan(0.1);
    assertThat(maxAbsDifference(sync.parameterSlab(), local.parameterSlab())).isLessThan(1e-5);
  }

  @Test
  void localSgdLearnsTheTask() throws IOException {
    DataParallelTrainer<KilnTinyNet, Row> trainer = builder(2).optimizer(adam()).localSgd(4).shuffle(3).build();
    List<Double> losses = new ArrayList<>();
    try (ShardedData<Row> data = trainer.shard(rdd(DATA, 2))) {
      DataParallelTrainer.Report first = trainer.train(data, 8);
      DataParallelTrainer.Report later = trainer.train(data, 64);
      losses.add(first.meanLoss());
      losses.add(later.meanLoss());
      assertThat(later.examples()).isEqualTo(56L * BATCH);
    }
    assertThat(losses.get(1)).isLessThan(losses.get(0) * 0.7);
    List<Row> test = blobs(300, 99);
    int[] predicted = trainer.model().classify(SparkTests.features(test.subList(0, 32)));
    int right = 0;
    for (int i = 0; i < predicted.length; i++) {
      right += predicted[i] == test.get(i).label() ? 1 : 0;
    }
    assertThat(right).isAtLeast(24); // the blobs overlap a little; chance is ~11 of 32
  }

  @Test
  void badInputIsRejectedWithWhatWasExpected(@TempDir Path dir) throws IOException {
    DataParallelTrainer<KilnTinyNet, Row> trainer = builder(2).optimizer(adam()).build();
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> trainer.shard(rdd(List.of(), 2)));
    assertThat(empty).hasMessageThat().contains("empty");
    IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> trainer.shard(rdd(DATA.subList(0, 10), 2)));
    assertThat(small).hasMessageThat().contains("10 examples, fewer than one global batch of 32");

    IllegalArgumentException indivisible = assertThrows(IllegalArgumentException.class,
        () -> builder(3).optimizer(adam()).build());
    assertThat(indivisible).hasMessageThat().contains("global batch 32 is not a multiple of the 3 partitions");

    IllegalStateException noOptimizer = assertThrows(IllegalStateException.class, () -> builder(2).build());
    assertThat(noOptimizer).hasMessageThat().contains("no optimizer");

    Adam shared = new Adam(0.01f);
    IllegalArgumentException sameInstance = assertThrows(IllegalArgumentException.class,
        () -> builder(2).optimizer(() -> shared).build());
    assertThat(sameInstance).hasMessageThat().contains("same instance");

    // 64 examples per partition per step is over the model's MAX_BATCH of 32: the model's own message, with the step.
    DataParallelTrainer<KilnTinyNet, Row> tooBig = builder(1).globalBatch(64).optimizer(adam()).build();
    try (ShardedData<Row> data = tooBig.shard(rdd(DATA, 2))) {
      IllegalArgumentException over = assertThrows(IllegalArgumentException.class, () -> tooBig.train(data, 1));
      assertThat(over).hasMessageThat().contains("step 1, partition 0");
      assertThat(over).hasMessageThat().contains("32");
      assertThat(tooBig.step()).isEqualTo(0);

      IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class, () -> trainer.train(data, 1));
      assertThat(mismatch).hasMessageThat().contains("sharded for global batch 64 on 1 partitions");
    }

    // A checkpoint written with another optimizer, or of another model, is refused, naming both; nothing changes.
    Files.createDirectories(dir);
    KilnTinyNet other = KilnTinyNet.create(1);
    DataParallelTrainer<KilnTinyNet, Row> resuming = builder(2).optimizer(() -> new Sgd(0.1f)).checkpoints(dir, 1).build();
    other.saveCheckpoint(resuming.checkpointFile(), new Adam(0.01f));
    ModelFileException wrongOptimizer = assertThrows(ModelFileException.class, resuming::resume);
    assertThat(wrongOptimizer).hasMessageThat().contains("Adam");
    Checkpoints.save(resuming.checkpointFile(), "OtherNet", other.parameters(), other.buffers(), new Sgd(0.1f), 3);
    ModelFileException wrongModel = assertThrows(ModelFileException.class, resuming::resume);
    assertThat(wrongModel).hasMessageThat().contains("'OtherNet' but this is 'TinyNet'");
    assertThat(resuming.step()).isEqualTo(0);
    assertArrayEquals(KilnTinyNet.create(SEED).parameterSlab(), resuming.model().parameterSlab());
  }

  @Test
  void aNonFiniteLossStopsTrainingWithTheStepAndLeavesTheWeights() throws IOException {
    List<Row> poisoned = new ArrayList<>(DATA);
    poisoned.set(BATCH * 2 + 5, new Row(new float[] {Float.NaN, 0, 0, 0}, 1)); // in global batch 2 (the third step)
    DataParallelTrainer<KilnTinyNet, Row> trainer = builder(2).optimizer(adam()).build();
    try (ShardedData<Row> data = trainer.shard(rdd(poisoned, 2))) {
      trainer.train(data, 2);
      float[] before = trainer.model().parameterSlab().clone();
      NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> trainer.train(data, 5));
      assertThat(e).hasMessageThat().contains("step 3");
      assertArrayEquals(before, trainer.model().parameterSlab());
      assertThat(trainer.step()).isEqualTo(2);
    }
  }

  @Test
  void aNonFiniteGradientIsRefusedByTheModelsOwnCommitAndChangesNothing() throws IOException {
    // A finite loss with a poisoned gradient: only applyGradients, the model's commit, can catch it.
    List<Row> marked = new ArrayList<>(DATA);
    marked.set(BATCH * 2 + 5, new Row(new float[] {123f, 0, 0, 0}, 1)); // in global batch 2 (the third step)
    GradientFunction<KilnTinyNet, Row> poisoning = (model, batch) -> {
      float loss = SparkTests.gradients(model, batch);
      if (batch.stream().anyMatch(r -> r.x()[0] == 123f)) {
        model.gradientSlab()[0] = Float.NaN; // hidden.weight[0, 0]
      }
      return loss;
    };
    DataParallelTrainer<KilnTinyNet, Row> trainer = DataParallelTrainer.builder(() -> KilnTinyNet.create(SEED), poisoning)
        .globalBatch(BATCH).partitions(2).optimizer(adam()).schedule(schedule()).build();
    try (ShardedData<Row> data = trainer.shard(rdd(marked, 2))) {
      trainer.train(data, 2);
      float[] before = trainer.model().parameterSlab().clone();
      float rate = trainer.optimizer().learningRate();
      NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> trainer.train(data, 5));
      assertThat(e).hasMessageThat().contains("TinyNet: a gradient became non-finite at training step 3");
      assertThat(e.nodeShape()).hasValue("gradient of hidden.weight [16, 4]");
      assertArrayEquals(before, trainer.model().parameterSlab());
      assertThat(trainer.step()).isEqualTo(2);
      assertThat(trainer.optimizer().learningRate()).isEqualTo(rate);
    }
  }
}
