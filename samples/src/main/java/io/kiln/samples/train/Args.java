package io.kiln.samples.train;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@code --name value} options of a sample, with clear errors for unknown names and bad numbers. */
public final class Args {
  private final String sample;
  private final Map<String, String> values = new HashMap<>();

  private Args(String sample) {
    this.sample = sample;
  }

  /** Parses {@code args}; every name must be one of {@code known}. */
  public static Args parse(String sample, String[] args, String... known) {
    Args parsed = new Args(sample);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(sample + ": expected --name value pairs but got '" + a + "'; options: " + String.join(", ", known));
      }
      String name = a.substring(2);
      if (!java.util.List.of(known).contains(name)) {
        throw new IllegalArgumentException(sample + ": unknown option --" + name + "; options: --" + String.join(", --", known));
      }
      parsed.values.put(name, args[++i]);
    }
    return parsed;
  }

  public int intValue(String name, int defaultValue) {
    String v = values.get(name);
    try {
      return v == null ? defaultValue : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(sample + ": --" + name + " needs a whole number but got '" + v + "'");
    }
  }

  public float floatValue(String name, float defaultValue) {
    String v = values.get(name);
    try {
      return v == null ? defaultValue : Float.parseFloat(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(sample + ": --" + name + " needs a number but got '" + v + "'");
    }
  }

  public Optional<Path> path(String name) {
    return Optional.ofNullable(values.get(name)).map(Path::of);
  }

  public Path path(String name, Path defaultValue) {
    return path(name).orElse(defaultValue);
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }
}
