package io.kiln.runtime.io;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.train.Optimizer;
import io.kiln.runtime.train.OptimizerState;
import io.kiln.runtime.train.Stateful;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Training checkpoints: everything needed to resume a run bit for bit, in one safetensors file
 * written atomically (a temporary file in the same directory, forced to disk, renamed over the
 * target; see {@link SafeTensors#write}), so a crash leaves either the previous checkpoint or the
 * new one, never a torn file.
 *
 * <p>The file holds, as F32 tensors:
 * <ul>
 *   <li>every parameter under its own name ({@code fc.weight}) and shape, as {@link ModelFiles};
 *   <li>every buffer (batch-norm running statistics, ...) under its own name;
 *   <li>the optimizer's per-parameter state as {@code optimizer.<buffer>.<parameter>} with the
 *       parameter's shape, e.g. {@code optimizer.exp_avg.fc.weight} (PyTorch's names:
 *       {@code momentum_buffer}, {@code exp_avg}, {@code exp_avg_sq});
 * </ul>
 * and as metadata: {@code kiln.checkpoint} (the format version, 1), {@code kiln.model},
 * {@code kiln.step}, {@code kiln.optimizer} (its {@link Stateful#kind()}), its settings as
 * {@code kiln.optimizer.<name>} ({@code lr}, {@code betas}, ...), {@code kiln.optimizer.steps}, the
 * list {@code kiln.optimizer.buffers}, and the caller's extra counters as {@code kiln.extra.<name>}
 * (e.g. an {@link io.kiln.runtime.init.Rng#state()}). Any safetensors reader (Python's
 * {@code safetensors.torch.load_file}) can read it.
 *
 * <p>The optimizer's state arrays run over the model's parameter slab, so the parameters must tile
 * it: their {@code [offset, offset + size)} ranges, sorted, must cover {@code [0, n)} without gap
 * or overlap, where n is the optimizer's state length (a generated model's
 * {@code PARAMETER_COUNT}).
 */
public final class Checkpoints {
  /** Metadata key of the checkpoint format version. */
  public static final String FORMAT_KEY = "kiln.checkpoint";
  /** Metadata key of the training step. */
  public static final String STEP_KEY = "kiln.step";
  /** Metadata key of the optimizer's kind; absent if the checkpoint holds no optimizer state. */
  public static final String OPTIMIZER_KEY = "kiln.optimizer";
  /** Prefix of the optimizer tensors' names. */
  public static final String OPTIMIZER_PREFIX = "optimizer.";
  /** Prefix of the extra counters' metadata keys. */
  public static final String EXTRA_PREFIX = "kiln.extra.";

  private static final String VERSION = "1";
  /** More state arrays per parameter than any optimizer keeps (Adam keeps two): a corrupt list. */
  private static final int MAX_OPTIMIZER_BUFFERS = 16;
  private static final String OPTIMIZER_STEPS_KEY = "kiln.optimizer.steps";
  private static final String OPTIMIZER_LR_KEY = "kiln.optimizer.lr";
  private static final String OPTIMIZER_BUFFERS_KEY = "kiln.optimizer.buffers";

  private Checkpoints() {}

  /**
   * What a checkpoint restored besides the tensors.
   *
   * @param step the training step saved (the number of steps taken)
   * @param extras the extra counters saved, by name (unmodifiable)
   */
  public record Restored(long step, Map<String, Long> extras) {
    public Restored {
      extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }
  }

  /**
   * Saves a checkpoint without extra counters; see {@link #save(Path, String, List, List, Optimizer, long, Map)}.
   */
  public static void save(Path file, String modelName, List<Parameter> params, List<Parameter> buffers,
      Optimizer optimizer, long step) throws IOException {
    save(file, modelName, params, buffers, optimizer, step, Map.of());
  }

  /**
   * Writes a checkpoint atomically.
   *
   * @param modelName the model's name (checked on load)
   * @param params the learned parameters
   * @param buffers other state tensors saved and restored with them (may be empty)
   * @param optimizer the optimizer whose state to save, which must implement {@link Stateful}; null
   *     to save no optimizer state
   * @param step the number of training steps taken
   * @param extras counters to restore with the run, such as random generators' states (names
   *     must not be empty)
   * @throws IllegalArgumentException if names repeat or clash with {@code optimizer.*}, the
   *     optimizer is not {@link Stateful}, or the parameters do not tile the optimizer's state
   * @throws IOException if writing fails; the previous file at {@code file}, if any, is then intact
   */
  public static void save(Path file, String modelName, List<Parameter> params, List<Parameter> buffers,
      Optimizer optimizer, long step, Map<String, Long> extras) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(extras, "extras");
    if (step < 0) {
      throw new IllegalArgumentException("the step must be ≥ 0, got " + step);
    }
    checkNames(params, buffers);
    List<SafeTensors.TensorData> tensors = new ArrayList<>();
    for (Parameter p : params) {
      tensors.add(new SafeTensors.TensorData(p.name(), p.shape(), p.toArray()));
    }
    for (Parameter b : buffers) {
      tensors.add(new SafeTensors.TensorData(b.name(), b.shape(), b.toArray()));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "kiln");
    meta.put(FORMAT_KEY, VERSION);
    meta.put(ModelFiles.MODEL_KEY, modelName);
    meta.put(STEP_KEY, Long.toString(step));
    if (optimizer != null) {
      Stateful st = stateful(optimizer);
      OptimizerState state = st.state();
      if (!state.buffers().isEmpty()) {
        int slab = tiling(params);
        for (Map.Entry<String, float[]> e : state.buffers().entrySet()) {
          float[] data = e.getValue();
          if (data.length != slab) {
            throw new IllegalArgumentException(st.kind() + " state '" + e.getKey() + "' covers " + data.length
                + " floats but the parameters tile " + slab + "; was the optimizer used on another model?");
          }
          for (Parameter p : params) {
            tensors.add(new SafeTensors.TensorData(OPTIMIZER_PREFIX + e.getKey() + "." + p.name(), p.shape(),
                Arrays.copyOfRange(data, p.offset(), p.offset() + p.size())));
          }
        }
      }
      meta.put(OPTIMIZER_KEY, st.kind());
      for (Map.Entry<String, String> e : st.settings().entrySet()) {
        meta.put(OPTIMIZER_KEY + "." + e.getKey(), e.getValue());
      }
      meta.put(OPTIMIZER_LR_KEY, Float.toString(state.learningRate()));
      meta.put(OPTIMIZER_STEPS_KEY, Long.toString(state.steps()));
      meta.put(OPTIMIZER_BUFFERS_KEY, String.join(",", state.buffers().keySet()));
    }
    for (Map.Entry<String, Long> e : extras.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty()) {
        throw new IllegalArgumentException("extra counters need a name");
      }
      meta.put(EXTRA_PREFIX + e.getKey(), Long.toString(Objects.requireNonNull(e.getValue(), e.getKey())));
    }
    SafeTensors.write(file, meta, tensors);
  }

  /**
   * Restores a checkpoint written by {@link #save}, all or nothing: the whole file is validated and
   * read before the parameters, buffers or optimizer change.
   *
   * @param optimizer the optimizer to restore (of the kind saved, see {@link Stateful#restore}); null
   *     to restore only the parameters and buffers
   * @return the saved step and extra counters
   * @throws ModelFileException naming the file, with nothing changed, if it is not a valid
   *     safetensors file (corrupt, truncated), not a Kiln checkpoint, of another model, lacks or
   *     has unexpected tensors or shapes, holds no optimizer state or that of another kind
   * @throws IllegalArgumentException if the names repeat or the optimizer is not {@link Stateful}
   * @throws IOException if the file cannot be read
   */
  public static Restored load(Path file, String modelName, List<Parameter> params, List<Parameter> buffers,
      Optimizer optimizer) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(modelName, "modelName");
    checkNames(params, buffers);
    Stateful st = optimizer == null ? null : stateful(optimizer);
    float[][] paramData = new float[params.size()][];
    float[][] bufferData = new float[buffers.size()][];
    OptimizerState state = null;
    long step;
    Map<String, Long> extras = new LinkedHashMap<>();
    try (SafeTensors in = SafeTensors.open(file)) {
      Map<String, String> meta = in.metadata();
      String version = meta.get(FORMAT_KEY);
      if (version == null) {
        throw bad(file, "is not a Kiln checkpoint (no " + FORMAT_KEY
            + " metadata); to load weights only, use the model's load or ModelFiles.load");
      }
      if (!version.equals(VERSION)) {
        throw bad(file, "is a Kiln checkpoint of format " + SafeText.of(version) + " but this Kiln reads format " + VERSION);
      }
      String owner = meta.get(ModelFiles.MODEL_KEY);
      if (!modelName.equals(owner)) {
        throw bad(file, "holds a checkpoint of model '" + SafeText.of(owner) + "' but this is '" + modelName + "'");
      }
      step = number(file, meta, STEP_KEY);
      for (Map.Entry<String, String> e : meta.entrySet()) {
        if (e.getKey().startsWith(EXTRA_PREFIX)) {
          extras.put(e.getKey().substring(EXTRA_PREFIX.length()), number(file, meta, e.getKey()));
        }
      }

      // Every tensor the file must hold, with its shape.
      Map<String, int[]> expected = new LinkedHashMap<>();
      for (Parameter p : params) {
        expected.put(p.name(), p.shape());
      }
      for (Parameter b : buffers) {
        expected.put(b.name(), b.shape());
      }
      String savedKind = meta.get(OPTIMIZER_KEY);
      List<String> optimizerBuffers = List.of();
      if (savedKind != null) {
        String list = meta.getOrDefault(OPTIMIZER_BUFFERS_KEY, "");
        optimizerBuffers = list.isEmpty() ? List.of() : List.of(list.split(",", -1));
        if (optimizerBuffers.size() > MAX_OPTIMIZER_BUFFERS) {
          throw bad(file, "lists " + optimizerBuffers.size() + " optimizer buffers in " + OPTIMIZER_BUFFERS_KEY
              + "; optimizers keep at most " + MAX_OPTIMIZER_BUFFERS);
        }
      }
      if (st != null) {
        if (savedKind == null) {
          throw bad(file, "holds no optimizer state; pass no optimizer to restore only the weights");
        }
        if (!savedKind.equals(st.kind())) {
          throw bad(file, "holds the state of a " + SafeText.of(savedKind) + " optimizer but the optimizer given is "
              + st.kind() + "; resume with a " + SafeText.of(savedKind));
        }
        for (String buf : optimizerBuffers) {
          for (Parameter p : params) {
            expected.put(OPTIMIZER_PREFIX + buf + "." + p.name(), p.shape());
          }
        }
      }
      List<String> problems = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, int[]> e : expected.entrySet()) {
        SafeTensors.TensorInfo t = in.tensor(e.getKey());
        if (t == null) {
          missing.add(e.getKey());
        } else if (!Arrays.equals(t.shape(), e.getValue())) {
          problems.add(SafeText.of(e.getKey()) + " has shape " + Arrays.toString(t.shape()) + " in the file but "
              + Arrays.toString(e.getValue()) + " is expected");
        } else if (!t.dtype().equals("F32")) {
          problems.add(SafeText.of(e.getKey()) + " is stored as " + t.dtype() + "; a checkpoint holds F32");
        }
      }
      if (!missing.isEmpty()) {
        problems.add(0, "missing tensors " + SafeText.list(missing));
      }
      List<String> extra = new ArrayList<>();
      for (SafeTensors.TensorInfo t : in.tensors()) {
        boolean skipped = st == null && t.name().startsWith(OPTIMIZER_PREFIX);
        if (!expected.containsKey(t.name()) && !skipped) {
          extra.add(t.name());
        }
      }
      if (!extra.isEmpty()) {
        problems.add("unexpected tensors " + SafeText.list(extra));
      }
      if (!problems.isEmpty()) {
        throw bad(file, "does not match model '" + modelName + "': " + String.join("; ", problems));
      }

      for (int i = 0; i < paramData.length; i++) {
        paramData[i] = in.readFloats(params.get(i).name());
      }
      for (int i = 0; i < bufferData.length; i++) {
        bufferData[i] = in.readFloats(buffers.get(i).name());
      }
      if (st != null) {
        Map<String, float[]> slabs = new LinkedHashMap<>();
        if (!optimizerBuffers.isEmpty()) {
          int slab;
          try {
            slab = tiling(params);
          } catch (IllegalArgumentException e) {
            throw bad(file, "holds optimizer state but " + e.getMessage());
          }
          for (String buf : optimizerBuffers) {
            float[] flat = new float[slab];
            for (Parameter p : params) {
              float[] part = in.readFloats(OPTIMIZER_PREFIX + buf + "." + p.name());
              System.arraycopy(part, 0, flat, p.offset(), part.length);
            }
            slabs.put(buf, flat);
          }
        }
        float lr;
        try {
          lr = Float.parseFloat(Objects.requireNonNullElse(meta.get(OPTIMIZER_LR_KEY), "missing"));
        } catch (NumberFormatException e) {
          throw bad(file, "has no valid " + OPTIMIZER_LR_KEY + " metadata: " + SafeText.of(meta.get(OPTIMIZER_LR_KEY)));
        }
        try {
          state = new OptimizerState(savedKind, number(file, meta, OPTIMIZER_STEPS_KEY), lr, slabs);
        } catch (IllegalArgumentException e) {
          throw bad(file, "holds an invalid optimizer state: " + SafeText.of(e.getMessage()));
        }
      }
    }
    // Everything is read and checked. The optimizer validates its state before changing anything;
    // after it, nothing can fail.
    if (st != null) {
      try {
        st.restore(state);
      } catch (IllegalArgumentException e) {
        throw new ModelFileException(file, SafeText.of(file) + " holds optimizer state that does not fit: " + SafeText.of(e.getMessage()), e);
      }
    }
    for (int i = 0; i < paramData.length; i++) {
      params.get(i).copyFrom(paramData[i]);
    }
    for (int i = 0; i < bufferData.length; i++) {
      buffers.get(i).copyFrom(bufferData[i]);
    }
    return new Restored(step, extras);
  }

  private static Stateful stateful(Optimizer optimizer) {
    if (optimizer instanceof Stateful s) {
      return s;
    }
    throw new IllegalArgumentException(optimizer + " cannot be checkpointed: it does not implement "
        + Stateful.class.getName());
  }

  private static void checkNames(List<Parameter> params, List<Parameter> buffers) {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(buffers, "buffers");
    Set<String> names = new HashSet<>();
    for (List<Parameter> list : List.of(params, buffers)) {
      for (Parameter p : list) {
        if (!names.add(p.name())) {
          throw new IllegalArgumentException("tensor name '" + p.name() + "' appears twice");
        }
        if (p.name().startsWith(OPTIMIZER_PREFIX)) {
          throw new IllegalArgumentException("tensor name '" + p.name() + "' clashes with the optimizer's "
              + OPTIMIZER_PREFIX + "* tensors");
        }
      }
    }
  }

  /** The length of the slab the parameters tile from offset 0, or an IllegalArgumentException. */
  private static int tiling(List<Parameter> params) {
    List<Parameter> sorted = new ArrayList<>(params);
    sorted.sort(Comparator.comparingInt(Parameter::offset));
    int at = 0;
    for (Parameter p : sorted) {
      if (p.offset() != at) {
        throw new IllegalArgumentException("the parameters do not tile the parameter slab: " + p + " starts at "
            + p.offset() + " where " + (at == 0 ? "the slab starts" : "the previous parameter ends") + " (" + at + ")");
      }
      at += p.size();
    }
    return at;
  }

  private static long number(Path file, Map<String, String> meta, String key) throws ModelFileException {
    String v = meta.get(key);
    try {
      long n = Long.parseLong(Objects.requireNonNull(v, "missing"));
      if (key.equals(STEP_KEY) || key.equals(OPTIMIZER_STEPS_KEY)) {
        if (n < 0) {
          throw new NumberFormatException("negative");
        }
      }
      return n;
    } catch (NumberFormatException | NullPointerException e) {
      throw bad(file, "has no valid " + SafeText.of(key) + " metadata (a whole number): " + SafeText.of(v));
    }
  }

  private static ModelFileException bad(Path file, String problem) {
    return new ModelFileException(file, SafeText.of(file) + " " + problem);
  }
}
