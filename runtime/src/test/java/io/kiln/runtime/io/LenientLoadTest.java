package io.kiln.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.TrainableModel;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ModelFiles.load(model, file, LoadOptions)}: PyTorch state_dicts and fixtures with more than weights. */
class LenientLoadTest {
  @TempDir Path dir;

  /** A model as generated code presents it: fc.weight [2, 2], fc.bias [2], and a bn.running_mean [2] buffer. */
  static final class Net {
    final float[] params = {1, 2, 3, 4, 5, 6};
    final float[] running = {7, 8};
    final List<Parameter> parameters = List.of(
        new Parameter("fc.weight", new int[] {2, 2}, params, new float[6], 0),
        new Parameter("fc.bias", new int[] {2}, params, new float[6], 4));
    final List<Parameter> buffers = List.of(new Parameter("bn.running_mean", new int[] {2}, running, null, 0));

    /**
     * This net seen through {@link TrainableModel}; only what loading uses is answered, so the test
     * does not break when the interface grows.
     */
    TrainableModel asTrainable() {
      return (TrainableModel) Proxy.newProxyInstance(TrainableModel.class.getClassLoader(),
          new Class<?>[] {TrainableModel.class}, (proxy, method, args) -> switch (method.getName()) {
            case "modelName" -> "Net";
            case "parameters" -> parameters;
            case "buffers" -> buffers;
            case "toString" -> "Net";
            default -> throw new UnsupportedOperationException(method.getName());
          });
    }
  }

  private static SafeTensors.TensorData t(String name, float... v) {
    return new SafeTensors.TensorData(name, new int[] {v.length}, v);
  }

  private static SafeTensors.TensorData w(float... v) {
    return new SafeTensors.TensorData("fc.weight", new int[] {2, 2}, v);
  }

  @Test
  void aStateDictWithExtraBuffersLoadsLenientlyAndReportsWhatWasIgnored() throws IOException {
    // PyTorch's state_dict of the same net plus a buffer Kiln does not keep, and a fixture's input.
    Path f = dir.resolve("state_dict.safetensors");
    SafeTensors.write(f, Map.of("format", "pt"), List.of(w(10, 20, 30, 40), t("fc.bias", 50, 60),
        t("bn.running_mean", 70, 80),
        new SafeTensors.LongTensorData("bn.num_batches_tracked", new int[] {}, new long[] {12}),
        t("input", 1, 2, 3)));
    Net net = new Net();
    ModelFileException strict = assertThrows(ModelFileException.class,
        () -> ModelFiles.load(net.asTrainable(), f, LoadOptions.strict()));
    assertThat(strict).hasMessageThat().isEqualTo(f + " does not match model 'Net': unexpected tensors "
        + "[bn.num_batches_tracked, input] that model 'Net' does not have (LoadOptions.lenient() ignores them)");
    assertThat(net.params).usingExactEquality().containsExactly(1f, 2f, 3f, 4f, 5f, 6f).inOrder();

    LoadReport report = ModelFiles.load(net.asTrainable(), f, LoadOptions.lenient());
    assertThat(report.loaded()).containsExactly("fc.weight", "fc.bias", "bn.running_mean").inOrder();
    assertThat(report.missing()).isEmpty();
    assertThat(report.ignored()).containsExactly("bn.num_batches_tracked", "input").inOrder();
    assertThat(report.isComplete()).isFalse();
    assertThat(report.toString()).isEqualTo("loaded 3 tensors; ignored [bn.num_batches_tracked, input]");
    assertThat(net.params).usingExactEquality().containsExactly(10f, 20f, 30f, 40f, 50f, 60f).inOrder();
    assertThat(net.running).usingExactEquality().containsExactly(70f, 80f).inOrder();
  }

  @Test
  void missingTensorsKeepTheirValuesAndAreReported() throws IOException {
    Path f = dir.resolve("partial.safetensors");
    SafeTensors.write(f, Map.of(), List.of(w(10, 20, 30, 40)));
    Net net = new Net();
    assertThat(assertThrows(ModelFileException.class, () -> ModelFiles.load(net.asTrainable(), f, LoadOptions.strict())))
        .hasMessageThat().isEqualTo(f + " does not match model 'Net': missing tensors [fc.bias, bn.running_mean]");
    LoadReport report = ModelFiles.load(net.asTrainable(), f, LoadOptions.lenient());
    assertThat(report.toString()).isEqualTo("loaded 1 tensor; missing [fc.bias, bn.running_mean]");
    assertThat(net.params).usingExactEquality().containsExactly(10f, 20f, 30f, 40f, 5f, 6f).inOrder();
    assertThat(net.running).usingExactEquality().containsExactly(7f, 8f).inOrder();
  }

  @Test
  void aShapeMismatchIsAlwaysAnErrorAndChangesNothing() throws IOException {
    Path f = dir.resolve("wrong.safetensors");
    SafeTensors.write(f, Map.of(), List.of(t("fc.bias", 50, 60), t("fc.weight", 1, 2, 3, 4)));
    Net net = new Net();
    ModelFileException e = assertThrows(ModelFileException.class,
        () -> ModelFiles.load(net.asTrainable(), f, LoadOptions.lenient()));
    assertThat(e).hasMessageThat().isEqualTo(
        f + " does not match model 'Net': fc.weight has shape [4] in the file but the model expects [2, 2]");
    assertThat(net.params).usingExactEquality().containsExactly(1f, 2f, 3f, 4f, 5f, 6f).inOrder();
  }

  @Test
  void anotherKilnModelsFileNeedsExplicitConsent() throws IOException {
    Path f = dir.resolve("other.safetensors");
    ModelFiles.save(f, "Encoder", List.of(new Parameter("fc.bias", new int[] {2}, new float[] {-1, -2}, null, 0)));
    Net net = new Net();
    assertThat(assertThrows(ModelFileException.class, () -> ModelFiles.load(net.asTrainable(), f, LoadOptions.lenient())))
        .hasMessageThat().isEqualTo(f + " holds model 'Encoder' but this is 'Net'");
    LoadReport report = ModelFiles.load(net.asTrainable(), f, LoadOptions.lenient().allowingOtherModel());
    assertThat(report.loaded()).containsExactly("fc.bias");
    assertThat(net.params).usingExactEquality().containsExactly(1f, 2f, 3f, 4f, -1f, -2f).inOrder();
  }

  @Test
  void aKilnCheckpointLoadsAsWeightsWhenItsOptimizerStateIsIgnored() throws IOException {
    Path f = dir.resolve("ckpt.safetensors");
    Net source = new Net();
    io.kiln.runtime.train.Adam adam = new io.kiln.runtime.train.Adam(0.1f);
    adam.step(source.params, new float[] {1, 1, 1, 1, 1, 1}, 6); // so it has state to save
    source.running[0] = 42;
    Checkpoints.save(f, "Net", source.parameters, source.buffers, adam, 1);
    Net net = new Net();
    LoadReport report = ModelFiles.load(net.asTrainable(), f, LoadOptions.lenient());
    assertThat(report.missing()).isEmpty();
    assertThat(report.ignored()).containsExactly("optimizer.exp_avg.fc.weight", "optimizer.exp_avg.fc.bias",
        "optimizer.exp_avg_sq.fc.weight", "optimizer.exp_avg_sq.fc.bias");
    assertThat(net.params).usingExactEquality().containsExactly(source.params).inOrder();
    assertThat(net.running).usingExactEquality().containsExactly(42f, 8f).inOrder();
  }
}
