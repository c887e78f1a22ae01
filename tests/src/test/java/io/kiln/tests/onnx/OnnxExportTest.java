package io.kiln.tests.onnx;

import static com.google.common.truth.Truth.assertWithMessage;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.kiln.runtime.InferenceModel;
import io.kiln.runtime.init.Rng;
import io.kiln.tests.onnx.ExportedModels.Case;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every model's {@code exportOnnx} file, run in ONNX Runtime, gives what {@code predict} gives on
 * the same random inputs: at batch 1 (with a shorter sequence, so the dynamic steps are exercised)
 * and at {@code MAX_BATCH} (with the longest sequence). Tolerance, per element:
 * {@code |kiln − ort| ≤ 1e-5 · max(1, |ort|)}, relative for values of magnitude ≥ 1, absolute 1e-5
 * below (float32 sums of near-zero values have no meaningful relative error).
 */
class OnnxExportTest {
  static final double TOLERANCE = 1e-5;

  private static OrtEnvironment env;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    env = OrtEnvironment.getEnvironment();
  }

  static Stream<Case> models() {
    return ExportedModels.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void onnxRuntimeMatchesPredict(Case c) throws Exception {
    InferenceModel<?> model = ExportedModels.perturbed(c);
    Path file = dir.resolve(c.name() + ".onnx");
    model.exportOnnx(file);
    int maxBatch = staticInt(model, "MAX_BATCH");
    int maxSteps = maxSteps(model);
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(file.toString(), options)) {
        compare(c, model, session, 1, Math.max(1, maxSteps - 2), new Rng(11));
        compare(c, model, session, maxBatch, maxSteps, new Rng(12));
      }
    }
  }

  /** A model added to the samples or to the test suite's models is added to {@link ExportedModels} too. */
  @Test
  void everySampleAndTestSuiteModelIsChecked() throws IOException {
    Path root = Path.of(System.getProperty("kiln.repoRoot"));
    Set<String> declared = new TreeSet<>();
    for (Path folder : List.of(root.resolve("samples/src/main/java"), root.resolve("tests/src/test/java/io/kiln/tests/models"))) {
      try (Stream<Path> files = Files.walk(folder)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          if (Files.readString(f).contains("@Model(")) {
            declared.add("Kiln" + f.getFileName().toString().replace(".java", ""));
          }
        }
      }
    }
    Set<String> checked = new TreeSet<>();
    ExportedModels.all().forEach(c -> checked.add(c.model().get().getClass().getSimpleName()));
    assertWithMessage("models declared in samples and tests/models but not exported by this test").that(checked).containsAtLeastElementsIn(declared);
  }

  private static void compare(Case c, InferenceModel<?> model, OrtSession session, int batch, int steps, Rng rng)
      throws OrtException, ReflectiveOperationException {
    List<RecordComponent> components = ExportedModels.inputComponents(model);
    Object[] args = new Object[components.size()];
    Map<String, OnnxTensor> feeds = new HashMap<>();
    List<OnnxTensor> opened = new ArrayList<>();
    try {
      for (int k = 0; k < components.size(); k++) {
        RecordComponent rc = components.get(k);
        if (rc.getType() == int.class) {
          args[k] = steps;
          continue;
        }
        NodeInfo info = session.getInputInfo().get(rc.getName());
        assertWithMessage("%s: the ONNX graph's inputs %s lack '%s'", c, session.getInputNames(), rc.getName()).that(info).isNotNull();
        long[] shape = ((TensorInfo) info.getInfo()).getShape();
        if (rc.getType() == int[].class) {
          int[] ids = new int[batch * steps];
          long[] ids64 = new long[ids.length];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(c.vocab());
            ids64[i] = ids[i];
          }
          args[k] = ids;
          opened.add(put(feeds, rc.getName(), OnnxTensor.createTensor(env, LongBuffer.wrap(ids64), new long[] {batch, steps})));
        } else {
          long[] dims = shape.clone();
          dims[0] = batch;
          long per = 1;
          for (int d = 1; d < dims.length; d++) {
            per *= dims[d];
          }
          float[] x = new float[Math.toIntExact(batch * per)];
          for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
          }
          args[k] = x;
          opened.add(put(feeds, rc.getName(), OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims)));
        }
      }
      Object input = components.get(0).getDeclaringRecord().getDeclaredConstructor(
          components.stream().map(RecordComponent::getType).toArray(Class<?>[]::new)).newInstance(args);
      float[] expected = predict(model, input);
      float[] actual;
      try (OrtSession.Result result = session.run(feeds)) {
        FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
        actual = new float[out.remaining()];
        out.get(actual);
      }
      assertWithMessage("%s at batch %s, %s steps: output length", c, batch, steps).that(actual.length).isEqualTo(expected.length);
      for (int i = 0; i < expected.length; i++) {
        double allowed = TOLERANCE * Math.max(1, Math.abs(actual[i]));
        if (!(Math.abs(expected[i] - actual[i]) <= allowed)) {
          assertWithMessage("%s at batch %s, %s steps: element %s of %s: predict %s, ONNX Runtime %s (allowed difference %s)",
              c, batch, steps, i, expected.length, expected[i], actual[i], allowed).fail();
        }
      }
    } finally {
      opened.forEach(OnnxTensor::close);
    }
  }

  private static OnnxTensor put(Map<String, OnnxTensor> feeds, String name, OnnxTensor t) {
    feeds.put(name, t);
    return t;
  }

  @SuppressWarnings("unchecked")
  private static float[] predict(InferenceModel<?> model, Object input) {
    return ((InferenceModel<Object>) model).predict(input);
  }

  static int staticInt(InferenceModel<?> model, String name) throws ReflectiveOperationException {
    return model.getClass().getField(name).getInt(null);
  }

  /** The shortest {@code MAX_STEPS_*} of a sequence model (all its inputs share one length), 0 for another. */
  static int maxSteps(InferenceModel<?> model) throws IllegalAccessException {
    int steps = Integer.MAX_VALUE;
    for (Field f : model.getClass().getFields()) {
      if (f.getName().startsWith("MAX_STEPS_")) {
        steps = Math.min(steps, f.getInt(null));
      }
    }
    return steps == Integer.MAX_VALUE ? 0 : steps;
  }
}
