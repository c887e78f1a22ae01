package io.kiln.bench;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.bench.InferenceCase.Input;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inference side of a reference model and the files it writes for the ONNX Runtime peer. */
class InferenceCaseTest {
  @TempDir
  Path dir;

  /** A two-input "model" whose predict sums each sample's values of both inputs. */
  private static InferenceCase sums(List<Integer> batchesSeen) {
    int[] tokens = {1, 2, 3, 4, 5, 6};
    float[] image = {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f};
    return new InferenceCase(List.of(Input.ints("text", tokens, 2, 3), Input.floats("image", image, 2, 1, 3)), in -> {
      int batch = in.get(0).shape()[0];
      batchesSeen.add(batch);
      float[] out = new float[batch];
      for (int b = 0; b < batch; b++) {
        for (int i = 0; i < 3; i++) {
          out[b] += in.get(0).ints()[3 * b + i] + in.get(1).floats()[3 * b + i];
        }
      }
      return out;
    }, file -> Files.writeString(file, "onnx bytes"));
  }

  @Test
  void predictOneIsTheBatchsFirstSample() {
    List<Integer> batches = new ArrayList<>();
    InferenceCase c = sums(batches);
    assertThat(c.batch()).isEqualTo(2);
    assertThat(c.predictBatch()).usingExactEquality().containsExactly(10.5f, 28.5f).inOrder();
    assertThat(c.predictOne()).usingExactEquality().containsExactly(10.5f);
    assertThat(batches).containsExactly(2, 1).inOrder();
  }

  @Test
  void firstKeepsTheSampleShape() {
    Input one = Input.ints("text", new int[] {1, 2, 3, 4, 5, 6}, 2, 3).first();
    assertThat(one.shape()).asList().containsExactly(1, 3).inOrder();
    assertThat(one.ints()).asList().containsExactly(1, 2, 3).inOrder();
  }

  @Test
  void exportWritesTheModelItsInputsKilnsOutputsAndTheSpec() throws Exception {
    sums(new ArrayList<>()).export("toy", dir);
    assertThat(Files.readString(dir.resolve("toy.onnx"))).isEqualTo("onnx bytes");
    Properties spec = new Properties();
    spec.load(new StringReader(Files.readString(dir.resolve("toy.properties"))));
    assertThat(spec.getProperty("model")).isEqualTo("toy");
    assertThat(spec.getProperty("batch")).isEqualTo("2");
    assertThat(spec.getProperty("inputs")).isEqualTo("text,image");
    assertThat(spec.getProperty("text.type")).isEqualTo("int32");
    assertThat(spec.getProperty("text.shape")).isEqualTo("2,3");
    assertThat(spec.getProperty("image.type")).isEqualTo("float32");
    assertThat(spec.getProperty("image.shape")).isEqualTo("2,1,3");
    ByteBuffer text = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(spec.getProperty("text.file"))))
        .order(ByteOrder.LITTLE_ENDIAN);
    int[] ids = new int[6];
    text.asIntBuffer().get(ids);
    assertThat(ids).asList().containsExactly(1, 2, 3, 4, 5, 6).inOrder();
    ByteBuffer out = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(spec.getProperty("output.file"))))
        .order(ByteOrder.LITTLE_ENDIAN);
    float[] predicted = new float[2];
    out.asFloatBuffer().get(predicted);
    assertThat(predicted).usingExactEquality().containsExactly(10.5f, 28.5f).inOrder();
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList()).isEmpty();
    }
  }

  @Test
  void aFailedExportLeavesNoSpec() {
    InferenceCase c = new InferenceCase(List.of(Input.floats("x", new float[] {1}, 1)), in -> new float[] {1},
        file -> {
          throw new UnsupportedOperationException("node q cannot be exported");
        });
    org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> c.export("bad", dir));
    assertThat(Files.exists(dir.resolve("bad.properties"))).isFalse();
    assertThat(Arrays.asList(dir.toFile().list())).isEmpty();
  }

  @Test
  void aModelThatCannotBeExportedStopsTheRunNamingItAndTheOtherPeers() throws Exception {
    ModelBench.Options o = ModelBench.Options.parse(List.of("--peer", "torch113,onnxruntime", "lenet"));
    InferenceCase refused = new InferenceCase(List.of(Input.floats("image", new float[] {1}, 1)),
        in -> new float[] {1}, file -> {
          throw new UnsupportedOperationException("node c9 has no ONNX form");
        });
    BenchFailure f = org.junit.jupiter.api.Assertions.assertThrows(BenchFailure.class,
        () -> ModelBench.exportOnnx(o, dir, name -> refused));
    assertThat(f).hasMessageThat().isEqualTo("peer onnxruntime cannot run: lenet could not be exported to ONNX"
        + " (node c9 has no ONNX form). Select the others with --peer torch113, or leave out lenet.");
  }
}
