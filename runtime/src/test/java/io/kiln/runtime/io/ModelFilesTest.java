package io.kiln.runtime.io;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
  @TempDir Path dir;

  /** A two-layer model's parameters over one slab: h.weight [3, 2], h.bias [3], out.weight [1, 3]. */
  private static List<Parameter> model(float[] slab) {
    return List.of(
        new Parameter("h.weight", new int[] {3, 2}, slab, new float[slab.length], 0),
        new Parameter("h.bias", new int[] {3}, slab, new float[slab.length], 6),
        new Parameter("out.weight", new int[] {1, 3}, slab, new float[slab.length], 9));
  }

  private static float[] slab(float start) {
    float[] s = new float[12];
    for (int i = 0; i < s.length; i++) {
      s[i] = start + i;
    }
    return s;
  }

  @Test
  void saveThenLoad() throws IOException {
    Path f = dir.resolve("xor.safetensors");
    ModelFiles.save(f, "XorNet", model(slab(1)));
    float[] target = new float[12];
    ModelFiles.load(f, "XorNet", model(target));
    assertThat(target).usingExactEquality().containsExactly(slab(1)).inOrder();
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(st.metadata()).containsExactly("format", "kiln", "kiln.model", "XorNet").inOrder();
    }
  }

  @Test
  void otherModelIsRejected() throws IOException {
    Path f = dir.resolve("file.safetensors");
    ModelFiles.save(f, "Foo", model(slab(1)));
    float[] target = new float[12];
    ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(f, "Bar", model(target)));
    assertThat(e).hasMessageThat().isEqualTo(f + " holds model 'Foo' but this is 'Bar'");
    assertThat(target).usingExactEquality().containsExactly(new float[12]);
  }

  @Test
  void fileWithoutKilnMetadataIsAcceptedWhenNamesAndShapesMatch() throws IOException {
    // As torch's save_file would write it: sorted names, {"format": "pt"}.
    Path f = dir.resolve("pt.safetensors");
    float[] s = slab(10);
    SafeTensors.write(f, Map.of("format", "pt"), List.of(
        new SafeTensors.TensorData("h.bias", new int[] {3}, java.util.Arrays.copyOfRange(s, 6, 9)),
        new SafeTensors.TensorData("h.weight", new int[] {3, 2}, java.util.Arrays.copyOfRange(s, 0, 6)),
        new SafeTensors.TensorData("out.weight", new int[] {1, 3}, java.util.Arrays.copyOfRange(s, 9, 12))));
    float[] target = new float[12];
    ModelFiles.load(f, "XorNet", model(target));
    assertThat(target).usingExactEquality().containsExactly(s).inOrder();
  }

  @Test
  void mismatchesAreListedAndNothingChanges() throws IOException {
    Path f = dir.resolve("odd.safetensors");
    Map<String, String> meta = new LinkedHashMap<>();
    SafeTensors.write(f, meta, List.of(
        new SafeTensors.TensorData("h.weight", new int[] {2, 3}, new float[6]),
        new SafeTensors.TensorData("h.bias", new int[] {3}, new float[] {5, 5, 5}),
        new SafeTensors.TensorData("extra", new int[] {1}, new float[1])));
    float[] target = slab(1);
    ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(f, "XorNet", model(target)));
    assertThat(e).hasMessageThat().isEqualTo(f + " does not match model 'XorNet': missing tensors [out.weight]; "
        + "h.weight has shape [2, 3] in the file but the model expects [3, 2]; "
        + "unexpected tensors [extra] that model 'XorNet' does not have (LoadOptions.lenient() ignores them)");
    assertThat(target).usingExactEquality().containsExactly(slab(1)).inOrder();
  }

  @Test
  void corruptFileChangesNothing() throws IOException {
    Path f = dir.resolve("x.safetensors");
    ModelFiles.save(f, "XorNet", model(slab(1)));
    byte[] bytes = java.nio.file.Files.readAllBytes(f);
    java.nio.file.Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 4));
    float[] target = slab(100);
    assertThrows(ModelFileException.class, () -> ModelFiles.load(f, "XorNet", model(target)));
    assertThat(target).usingExactEquality().containsExactly(slab(100)).inOrder();
  }
}
