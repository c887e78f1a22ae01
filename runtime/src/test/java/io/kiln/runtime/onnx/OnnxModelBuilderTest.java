package io.kiln.runtime.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kiln.dsl.Activation;
import io.kiln.runtime.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelBuilderTest {
  /**
   * python3-onnx 1.12's {@code SerializeToString()} of the same model built with {@code onnx.helper}
   * ({@code make_node("Gemm", ..., transB=1)}, {@code numpy_helper.from_array} for the weights,
   * {@code make_model(..., producer_name="kiln", producer_version="dev", opset 17, ir_version=8)}).
   */
  private static final String PYTHON_ONNX_BYTES = "080812046b696c6e1a036465763af2010a3e0a01780a08792e7765696768740a06792e626961731208792f6c696e6561721a08"
      + "792f6c696e656172220447656d6d2a0d0a067472616e73421801a001020a160a08792f6c696e6561721201791a0179220452656c750a1d0a"
      + "017912066f75747075741a066f757470757422084964656e74697479120474696e792a220802080210014208792e7765696768744a1000"
      + "00803f000000c00000003f000080402a16080210014206792e626961734a080000803e000080bf5a180a017812130a110801120d0a0712"
      + "0562617463680a020802621d0a066f757470757412130a110801120d0a07120562617463680a02080242040a001011";

  @TempDir
  Path dir;

  private static OnnxModelBuilder tiny() {
    float[] slab = {1, -2, 0.5f, 4, 0.25f, -1};
    OnnxModelBuilder b = new OnnxModelBuilder("tiny", List.of(
        new Parameter("y.weight", new int[] {2, 2}, slab, null, 0), new Parameter("y.bias", new int[] {2}, slab, null, 4)));
    b.floatInput("x", 2);
    b.dense("y", "x", "y.weight", "y.bias", Activation.RELU);
    b.output("y", OnnxModelBuilder.OutputActivation.NONE, 2);
    return b;
  }

  @Test
  void encodesAModelByteForByteAsPythonOnnxDoes() {
    assertEquals(PYTHON_ONNX_BYTES, HexFormat.of().formatHex(tiny().toByteArray()));
  }

  @Test
  void writesTheFileAtomically() throws IOException {
    Path file = dir.resolve("tiny.onnx");
    Files.writeString(file, "an older export");
    tiny().write(file);
    assertArrayEquals(tiny().toByteArray(), Files.readAllBytes(file));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "no temporary file is left beside the export");
    }
  }

  @Test
  void aFileInTheWayFailsInOneLineAndWritesNothing() throws IOException {
    Path blocker = dir.resolve("blocker");
    Files.writeString(blocker, "a file, not a folder");
    IOException e = assertThrows(IOException.class, () -> tiny().write(blocker.resolve("tiny.onnx")));
    assertTrue(e.getMessage().startsWith("cannot write "), e.getMessage());
    assertTrue(e.getMessage().contains("is a file, not a folder"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void anUnknownTensorIsNamedWithTheKnownOnes() {
    OnnxModelBuilder b = tiny();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.conv("c", "x", "c.weight", null, 1, 0, 0, 0, 0, Activation.NONE));
    assertEquals("no initializer named 'c.weight'; the model's tensors are [y.weight, y.bias]", e.getMessage());
  }

  @Test
  void aValueReadBeforeItIsComputedIsNamed() {
    OnnxModelBuilder b = tiny();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.flatten("f", "nowhere"));
    assertEquals("no value named 'nowhere' in the graph yet; add the node that computes it first", e.getMessage());
  }

  @Test
  void aGraphWithoutOutputIsRefused() {
    OnnxModelBuilder b = new OnnxModelBuilder("empty", List.of());
    b.floatInput("x", 2);
    IllegalStateException e = assertThrows(IllegalStateException.class, b::toByteArray);
    assertEquals("empty: the ONNX graph has no output", e.getMessage());
  }
}
