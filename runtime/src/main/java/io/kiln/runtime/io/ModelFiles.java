package io.kiln.runtime.io;

import io.kiln.runtime.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Saves and loads a model's parameters as a safetensors file: one F32 tensor per
 * {@link Parameter}, named by {@link Parameter#name()} with its shape, plus the metadata
 * {@code {"format": "kiln", "kiln.model": <model name>}}. Names and layouts follow PyTorch
 * ({@code fc.weight} is {@code [out, in]}), so files move between Kiln and PyTorch both ways.
 */
public final class ModelFiles {
  /** Metadata key holding the model's name. */
  public static final String MODEL_KEY = "kiln.model";

  private ModelFiles() {}

  /**
   * Writes {@code params} to {@code file} atomically (the old file, if any, stays intact on failure).
   *
   * @throws IllegalArgumentException if two parameters share a name
   * @throws IOException if writing fails
   */
  public static void save(Path file, String modelName, List<Parameter> params) throws IOException {
    List<SafeTensors.TensorData> tensors = new ArrayList<>(params.size());
    for (Parameter p : params) {
      tensors.add(new SafeTensors.TensorData(p.name(), p.shape(), p.toArray()));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "kiln");
    metadata.put(MODEL_KEY, modelName);
    SafeTensors.write(file, metadata, tensors);
  }

  /**
   * Loads {@code params} from {@code file}, all or nothing: every tensor is checked and read into
   * temporary arrays before any parameter changes. A file written by Kiln for another model is
   * rejected; a file without Kiln metadata (exported from PyTorch, say) is accepted when its
   * tensor names and shapes match.
   *
   * @throws ModelFileException naming the file if it is malformed, belongs to another model, lacks
   *     a parameter, holds unexpected tensors, or has a tensor of the wrong shape or dtype
   * @throws IOException if the file cannot be read
   */
  public static void load(Path file, String modelName, List<Parameter> params) throws IOException {
    Set<String> expected = new HashSet<>();
    for (Parameter p : params) {
      if (!expected.add(p.name())) {
        throw new IllegalArgumentException("parameter name '" + p.name() + "' appears twice");
      }
    }
    float[][] loaded = new float[params.size()][];
    try (SafeTensors st = SafeTensors.open(file)) {
      String owner = st.metadata().get(MODEL_KEY);
      if (owner != null && !owner.equals(modelName)) {
        throw new ModelFileException(file, file + " holds model '" + owner + "' but this is '" + modelName + "'");
      }
      List<String> problems = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (Parameter p : params) {
        SafeTensors.TensorInfo t = st.tensor(p.name());
        if (t == null) {
          missing.add(p.name());
        } else if (!Arrays.equals(t.shape(), p.shape())) {
          problems.add(p.name() + " has shape " + Arrays.toString(t.shape()) + " in the file but the model expects "
              + Arrays.toString(p.shape()));
        } else if (!t.isFloat()) {
          problems.add(p.name() + " is stored as " + t.dtype() + "; Kiln reads F32 (and converts F64, F16 and BF16)");
        }
      }
      if (!missing.isEmpty()) {
        problems.add(0, "missing tensors " + missing);
      }
      List<String> extra = new ArrayList<>();
      for (SafeTensors.TensorInfo t : st.tensors()) {
        if (!expected.contains(t.name())) {
          extra.add(t.name());
        }
      }
      if (!extra.isEmpty()) {
        problems.add("unexpected tensors " + extra + " that model '" + modelName + "' does not have");
      }
      if (!problems.isEmpty()) {
        throw new ModelFileException(file,
            file + " does not match model '" + modelName + "': " + String.join("; ", problems));
      }
      for (int i = 0; i < loaded.length; i++) {
        loaded[i] = st.readFloats(params.get(i).name());
      }
    }
    // Everything is read and checked; only now touch the model.
    for (int i = 0; i < loaded.length; i++) {
      params.get(i).copyFrom(loaded[i]);
    }
  }
}
