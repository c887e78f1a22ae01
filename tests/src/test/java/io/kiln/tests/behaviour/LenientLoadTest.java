package io.kiln.tests.behaviour;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.io.LoadOptions;
import io.kiln.runtime.io.LoadReport;
import io.kiln.runtime.io.ModelFileException;
import io.kiln.runtime.io.ModelFiles;
import io.kiln.runtime.io.SafeTensors;
import io.kiln.samples.lenet.KilnLeNet;
import io.kiln.tests.models.KilnNormDrop;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated model loads a file that holds more than its weights, as a user meets it: the PyTorch
 * parity fixture (weights plus the input, labels, output and every gradient), and a PyTorch
 * state_dict of a batch-norm model (plus {@code num_batches_tracked}, an I64 Kiln does not keep).
 */
class LenientLoadTest {
  @TempDir Path dir;

  @Test
  void aFixtureWithInputsAndGradientsLoadsIntoAGeneratedModelLeniently() throws IOException {
    Path fixture = dir.resolve("lenet.safetensors");
    try (InputStream in = LenientLoadTest.class.getResourceAsStream("/parity/lenet.safetensors")) {
      Files.copy(in, fixture);
    }
    KilnLeNet model = KilnLeNet.create(1);
    ModelFileException strict = assertThrows(ModelFileException.class, () -> model.loadWeights(fixture));
    assertThat(strict).hasMessageThat().contains("unexpected tensors [");
    assertThat(strict).hasMessageThat().contains("(LoadOptions.lenient() ignores them)");

    LoadReport report = ModelFiles.load(model, fixture, LoadOptions.lenient());

    List<String> names = model.parameters().stream().map(Parameter::name).toList();
    assertThat(report.loaded()).containsExactlyElementsIn(names).inOrder();
    assertThat(report.missing()).isEmpty();
    assertThat(report.ignored()).containsAtLeast("input", "labels");
    assertThat(report.ignored().stream().filter(n -> n.startsWith("grad.")).count()).isEqualTo(names.size());
    try (SafeTensors st = SafeTensors.open(fixture)) {
      for (Parameter p : model.parameters()) {
        assertThat(p.toArray()).usingExactEquality().containsExactly(st.readFloats(p.name())).inOrder();
      }
    }
  }

  @Test
  void aStateDictWithNumBatchesTrackedLoadsIntoABatchNormModel() throws IOException {
    KilnNormDrop source = KilnNormDrop.create(3);
    source.buffers().getFirst().set(0.75f, 0); // a running statistic that must arrive too
    List<SafeTensors.WritableTensor> stateDict = new ArrayList<>();
    for (Parameter p : Stream.concat(source.parameters().stream(), source.buffers().stream()).toList()) {
      stateDict.add(new SafeTensors.TensorData(p.name(), p.shape(), p.toArray()));
    }
    stateDict.add(new SafeTensors.LongTensorData("bn.num_batches_tracked", new int[] {}, new long[] {200}));
    stateDict.add(new SafeTensors.LongTensorData("bn1.num_batches_tracked", new int[] {}, new long[] {200}));
    Path file = dir.resolve("normdrop.safetensors");
    SafeTensors.write(file, Map.of("format", "pt"), stateDict);

    KilnNormDrop model = KilnNormDrop.create(4);
    LoadReport report = ModelFiles.load(model, file, LoadOptions.lenient());

    assertThat(report.ignored()).containsExactly("bn.num_batches_tracked", "bn1.num_batches_tracked").inOrder();
    assertThat(report.missing()).isEmpty();
    assertThat(model.buffers().getFirst().get(0)).isEqualTo(0.75f);
    float[] x = new float[36];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % 7) / 7f;
    }
    assertThat(model.predict(x)).isEqualTo(source.predict(x));
  }
}
