package io.kiln.tests.parity;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.io.SafeTensors;
import io.kiln.samples.cnn64.KilnCnn64;
import io.kiln.samples.lenet.KilnLeNet;
import io.kiln.tests.models.KilnConv1dNet;
import io.kiln.tests.models.KilnEveryBce;
import io.kiln.tests.models.KilnEveryCe;
import io.kiln.tests.models.KilnEveryMse;
import io.kiln.tests.models.KilnPerAxisConvNet;
import io.kiln.tests.models.KilnBiClassifier;
import io.kiln.tests.models.KilnBiSeries;
import io.kiln.tests.models.KilnFloatSeries;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kiln against PyTorch on the same weights and batch: outputs, loss and every parameter's gradient.
 *
 * <p>The fixtures in {@code src/test/resources/parity/} are written by {@code tests/parity/make_fixtures.py}
 * (see it for how to regenerate): torch_bench.py's LeNet, cnn64, charlstm, seq2seq (one embedding for source and
 * target, Kiln's srcEmb shared by tgtEmb) and tiny GPT, the tests' EveryCe/EveryBce/EveryMse, Conv1dNet (1-D convolution and pooling), PerAxisConvNet (per-axis stride, padding and dilation) FloatSeries (float frames, T below its maximum) and BiSeries/BiClassifier (bidirectional layers, every step and last states), PyTorch's init from a fixed seed, a small
 * batch, computed by PyTorch in float64. seq2seq's fixture also holds the attention weights α ({@code alpha}). Each file holds the
 * weights under Kiln's names, {@code input}, {@code labels}, {@code output}, {@code loss} and {@code grad.<name>}.
 *
 * <p>The weights go in through the path a PyTorch user takes: they are written to a plain safetensors file
 * (no Kiln metadata) and loaded with the generated {@code load(path)}. Tolerances (the issue's): outputs and
 * loss within 1e-4 of the largest |output|, each gradient within 1e-3 of its largest |element|.
 */
class PyTorchParityTest {
  static final double OUTPUT_TOLERANCE = 1e-4;
  static final double GRADIENT_TOLERANCE = 1e-3;
  /**
   * The attention models (issue #8) are held to 1e-5 for outputs, α and gradients: measured 3.3e-7 / 3e-8 / 4.5e-7
   * (seq2seq) and 4.5e-7 / 6.4e-7 (gpt), so a regression to the looser bound of the older models would show.
   */
  static final double ATTENTION_TOLERANCE = 1e-5;

  @TempDir Path dir;

  /** What one model computes for the fixture's batch. */
  record Result(float[] output, float loss, Map<String, float[]> gradients, float[] alpha) {
    Result(float[] output, float loss, Map<String, float[]> gradients) {
      this(output, loss, gradients, null);
    }
  }

  /** Fixture tensors that are not weights. */
  static final List<String> DATA = List.of("input", "source", "target", "labels", "output", "alpha", "loss");

  @ParameterizedTest
  @ValueSource(strings = {"lenet", "cnn64", "charlstm", "seq2seq", "gpt", "every_ce", "every_bce", "every_mse", "conv1d", "per_axis", "series",
      "bi_series", "bi_classifier"})
  void matchesPyTorch(String fixture) throws IOException {
    Path file = copyResource(fixture);
    Map<String, float[]> t = new LinkedHashMap<>();
    Map<String, int[]> shapes = new LinkedHashMap<>();
    try (SafeTensors st = SafeTensors.open(file)) {
      for (SafeTensors.TensorInfo info : st.tensors()) {
        t.put(info.name(), st.readFloats(info.name()));
        shapes.put(info.name(), info.shape());
      }
    }
    // The weights alone, as PyTorch would export them: no "kiln.model" metadata.
    Path weights = dir.resolve(fixture + "-weights.safetensors");
    List<SafeTensors.TensorData> plain = new ArrayList<>();
    for (String name : t.keySet()) {
      if (!name.startsWith("grad.") && !DATA.contains(name)) {
        plain.add(new SafeTensors.TensorData(name, shapes.get(name), t.get(name)));
      }
    }
    SafeTensors.write(weights, Map.of("format", "pt"), plain);

    float[] x = t.get("input");
    float[] labels = t.get("labels");
    Result r = switch (fixture) {
      case "lenet" -> {
        KilnLeNet m = KilnLeNet.load(weights);
        int[] y = classes(labels);
        float[] out = m.forward(x).toArray();
        yield new Result(out, m.computeGradients(x, y), gradients(m.parameters()));
      }
      case "cnn64" -> {
        KilnCnn64 m = KilnCnn64.load(weights);
        float[] out = m.forward(x).toArray();
        yield new Result(out, m.computeGradients(x, labels), gradients(m.parameters()));
      }
      case "charlstm" -> {
        io.kiln.samples.charlstm.KilnCharLstm m = io.kiln.samples.charlstm.KilnCharLstm.load(weights);
        int[] ids = classes(x);
        int steps = shapes.get("input")[1];
        float[] out = m.forward(ids, steps).toArray();
        yield new Result(out, m.computeGradients(ids, steps, classes(labels)), gradients(m.parameters()));
      }
      case "seq2seq" -> {
        io.kiln.samples.seq2seq.KilnSeq2Seq m = io.kiln.samples.seq2seq.KilnSeq2Seq.load(weights);
        int[] source = classes(t.get("source"));
        int[] target = classes(t.get("target"));
        int steps = shapes.get("source")[1];
        float[] out = m.forward(source, target, steps).toArray();
        float[] alpha = m.attentionWeights("context");
        yield new Result(out, m.computeGradients(source, target, steps, classes(labels)), gradients(m.parameters()), alpha);
      }
      case "gpt" -> {
        io.kiln.samples.gpt.KilnTinyGpt m = io.kiln.samples.gpt.KilnTinyGpt.load(weights);
        int[] ids = classes(x);
        int steps = shapes.get("input")[1];
        float[] out = m.forward(ids, steps).toArray();
        yield new Result(out, m.computeGradients(ids, steps, classes(labels)), gradients(m.parameters()));
      }
      case "every_ce" -> {
        KilnEveryCe m = KilnEveryCe.load(weights);
        float[] out = m.forward(x).toArray();
        yield new Result(out, m.computeGradients(x, classes(labels)), gradients(m.parameters()));
      }
      case "every_bce" -> {
        KilnEveryBce m = KilnEveryBce.load(weights);
        float[] out = m.forward(x).toArray();
        yield new Result(out, m.computeGradients(x, labels), gradients(m.parameters()));
      }
      case "every_mse" -> {
        KilnEveryMse m = KilnEveryMse.load(weights);
        float[] out = m.forward(x).toArray();
        yield new Result(out, m.computeGradients(x, labels), gradients(m.parameters()));
      }
      case "conv1d" -> {
        KilnConv1dNet m = KilnConv1dNet.load(weights);
        float[] out = m.forward(x).toArray();
        yield new Result(out, m.computeGradients(x, classes(labels)), gradients(m.parameters()));
      }
      case "per_axis" -> {
        KilnPerAxisConvNet m = KilnPerAxisConvNet.load(weights);
        float[] out = m.forward(x).toArray();
        yield new Result(out, m.computeGradients(x, classes(labels)), gradients(m.parameters()));
      }
      case "series" -> {
        KilnFloatSeries m = KilnFloatSeries.load(weights);
        int steps = shapes.get("input")[1];
        float[] out = m.forward(x, steps).toArray();
        yield new Result(out, m.computeGradients(x, steps, labels), gradients(m.parameters()));
      }
      case "bi_series" -> {
        KilnBiSeries m = KilnBiSeries.load(weights);
        int steps = shapes.get("input")[1];
        float[] out = m.forward(x, steps).toArray();
        yield new Result(out, m.computeGradients(x, steps, labels), gradients(m.parameters()));
      }
      case "bi_classifier" -> {
        KilnBiClassifier m = KilnBiClassifier.load(weights);
        int steps = shapes.get("input")[1];
        float[] out = m.forward(x, steps).toArray();
        yield new Result(out, m.computeGradients(x, steps, classes(labels)), gradients(m.parameters()));
      }
      default -> throw new AssertionError(fixture);
    };

    // Every parameter of the model has a PyTorch gradient and vice versa.
    List<String> torchGradients = new ArrayList<>();
    for (String name : t.keySet()) {
      if (name.startsWith("grad.")) {
        torchGradients.add(name.substring("grad.".length()));
      }
    }
    assertThat(r.gradients().keySet()).containsExactlyElementsIn(torchGradients).inOrder();

    float[] expectedOut = t.get("output");
    double scale = maxAbs(expectedOut);
    double outError = maxAbsDiff(r.output(), expectedOut) / scale;
    double lossError = Math.abs(r.loss() - t.get("loss")[0]) / scale;
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "%s: output rel. error %.2e (max |output| %.3g), loss %.7f vs PyTorch %.7f (rel. %.2e)",
        fixture, outError, scale, r.loss(), t.get("loss")[0], lossError));
    double alphaError = 0;
    if (t.containsKey("alpha")) {
      assertWithMessage("%s: attention weights", fixture).that(r.alpha()).isNotNull();
      alphaError = maxAbsDiff(r.alpha(), t.get("alpha")); // α is in [0, 1]: the absolute error is the relative one
      report.append(String.format(Locale.ROOT, "%n  attention weights abs. error %.2e", alphaError));
    }
    double worstGradient = 0;
    String worstName = "";
    for (String name : torchGradients) {
      float[] expected = t.get("grad." + name);
      double e = maxAbsDiff(r.gradients().get(name), expected) / Math.max(maxAbs(expected), 1e-30);
      if (e >= worstGradient) {
        worstGradient = e;
        worstName = name;
      }
      report.append(String.format(Locale.ROOT, "%n  grad %-15s rel. error %.2e (max |grad| %.3g)", name, e, maxAbs(expected)));
    }
    report.append(String.format(Locale.ROOT, "%n  worst gradient %s %.2e", worstName, worstGradient));
    System.out.println(report);

    boolean attention = List.of("seq2seq", "gpt").contains(fixture);
    double outTolerance = attention ? ATTENTION_TOLERANCE : OUTPUT_TOLERANCE;
    assertWithMessage("%s", report).that(outError).isAtMost(outTolerance);
    assertWithMessage("%s", report).that(lossError).isAtMost(outTolerance);
    assertWithMessage("%s", report).that(worstGradient).isAtMost(attention ? ATTENTION_TOLERANCE : GRADIENT_TOLERANCE);
    assertWithMessage("%s", report).that(alphaError).isAtMost(outTolerance);
  }

  private Path copyResource(String fixture) throws IOException {
    Path file = dir.resolve(fixture + ".safetensors");
    try (InputStream in = PyTorchParityTest.class.getResourceAsStream("/parity/" + fixture + ".safetensors")) {
      assertWithMessage("fixture parity/%s.safetensors on the test class path", fixture).that(in).isNotNull();
      Files.copy(in, file);
    }
    return file;
  }

  private static Map<String, float[]> gradients(List<Parameter> params) {
    Map<String, float[]> g = new LinkedHashMap<>();
    for (Parameter p : params) {
      g.put(p.name(), p.gradient().toArray());
    }
    return g;
  }

  private static int[] classes(float[] labels) {
    int[] y = new int[labels.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.round(labels[i]);
    }
    return y;
  }

  private static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a.length).isEqualTo(b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
    }
    return m;
  }
}
