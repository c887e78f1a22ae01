package io.kiln.tests.onnx;

import io.kiln.runtime.InferenceModel;
import io.kiln.runtime.Parameter;
import io.kiln.runtime.TrainableModel;
import io.kiln.runtime.init.Rng;
import io.kiln.samples.charlstm.KilnCharLstm;
import io.kiln.samples.cnn64.KilnCnn64;
import io.kiln.samples.gpt.KilnTinyGpt;
import io.kiln.samples.gradients.KilnDeepMlps_ReluBatchNormMlp;
import io.kiln.samples.gradients.KilnDeepMlps_ReluMlp;
import io.kiln.samples.gradients.KilnDeepMlps_SigmoidMlp;
import io.kiln.samples.gradients.KilnMemoryNets_GruNet;
import io.kiln.samples.gradients.KilnMemoryNets_LstmNet;
import io.kiln.samples.gradients.KilnMemoryNets_ReluRnn;
import io.kiln.samples.gradients.KilnMemoryNets_TanhRnn;
import io.kiln.samples.lenet.KilnLeNet;
import io.kiln.samples.perceptron.KilnPerceptron;
import io.kiln.samples.perceptron.KilnXorNet;
import io.kiln.samples.seq2seq.KilnSeq2Seq;
import io.kiln.tests.models.KilnAttentions;
import io.kiln.tests.models.KilnConv1dNet;
import io.kiln.tests.models.KilnConv1dStack;
import io.kiln.tests.models.KilnConvStack;
import io.kiln.tests.models.KilnEncoderDecoder;
import io.kiln.tests.models.KilnEveryBce;
import io.kiln.tests.models.KilnBiClassifier;
import io.kiln.tests.models.KilnBiSeries;
import io.kiln.tests.models.KilnEveryCe;
import io.kiln.tests.models.KilnEveryMse;
import io.kiln.tests.models.KilnFloatSeries;
import io.kiln.tests.models.KilnLastState;
import io.kiln.tests.models.KilnMiniGpt;
import io.kiln.tests.models.KilnMlp;
import io.kiln.tests.models.KilnNormDrop;
import io.kiln.tests.models.KilnOnnxCoverage;
import io.kiln.tests.models.KilnOnnxSequenceCoverage;
import io.kiln.tests.models.KilnPerAxisConvNet;
import io.kiln.tests.models.KilnPerAxisConvStack;
import io.kiln.tests.models.KilnPerceptron2;
import io.kiln.tests.models.KilnPostNormEncoder;
import io.kiln.tests.models.KilnRegressor;
import io.kiln.tests.models.KilnReluPool;
import io.kiln.tests.models.KilnSeqStack;
import io.kiln.tests.models.KilnSeriesClassifier;
import io.kiln.tests.models.KilnTinyDecoder;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The models whose ONNX export is verified: the five reference models (lenet, cnn64, charlstm,
 * seq2seq, gpt), every other sample (the gradients sample's nested models too), and every model of the test suite, with their weights
 * perturbed so no parameter is left at an initial zero or one (a bias or a layer-norm gain that
 * the export dropped would otherwise go unseen).
 */
final class ExportedModels {
  private ExportedModels() {}

  /** A model under test; {@code vocab} bounds the ids of its token inputs (0 for a model of float inputs). */
  record Case(String name, Supplier<InferenceModel<?>> model, int vocab) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> all() {
    return Stream.of(
        new Case("lenet", () -> KilnLeNet.create(1), 0),
        new Case("cnn64", () -> KilnCnn64.create(1), 0),
        new Case("charlstm", () -> KilnCharLstm.create(1), 96),
        new Case("seq2seq", () -> KilnSeq2Seq.create(1), 32),
        new Case("gpt", () -> KilnTinyGpt.create(1), 96),
        new Case("perceptron", () -> KilnPerceptron.create(1), 0),
        new Case("xornet", () -> KilnXorNet.create(1), 0),
        new Case("SigmoidMlp", () -> KilnDeepMlps_SigmoidMlp.create(1), 0),
        new Case("ReluMlp", () -> KilnDeepMlps_ReluMlp.create(1), 0),
        new Case("ReluBatchNormMlp", () -> KilnDeepMlps_ReluBatchNormMlp.create(1), 0),
        // The memory task's vocabulary (MemoryTask.VOCAB, package-private to the sample).
        new Case("TanhRnn", () -> KilnMemoryNets_TanhRnn.create(1), 10),
        new Case("ReluRnn", () -> KilnMemoryNets_ReluRnn.create(1), 10),
        new Case("LstmNet", () -> KilnMemoryNets_LstmNet.create(1), 10),
        new Case("GruNet", () -> KilnMemoryNets_GruNet.create(1), 10),
        new Case("Attentions", () -> KilnAttentions.create(1), 6),
        new Case("Conv1dNet", () -> KilnConv1dNet.create(1), 0),
        new Case("Conv1dStack", () -> KilnConv1dStack.create(1), 0),
        new Case("ConvStack", () -> KilnConvStack.create(1), 0),
        new Case("EncoderDecoder", () -> KilnEncoderDecoder.create(1), 6),
        new Case("BiClassifier", () -> KilnBiClassifier.create(1), 0),
        new Case("BiSeries", () -> KilnBiSeries.create(1), 0),
        new Case("EveryBce", () -> KilnEveryBce.create(1), 0),
        new Case("EveryCe", () -> KilnEveryCe.create(1), 0),
        new Case("EveryMse", () -> KilnEveryMse.create(1), 0),
        new Case("FloatSeries", () -> KilnFloatSeries.create(1), 0),
        new Case("LastState", () -> KilnLastState.create(1), 6),
        new Case("MiniGpt", () -> KilnMiniGpt.create(1), 7),
        new Case("Mlp", () -> KilnMlp.create(1), 0),
        new Case("NormDrop", () -> KilnNormDrop.create(1), 0),
        new Case("OnnxCoverage", () -> KilnOnnxCoverage.create(1), 0),
        new Case("OnnxSequenceCoverage", () -> KilnOnnxSequenceCoverage.create(1), 5),
        new Case("PerAxisConvNet", () -> KilnPerAxisConvNet.create(1), 0),
        new Case("PerAxisConvStack", () -> KilnPerAxisConvStack.create(1), 0),
        new Case("Perceptron2", () -> KilnPerceptron2.create(1), 0),
        new Case("PostNormEncoder", () -> KilnPostNormEncoder.create(1), 5),
        new Case("Regressor", () -> KilnRegressor.create(1), 0),
        new Case("ReluPool", () -> KilnReluPool.create(1), 0),
        new Case("SeqStack", () -> KilnSeqStack.create(1), 7),
        new Case("SeriesClassifier", () -> KilnSeriesClassifier.create(1), 0),
        new Case("TinyDecoder", () -> KilnTinyDecoder.create(1), 5));
  }

  /** The model of {@code c}, weights perturbed by N(0, 0.1²), running means by N(0, 0.5²), running variances in [0.5, 1.5). */
  static InferenceModel<?> perturbed(Case c) {
    InferenceModel<?> model = c.model().get();
    Rng rng = new Rng(c.name().hashCode());
    for (Parameter p : tensors(model, "parameters")) {
      float[] v = p.toArray();
      for (int i = 0; i < v.length; i++) {
        v[i] += 0.1f * (float) rng.nextGaussian();
      }
      p.copyFrom(v);
    }
    for (Parameter p : tensors(model, "buffers")) {
      float[] v = p.toArray();
      boolean variance = p.name().endsWith("running_var");
      for (int i = 0; i < v.length; i++) {
        v[i] = variance ? 0.5f + rng.nextFloat() : 0.5f * (float) rng.nextGaussian();
      }
      p.copyFrom(v);
    }
    return model;
  }

  @SuppressWarnings("unchecked")
  private static List<Parameter> tensors(InferenceModel<?> model, String which) {
    if (model instanceof TrainableModel t) {
      return which.equals("parameters") ? t.parameters() : t.buffers();
    }
    try {
      return (List<Parameter>) model.getClass().getMethod(which).invoke(model);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(model.modelName() + " has no " + which + "()", e);
    }
  }

  /** The components of a model's {@code Input} record, in order: its inputs, then {@code steps} for a sequence model. */
  static List<RecordComponent> inputComponents(InferenceModel<?> model) {
    for (Class<?> nested : model.getClass().getClasses()) {
      if (nested.getSimpleName().equals("Input") && nested.isRecord()) {
        return new ArrayList<>(List.of(nested.getRecordComponents()));
      }
    }
    throw new AssertionError(model.modelName() + " has no Input record");
  }
}
