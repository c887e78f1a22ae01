package io.kiln.bench;

/**
 * One side's times for one model at one thread count in one round (from 1) of {@code ./bench models}:
 * the loop-mean train step and forward pass (torch_bench's statistic), and the inference comparison's
 * {@code predict} at the maximum batch (loop mean) and of one sample (p50 and p99 over the calls).
 * A time a side does not measure is NaN: the PyTorch peers do not run {@code predict}, ONNX Runtime
 * does not train.
 */
record Measurement(String side, String model, int threads, int round, double trainMs, double forwardMs,
    double predictBatchMs, double oneP50Ms, double oneP99Ms) {
  static final String KILN = "kiln";

  /** A training side's times (the PyTorch peers). */
  Measurement(String side, String model, int threads, int round, double trainMs, double forwardMs) {
    this(side, model, threads, round, trainMs, forwardMs, Double.NaN, Double.NaN, Double.NaN);
  }

  /** An inference-only side's times (ONNX Runtime). */
  static Measurement inference(String side, String model, int threads, int round, double predictBatchMs,
      double oneP50Ms, double oneP99Ms) {
    return new Measurement(side, model, threads, round, Double.NaN, Double.NaN, predictBatchMs, oneP50Ms, oneP99Ms);
  }

  boolean hasTraining() {
    return !Double.isNaN(trainMs);
  }

  boolean hasInference() {
    return !Double.isNaN(predictBatchMs);
  }
}
