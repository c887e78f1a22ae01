package io.kiln.tests.toolkit;

import io.kiln.runtime.LabeledBatch;
import io.kiln.runtime.Parameter;
import io.kiln.runtime.SupervisedModel;
import io.kiln.runtime.TrainableModel;
import io.kiln.runtime.train.Optimizer;
import io.kiln.samples.lenet.KilnLeNet;
import io.kiln.tests.models.KilnNormDrop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;

/**
 * One generated model behind the few calls the toolkit tests make, so each test runs on several models.
 * Every generated class is a {@link SupervisedModel}: all this adds is how a shared {@link TrainingData.Batch}
 * becomes the model's own {@code Batch} record.
 */
final class Trainee {
  private final TrainableModel model;
  private final BiFunction<TrainingData.Batch, Optimizer, Float> step;

  private <X, B extends LabeledBatch<X>> Trainee(SupervisedModel<X, B> model, BiFunction<float[], int[], B> toBatch) {
    this.model = model;
    this.step = (b, optimizer) -> model.trainStep(toBatch.apply(b.x(), b.labels()), optimizer);
  }

  static Trainee lenet(long seed) {
    return new Trainee(KilnLeNet.create(seed), KilnLeNet.Batch::new);
  }

  static Trainee normDrop(long seed) {
    return new Trainee(KilnNormDrop.create(seed), KilnNormDrop.Batch::new);
  }

  String name() {
    return model.modelName();
  }

  float trainStep(TrainingData.Batch batch, Optimizer optimizer) {
    return step.apply(batch, optimizer);
  }

  void saveCheckpoint(Path file, Optimizer optimizer) throws IOException {
    model.saveCheckpoint(file, optimizer);
  }

  void loadCheckpoint(Path file, Optimizer optimizer) throws IOException {
    model.loadCheckpoint(file, optimizer);
  }

  void save(Path file) throws IOException {
    model.save(file);
  }

  List<Parameter> parameters() {
    return model.parameters();
  }

  List<Parameter> buffers() {
    return model.buffers();
  }

  long steps() {
    return model.steps();
  }
}
