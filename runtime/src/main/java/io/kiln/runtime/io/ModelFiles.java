package io.kiln.runtime.io;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.TrainableModel;
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
   * Loads {@code params} from {@code file} strictly, all or nothing: every tensor is checked and
   * read into temporary arrays before any parameter changes. A file written by Kiln for another
   * model is rejected; a file without Kiln metadata (exported from PyTorch, say) is accepted when
   * its tensor names and shapes match. Float tensors stored as F16 or BF16 are widened exactly, F64
   * rounded.
   *
   * @throws ModelFileException naming the file if it is malformed, belongs to another model, lacks
   *     a parameter, holds unexpected tensors, or has a tensor of the wrong shape or dtype
   * @throws IOException if the file cannot be read
   */
  public static void load(Path file, String modelName, List<Parameter> params) throws IOException {
    load(file, modelName, params, LoadOptions.strict());
  }

  /**
   * Loads a generated model's parameters and buffers from {@code file}, as strictly as
   * {@code options} say; e.g. {@code ModelFiles.load(net, path, LoadOptions.lenient())} reads a
   * PyTorch {@code state_dict} that also holds tensors the model does not have.
   *
   * @return which tensors were loaded, which were missing, which were ignored
   * @throws ModelFileException naming the file, with nothing changed, as {@link #load(Path, String, List, LoadOptions)}
   * @throws IOException if the file cannot be read
   */
  public static LoadReport load(TrainableModel model, Path file, LoadOptions options) throws IOException {
    List<Parameter> tensors = new ArrayList<>(model.parameters());
    tensors.addAll(model.buffers());
    return load(file, model.modelName(), tensors, options);
  }

  /**
   * Loads {@code tensors} from {@code file} as strictly as {@code options} say, all or nothing.
   * Shape mismatches and non-float dtypes are always errors.
   *
   * @return which tensors were loaded, which were missing, which were ignored
   * @throws ModelFileException naming the file, with nothing changed, if it is malformed, belongs to
   *     another model (unless allowed), lacks a tensor or holds an unexpected one (unless allowed),
   *     or has a tensor of the wrong shape or dtype
   * @throws IllegalArgumentException if two tensors share a name
   * @throws IOException if the file cannot be read
   */
  public static LoadReport load(Path file, String modelName, List<Parameter> tensors, LoadOptions options)
      throws IOException {
    Set<String> expected = new HashSet<>();
    for (Parameter p : tensors) {
      if (!expected.add(p.name())) {
        throw new IllegalArgumentException("parameter name '" + p.name() + "' appears twice");
      }
    }
    List<Parameter> found = new ArrayList<>();
    List<float[]> values = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    try (SafeTensors st = SafeTensors.open(file)) {
      String owner = st.metadata().get(MODEL_KEY);
      if (owner != null && !owner.equals(modelName) && !options.allowOtherModel()) {
        throw new ModelFileException(file, SafeText.of(file) + " holds model '" + SafeText.of(owner) + "' but this is '"
            + modelName + "'");
      }
      List<String> problems = new ArrayList<>();
      for (Parameter p : tensors) {
        SafeTensors.TensorInfo t = st.tensor(p.name());
        if (t == null) {
          missing.add(p.name());
        } else if (!Arrays.equals(t.shape(), p.shape())) {
          problems.add(p.name() + " has shape " + Arrays.toString(t.shape()) + " in the file but the model expects "
              + Arrays.toString(p.shape()));
        } else if (!t.isFloat()) {
          problems.add(p.name() + " is stored as " + t.dtype() + "; Kiln reads F32 (and converts F64, F16 and BF16)");
        } else {
          found.add(p);
        }
      }
      if (!missing.isEmpty() && !options.allowMissing()) {
        problems.add(0, "missing tensors " + SafeText.list(missing));
      }
      for (SafeTensors.TensorInfo t : st.tensors()) {
        if (!expected.contains(t.name())) {
          extra.add(t.name());
        }
      }
      if (!extra.isEmpty() && !options.ignoreUnexpected()) {
        problems.add("unexpected tensors " + SafeText.list(extra) + " that model '" + modelName
            + "' does not have (LoadOptions.lenient() ignores them)");
      }
      if (!problems.isEmpty()) {
        throw new ModelFileException(file,
            SafeText.of(file) + " does not match model '" + modelName + "': " + String.join("; ", problems));
      }
      for (Parameter p : found) {
        values.add(st.readFloats(p.name()));
      }
    }
    // Everything is read and checked; only now touch the model.
    List<String> loaded = new ArrayList<>();
    for (int i = 0; i < found.size(); i++) {
      found.get(i).copyFrom(values.get(i));
      loaded.add(found.get(i).name());
    }
    return new LoadReport(loaded, missing, extra);
  }
}
