package io.kiln.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A reference model's side of the inference comparison: {@code predict} on the model's maximum
 * batch and on its first sample, and the files the ONNX Runtime peer runs the same model from —
 * {@code NAME.onnx} (the model's own {@code exportOnnx}), the batch's inputs, Kiln's
 * {@code predict} of that batch to check the peer's outputs against, and {@code NAME.properties}
 * describing them (read by {@code benchmarks/peers/onnxruntime}).
 */
final class InferenceCase {
  /** Writes the model's ONNX file (the generated class's {@code exportOnnx(Path)}). */
  @FunctionalInterface
  interface Exporter {
    void exportOnnx(Path file) throws IOException;
  }

  /** One model input over a batch, row-major, batch first: float values, or int32 token ids. */
  record Input(String name, int[] shape, float[] floats, int[] ints) {
    static Input floats(String name, float[] values, int... shape) {
      return new Input(name, shape, values, null);
    }

    static Input ints(String name, int[] values, int... shape) {
      return new Input(name, shape, null, values);
    }

    /** The first sample of the batch, as a batch of one. */
    Input first() {
      int[] s = shape.clone();
      s[0] = 1;
      int n = Arrays.stream(s).reduce(1, (a, b) -> a * b);
      return new Input(name, s, floats == null ? null : Arrays.copyOf(floats, n),
          ints == null ? null : Arrays.copyOf(ints, n));
    }

    byte[] littleEndianBytes() {
      return floats != null ? littleEndian(floats) : littleEndian(ints);
    }
  }

  static byte[] littleEndian(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  static byte[] littleEndian(int[] values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(values);
    return b.array();
  }

  private final List<Input> batch;
  private final List<Input> one;
  private final Function<List<Input>, float[]> predict;
  private final Exporter exporter;

  /**
   * @param batch the inputs at the model's maximum batch, in the order of the model's {@code Input} record
   * @param predict the model's {@code predict} on such inputs (any batch)
   */
  InferenceCase(List<Input> batch, Function<List<Input>, float[]> predict, Exporter exporter) {
    this.batch = List.copyOf(batch);
    this.one = batch.stream().map(Input::first).toList();
    this.predict = predict;
    this.exporter = exporter;
  }

  int batch() {
    return batch.get(0).shape()[0];
  }

  float[] predictBatch() {
    return predict.apply(batch);
  }

  float[] predictOne() {
    return predict.apply(one);
  }

  /** Writes {@code name}'s files for the ONNX Runtime peer into {@code dir}, the spec last. */
  void export(String name, Path dir) throws IOException {
    Files.createDirectories(dir);
    exporter.exportOnnx(dir.resolve(name + ".onnx"));
    List<String> spec = new ArrayList<>(List.of("model=" + name, "batch=" + batch(),
        "inputs=" + String.join(",", batch.stream().map(Input::name).toList())));
    for (Input in : batch) {
      String file = name + "." + in.name() + ".bin";
      Files.write(dir.resolve(file), in.littleEndianBytes());
      spec.add(in.name() + ".type=" + (in.floats() != null ? "float32" : "int32"));
      spec.add(in.name() + ".shape=" + String.join(",", Arrays.stream(in.shape()).mapToObj(String::valueOf).toList()));
      spec.add(in.name() + ".file=" + file);
    }
    String output = name + ".predict.bin";
    Files.write(dir.resolve(output), littleEndian(predictBatch()));
    spec.add("output.file=" + output);
    Path tmp = dir.resolve(name + ".properties.tmp");
    Files.write(tmp, spec);
    Files.move(tmp, dir.resolve(name + ".properties"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
