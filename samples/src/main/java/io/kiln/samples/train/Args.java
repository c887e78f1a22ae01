package io.kiln.samples.train;

import io.kiln.samples.cli.UsageException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code --name value} (or {@code --name=value}) options of a sample, parsed strictly: an
 * unknown name, a name given twice, a missing value or a value that is malformed or out of range
 * is a {@link UsageException} naming the option and what it accepts.
 */
public final class Args {
  private final String sample;
  private final List<String> known;
  private final Map<String, String> values = new HashMap<>();

  private Args(String sample, List<String> known) {
    this.sample = sample;
    this.known = known;
  }

  /** Parses {@code args}; every name must be one of {@code known}. */
  public static Args parse(String sample, String[] args, String... known) {
    Args parsed = new Args(sample, List.of(known));
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || a.length() == 2) {
        throw new UsageException("expected an option --name VALUE but got '" + a + "'; " + parsed.accepted());
      }
      int eq = a.indexOf('=');
      String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
      if (!parsed.known.contains(name)) {
        throw new UsageException("unknown option --" + name + "; " + parsed.accepted());
      }
      String value;
      if (eq >= 0) {
        value = a.substring(eq + 1);
      } else if (i + 1 == args.length) {
        throw new UsageException("--" + name + " needs a value but is the last argument");
      } else if (args[i + 1].startsWith("--") && parsed.known.contains(optionName(args[i + 1]))) {
        throw new UsageException("--" + name + " needs a value but is followed by the option " + args[i + 1]);
      } else {
        value = args[++i];
      }
      String before = parsed.values.put(name, value);
      if (before != null) {
        throw new UsageException("--" + name + " is given twice ('" + before + "' and '" + value + "')");
      }
    }
    return parsed;
  }

  private static String optionName(String arg) {
    int eq = arg.indexOf('=');
    return eq < 0 ? arg.substring(2) : arg.substring(2, eq);
  }

  private String accepted() {
    return known.isEmpty() ? sample + " takes no options" : sample + " takes --" + String.join(", --", known);
  }

  /** A whole number, any {@code int}. */
  public int intValue(String name, int defaultValue) {
    return intValue(name, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  /** A whole number in {@code [min, max]}. */
  public int intValue(String name, int defaultValue, int min, int max) {
    return (int) longValue(name, defaultValue, min, max);
  }

  /** A whole number, any {@code long} (seeds). */
  public long longValue(String name, long defaultValue) {
    return longValue(name, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** A whole number in {@code [min, max]}. */
  public long longValue(String name, long defaultValue, long min, long max) {
    String v = values.get(name);
    if (v == null) {
      return defaultValue;
    }
    try {
      long n = Long.parseLong(v.strip());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below, with the range
    }
    throw new UsageException("--" + name + " needs a whole number" + range(min, max) + " but got '" + v + "'");
  }

  /** A whole number in {@code [min, max]} that is a multiple of {@code step}. */
  public int multipleOf(String name, int defaultValue, int step, int min, int max) {
    try {
      int n = intValue(name, defaultValue, min, max);
      if (n % step == 0) {
        return n;
      }
    } catch (UsageException e) {
      // reported below, with the step
    }
    throw new UsageException("--" + name + " needs a multiple of " + step + range(min, max) + " but got '" + values.get(name) + "'");
  }

  private static String range(long min, long max) {
    boolean noMin = min == Integer.MIN_VALUE || min == Long.MIN_VALUE;
    boolean noMax = max == Integer.MAX_VALUE || max == Long.MAX_VALUE;
    if (noMin && noMax) {
      return "";
    }
    return noMax ? " ≥ " + min : noMin ? " ≤ " + max : " from " + min + " to " + max;
  }

  /** A finite number. */
  public float floatValue(String name, float defaultValue) {
    return number(name, defaultValue, false);
  }

  /** A finite number {@code > 0} (learning rates, temperatures). */
  public float positiveFloat(String name, float defaultValue) {
    return number(name, defaultValue, true);
  }

  private float number(String name, float defaultValue, boolean positive) {
    String v = values.get(name);
    if (v == null) {
      return defaultValue;
    }
    try {
      float f = Float.parseFloat(v);
      if (Float.isFinite(f) && (!positive || f > 0)) {
        return f;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--" + name + " needs a finite number" + (positive ? " > 0" : "") + " but got '" + v + "'");
  }

  /** One of {@code choices}. */
  public String choice(String name, String defaultValue, String... choices) {
    String v = values.getOrDefault(name, defaultValue);
    if (!List.of(choices).contains(v)) {
      throw new UsageException("--" + name + " needs one of " + String.join(", ", choices) + " but got '" + v + "'");
    }
    return v;
  }

  /** A string, as given. */
  public String string(String name, String defaultValue) {
    String v = values.getOrDefault(name, defaultValue);
    if (v != null && v.isEmpty()) {
      throw new UsageException("--" + name + " needs a value but got an empty one");
    }
    return v;
  }

  public Optional<Path> path(String name) {
    String v = string(name, null);
    try {
      return Optional.ofNullable(v).map(Path::of);
    } catch (java.nio.file.InvalidPathException e) {
      throw new UsageException("--" + name + " needs a path but got '" + v + "' (" + e.getReason() + ")");
    }
  }

  public Path path(String name, Path defaultValue) {
    return path(name).orElse(defaultValue);
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }
}
