package io.kiln.runtime.io;

import java.util.Map;
import java.util.Optional;

/**
 * The benchmarks' door to the runtime's strict JSON parser, which is package-private because the
 * runtime's API has no use for JSON beyond safetensors headers. It lives in the benchmarks module
 * (same package name, class path only) so {@code ./bench} reads the peers' JSON lines with the one
 * parser the project has instead of a second one.
 */
public final class JsonObjects {
  private JsonObjects() {}

  /** The line as a JSON object, or empty when it is not one (malformed, or an array, string, …). */
  @SuppressWarnings("unchecked")
  public static Optional<Map<String, Object>> parseObject(String line) {
    try {
      return Json.parse(line) instanceof Map<?, ?> m ? Optional.of((Map<String, Object>) m) : Optional.empty();
    } catch (Json.Failure e) {
      return Optional.empty();
    }
  }
}
