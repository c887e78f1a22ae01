package io.kiln.bench;

/**
 * A reference model as {@code ./bench models} times it, matching one case of
 * {@code ../shared/peers/torch_bench.py} (same name, batch, shapes, loss and SGD step).
 */
public interface ReferenceModel {
  /** The peer's case name: lenet, cnn64, charlstm, seq2seq or gpt. */
  String name();

  /** Samples per step (torch_bench's B). */
  int batch();

  /** Trainable parameter count (equals the PyTorch model's unless {@link #note()} says why not). */
  long params();

  /** How this model differs from torch_bench.py's, if it does; printed once to stderr. Empty when it matches. */
  default String note() {
    return "";
  }

  /** The dense products of one step, for its analytic FLOPs. */
  ModelFlops flops();

  /** One SGD training step (forward, backward, update) on a fixed batch. */
  void trainStep();

  /** One forward pass (loss, no gradients) on the same batch. */
  void forward();

  /** {@code predict} on the batch and on one sample, and the model's ONNX export, for the inference comparison. */
  InferenceCase inference();
}
