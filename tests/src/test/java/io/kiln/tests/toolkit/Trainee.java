package io.kiln.tests.toolkit;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.train.Optimizer;
import io.kiln.samples.lenet.KilnLeNet;
import io.kiln.tests.models.KilnNormDrop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One generated model behind the few calls the toolkit tests make, so each test runs on several models.
 * Generated classes share method names but no interface (they are standalone and typed), hence the adapters.
 */
interface Trainee {
  String name();

  float trainStep(TrainingData.Batch batch, Optimizer optimizer);

  void saveCheckpoint(Path file, Optimizer optimizer) throws IOException;

  void loadCheckpoint(Path file, Optimizer optimizer) throws IOException;

  void save(Path file) throws IOException;

  List<Parameter> parameters();

  List<Parameter> buffers();

  long steps();

  static Trainee lenet(long seed) {
    KilnLeNet m = KilnLeNet.create(seed);
    return new Trainee() {
      @Override public String name() { return "LeNet"; }
      @Override public float trainStep(TrainingData.Batch b, Optimizer o) { return m.trainStep(b.x(), b.labels(), o); }
      @Override public void saveCheckpoint(Path f, Optimizer o) throws IOException { m.saveCheckpoint(f, o); }
      @Override public void loadCheckpoint(Path f, Optimizer o) throws IOException { m.loadCheckpoint(f, o); }
      @Override public void save(Path f) throws IOException { m.save(f); }
      @Override public List<Parameter> parameters() { return m.parameters(); }
      @Override public List<Parameter> buffers() { return m.buffers(); }
      @Override public long steps() { return m.steps(); }
    };
  }

  static Trainee normDrop(long seed) {
    KilnNormDrop m = KilnNormDrop.create(seed);
    return new Trainee() {
      @Override public String name() { return "NormDrop"; }
      @Override public float trainStep(TrainingData.Batch b, Optimizer o) { return m.trainStep(b.x(), b.labels(), o); }
      @Override public void saveCheckpoint(Path f, Optimizer o) throws IOException { m.saveCheckpoint(f, o); }
      @Override public void loadCheckpoint(Path f, Optimizer o) throws IOException { m.loadCheckpoint(f, o); }
      @Override public void save(Path f) throws IOException { m.save(f); }
      @Override public List<Parameter> parameters() { return m.parameters(); }
      @Override public List<Parameter> buffers() { return m.buffers(); }
      @Override public long steps() { return m.steps(); }
    };
  }
}
