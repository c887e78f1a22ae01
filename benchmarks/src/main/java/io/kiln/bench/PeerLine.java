package io.kiln.bench;

import io.kiln.runtime.io.JsonObjects;
import java.util.Map;

/** One line a peer printed on stdout: its BLAS configuration, a measurement, or anything else. */
sealed interface PeerLine {
  /** The peer's configuration line (torch_bench.py's blas_check, the libtorch peer's info line). */
  record Config(Map<String, Object> fields, BlasCheck blas) implements PeerLine {}

  /** A measurement line in torch_bench.py's format. */
  record Timed(Measurement measurement) implements PeerLine {}

  /**
   * An inference measurement (the ONNX Runtime peer's): {@code predict} at the maximum batch and of
   * one sample, and how far the peer's outputs at that batch were from Kiln's {@code predict}.
   */
  record Inferred(Measurement measurement, double maxAbsDiff) implements PeerLine {}

  /** Not JSON, or JSON of another kind: passed on to stderr. */
  record Other(String text) implements PeerLine {}

  /**
   * Reads one stdout line of peer {@code side} in round {@code round}. A configuration line is an
   * object with {@code "peer"} and no {@code "model"}; a measurement has {@code model},
   * {@code threads}, {@code train_step_ms} and {@code forward_ms}; an inference measurement has
   * {@code model}, {@code threads}, {@code predict_batch_ms}, {@code predict_one_p50_ms},
   * {@code predict_one_p99_ms} and {@code max_abs_diff}.
   */
  static PeerLine parse(String side, int round, String line) {
    Map<String, Object> f = JsonObjects.parseObject(line).orElse(null);
    if (f == null) {
      return new Other(line);
    }
    if (f.containsKey("peer") && !f.containsKey("model")) {
      return new Config(f, BlasCheck.of(f));
    }
    if (f.get("model") instanceof String model && f.get("threads") instanceof Number threads
        && f.get("train_step_ms") instanceof Number train && f.get("forward_ms") instanceof Number forward) {
      return new Timed(new Measurement(side, model, threads.intValue(), round, train.doubleValue(),
          forward.doubleValue()));
    }
    if (f.get("model") instanceof String model && f.get("threads") instanceof Number threads
        && f.get("predict_batch_ms") instanceof Number batch && f.get("predict_one_p50_ms") instanceof Number p50
        && f.get("predict_one_p99_ms") instanceof Number p99 && f.get("max_abs_diff") instanceof Number diff) {
      return new Inferred(Measurement.inference(side, model, threads.intValue(), round, batch.doubleValue(),
          p50.doubleValue(), p99.doubleValue()), diff.doubleValue());
    }
    return new Other(line);
  }

  /** {@code line} (a JSON object) with {@code "side"} and {@code "round"} in front, so every stdout line says whose it is. */
  static String tagged(String side, int round, String line) {
    String body = line.strip();
    String rest = body.substring(1).strip();
    return "{\"side\": \"" + side + "\", \"round\": " + round + (rest.equals("}") ? "" : ", ") + rest;
  }
}
