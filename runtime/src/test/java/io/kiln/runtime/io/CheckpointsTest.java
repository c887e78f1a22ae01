package io.kiln.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.train.Adam;
import io.kiln.runtime.train.AdamW;
import io.kiln.runtime.train.LearningRateSchedule;
import io.kiln.runtime.train.Optimizer;
import io.kiln.runtime.train.OptimizerState;
import io.kiln.runtime.train.Sgd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
  private static final LearningRateSchedule LR = LearningRateSchedule.constant(0.01f);

  @TempDir Path dir;

  /** A model trained a few steps with {@code opt}, and its checkpoint. */
  private TinyModel trained(Optimizer opt, Path file) throws IOException {
    TinyModel m = new TinyModel(3);
    for (int i = 0; i < 3; i++) {
      m.trainStep(opt, LR);
    }
    m.save(file, opt);
    return m;
  }

  private static float[] snapshot(TinyModel m) {
    float[] a = Arrays.copyOf(m.params, TinyModel.COUNT + TinyModel.OUT);
    System.arraycopy(m.runningMean, 0, a, TinyModel.COUNT, TinyModel.OUT);
    return a;
  }

  @Test
  void fileLayoutUsesPyTorchNamesAndRecordsTheRun() throws IOException {
    Path file = dir.resolve("c.safetensors");
    Adam adam = Adam.builder(0.01f).weightDecay(0.5f).clipGlobalNorm(3f).build();
    TinyModel m = trained(adam, file);
    try (SafeTensors st = SafeTensors.open(file)) {
      assertThat(st.tensors().stream().map(SafeTensors.TensorInfo::name).toList()).containsExactly(
          "fc.weight", "fc.bias", "fc.running_mean",
          "optimizer.exp_avg.fc.weight", "optimizer.exp_avg.fc.bias",
          "optimizer.exp_avg_sq.fc.weight", "optimizer.exp_avg_sq.fc.bias").inOrder();
      assertThat(st.tensor("optimizer.exp_avg.fc.weight").shape()).isEqualTo(new int[] {3, 4});
      assertThat(st.readFloats("optimizer.exp_avg.fc.bias")).usingExactEquality()
          .containsExactly(Arrays.copyOfRange(adam.state().buffers().get("exp_avg"), 12, 15)).inOrder();
      assertThat(st.metadata()).containsAtLeast(
          "format", "kiln", "kiln.checkpoint", "1", "kiln.model", "Tiny", "kiln.step", "3",
          "kiln.optimizer", "Adam", "kiln.optimizer.lr", "0.01", "kiln.optimizer.betas", "(0.9, 0.999)",
          "kiln.optimizer.weight_decay", "0.5", "kiln.optimizer.clip_global_norm", "3.0",
          "kiln.optimizer.steps", "3", "kiln.optimizer.buffers", "exp_avg,exp_avg_sq",
          "kiln.extra.rng.data", Long.toString(m.data.state()));
    }
    // no temporary file is left behind
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("c.safetensors");
    }
  }

  @Test
  void loadRestoresEverything() throws IOException {
    Path file = dir.resolve("c.safetensors");
    Sgd sgd = Sgd.builder(0.01f).momentum(0.9f).build();
    TinyModel m = trained(sgd, file);
    TinyModel fresh = new TinyModel(8);
    Sgd sgd2 = Sgd.builder(0.01f).momentum(0.9f).build();
    Checkpoints.Restored r = Checkpoints.load(file, TinyModel.NAME, fresh.parameters, fresh.buffers, sgd2);
    assertThat(r.step()).isEqualTo(3);
    assertThat(r.extras()).containsExactly("rng.data", m.data.state(), "rng.dropout", m.dropout.state());
    assertThat(snapshot(fresh)).usingExactEquality().containsExactly(snapshot(m)).inOrder();
    OptimizerState a = sgd.state();
    OptimizerState b = sgd2.state();
    assertThat(b.steps()).isEqualTo(a.steps());
    assertThat(b.buffers().get("momentum_buffer")).usingExactEquality()
        .containsExactly(a.buffers().get("momentum_buffer")).inOrder();

    // weights only: no optimizer given, its tensors are skipped
    TinyModel weightsOnly = new TinyModel(9);
    Checkpoints.load(file, TinyModel.NAME, weightsOnly.parameters, weightsOnly.buffers, null);
    assertThat(snapshot(weightsOnly)).usingExactEquality().containsExactly(snapshot(m)).inOrder();
  }

  /** Loads that must fail with a ModelFileException naming the file, leaving model and optimizer as they were. */
  private static void assertRejected(Path file, Optimizer opt, String expected) throws IOException {
    TinyModel target = new TinyModel(5);
    target.trainStep(opt != null ? opt : new Sgd(0.01f), LR);
    float[] before = snapshot(target);
    OptimizerState stateBefore = opt instanceof io.kiln.runtime.train.Stateful s ? s.state() : null;
    ModelFileException e = assertThrows(ModelFileException.class,
        () -> Checkpoints.load(file, TinyModel.NAME, target.parameters, target.buffers, opt));
    assertThat(e).hasMessageThat().contains(file.toString());
    assertThat(e).hasMessageThat().contains(expected);
    assertThat(e.file()).isEqualTo(file);
    assertThat(snapshot(target)).usingExactEquality().containsExactly(before).inOrder();
    if (stateBefore != null) {
      OptimizerState after = ((io.kiln.runtime.train.Stateful) opt).state();
      assertThat(after.steps()).isEqualTo(stateBefore.steps());
      for (var entry : stateBefore.buffers().entrySet()) {
        assertThat(after.buffers().get(entry.getKey())).usingExactEquality().containsExactly(entry.getValue()).inOrder();
      }
    }
  }

  @Test
  void badFilesChangeNothing() throws IOException {
    Path file = dir.resolve("c.safetensors");
    trained(new Adam(0.01f), file);
    byte[] good = Files.readAllBytes(file);

    assertRejected(file, new AdamW(0.01f), "holds the state of a Adam optimizer but the optimizer given is AdamW");
    assertRejected(file, new Sgd(0.01f), "resume with a Adam");

    Path truncated = dir.resolve("truncated.safetensors");
    Files.write(truncated, Arrays.copyOf(good, good.length - 10));
    assertRejected(truncated, new Adam(0.01f), "truncated");

    Path corrupt = dir.resolve("corrupt.safetensors");
    byte[] bad = good.clone();
    bad[9] = '['; // the header's JSON object now starts with an array: invalid JSON
    Files.write(corrupt, bad);
    assertRejected(corrupt, new Adam(0.01f), "invalid JSON header");

    Path empty = dir.resolve("empty.safetensors");
    Files.write(empty, new byte[0]);
    assertRejected(empty, new Adam(0.01f), "too short");

    Path other = dir.resolve("other.safetensors");
    TinyModel m = new TinyModel(1);
    Checkpoints.save(other, "NotTiny", m.parameters, m.buffers, null, 0);
    assertRejected(other, null, "holds a checkpoint of model 'NotTiny' but this is 'Tiny'");

    Path weights = dir.resolve("weights.safetensors");
    ModelFiles.save(weights, TinyModel.NAME, m.parameters);
    assertRejected(weights, null, "is not a Kiln checkpoint");

    Path noOptimizer = dir.resolve("noopt.safetensors");
    Checkpoints.save(noOptimizer, TinyModel.NAME, m.parameters, m.buffers, null, 7);
    assertRejected(noOptimizer, new Adam(0.01f), "holds no optimizer state");

    // momentum buffers saved, an SGD without momentum given
    Path momentum = dir.resolve("momentum.safetensors");
    trained(Sgd.builder(0.01f).momentum(0.9f).build(), momentum);
    assertRejected(momentum, new Sgd(0.01f), "keeps buffers [] but the state has [momentum_buffer]");

    // a model whose buffer is missing from the file
    TinyModel target = new TinyModel(5);
    Parameter extra = new Parameter("bn.running_var", new int[] {3}, new float[3], null, 0);
    ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoints.load(
        file, TinyModel.NAME, target.parameters, List.of(target.buffers.get(0), extra), new Adam(0.01f)));
    assertThat(e).hasMessageThat().contains("missing tensors [bn.running_var]");
    e = assertThrows(ModelFileException.class, () -> Checkpoints.load(
        file, TinyModel.NAME, target.parameters, List.of(), new Adam(0.01f)));
    assertThat(e).hasMessageThat().contains("unexpected tensors [fc.running_mean]");
  }

  @Test
  void aFailedSaveLeavesTheOldCheckpoint() throws IOException {
    Path file = dir.resolve("c.safetensors");
    TinyModel m = trained(new Adam(0.01f), file);
    byte[] before = Files.readAllBytes(file);
    Parameter dup = new Parameter("fc.weight", new int[] {3}, new float[3], null, 0);
    assertThrows(IllegalArgumentException.class,
        () -> Checkpoints.save(file, TinyModel.NAME, m.parameters, List.of(dup), null, 1));
    assertThrows(IOException.class, () -> Checkpoints.save(dir.resolve("missing-dir/c.safetensors"),
        TinyModel.NAME, m.parameters, m.buffers, null, 1));
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    // overwriting is atomic and complete
    m.trainStep(new Adam(0.01f), LR);
    Checkpoints.save(file, TinyModel.NAME, m.parameters, m.buffers, null, 4, Map.of("epoch", 2L));
    TinyModel back = new TinyModel(0);
    Checkpoints.Restored r = Checkpoints.load(file, TinyModel.NAME, back.parameters, back.buffers, null);
    assertThat(r).isEqualTo(new Checkpoints.Restored(4, Map.of("epoch", 2L)));
    assertThat(back.params).usingExactEquality().containsExactly(m.params).inOrder();
  }

  @Test
  void argumentsAreChecked() {
    TinyModel m = new TinyModel(1);
    Path file = dir.resolve("c.safetensors");
    Optimizer custom = new Optimizer() {
      @Override public void step(float[] params, float[] grads, int count) {}
      @Override public float learningRate() { return 1f; }
      @Override public void setLearningRate(float lr) {}
      @Override public String toString() { return "Custom"; }
    };
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Checkpoints.save(file, TinyModel.NAME, m.parameters, m.buffers, custom, 0));
    assertThat(e).hasMessageThat().contains("Custom cannot be checkpointed");
    Parameter clash = new Parameter("optimizer.x", new int[] {1}, new float[1], null, 0);
    assertThrows(IllegalArgumentException.class,
        () -> Checkpoints.save(file, TinyModel.NAME, m.parameters, List.of(clash), null, 0));
    assertThrows(IllegalArgumentException.class,
        () -> Checkpoints.save(file, TinyModel.NAME, m.parameters, m.buffers, null, -1));
    // parameters with a gap cannot carry per-parameter optimizer state
    Adam adam = new Adam(0.1f);
    float[] slab = new float[5];
    adam.step(slab, new float[5], 5);
    List<Parameter> gappy = List.of(new Parameter("a", new int[] {2}, slab, null, 0),
        new Parameter("b", new int[] {2}, slab, null, 3));
    e = assertThrows(IllegalArgumentException.class,
        () -> Checkpoints.save(file, "Gappy", gappy, List.of(), adam, 1));
    assertThat(e).hasMessageThat().contains("do not tile");
    assertThat(Files.exists(file)).isFalse();
  }
}
