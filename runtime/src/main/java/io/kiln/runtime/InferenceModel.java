package io.kiln.runtime;

import io.kiln.dsl.Tensor;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What every generated model offers for inference, typed by the model's input: the generated class
 * names that type as its nested record {@code Input} (for example
 * {@code KilnLeNet.Input(float[] image)} or {@code KilnCharLstm.Input(int[] tokens, int steps)}),
 * so code written against this interface runs any model without adapters.
 *
 * <p>The generated class also keeps its array methods ({@code forward(float[] image)}), which the
 * record methods call; both check their arguments the same way.
 *
 * @param <X> the generated class's {@code Input} record
 */
public interface InferenceModel<X> {

  /** The declared model's name ({@code MODEL_NAME}), recorded in saved files and checked on load. */
  String modelName();

  /**
   * Runs the network in inference mode and returns its output, a view of the model's memory valid
   * until the model's next call.
   *
   * @throws IllegalArgumentException if the input is malformed (the message names model, method and input)
   */
  Tensor forward(X input);

  /**
   * The output as a new array, as probabilities for models trained with a softmax or sigmoid loss.
   *
   * @throws IllegalArgumentException if the input is malformed or holds NaN or ±infinity
   */
  float[] predict(X input);

  /**
   * Writes the model as an ONNX file (opset 17) that computes what {@link #predict} does, with
   * dynamic batch and, for sequence models, dynamic steps; atomically, as {@code save}. See
   * docs/onnx.md for the op mapping.
   *
   * @throws IOException if the file cannot be written (the message names it)
   */
  void exportOnnx(Path file) throws IOException;
}
