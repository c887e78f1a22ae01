package io.kiln.processor.codegen;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Java constant names for offsets, unique within one generated class. */
final class Names {
  private final Map<String, String> assigned = new HashMap<>();
  private final Set<String> used = new HashSet<>();

  /** {@code ("A_", "convOne")} → {@code A_CONV_ONE}, with a numeric suffix on a clash. */
  String constant(String prefix, String name) {
    return assigned.computeIfAbsent(prefix + "\0" + name, k -> {
      String base = prefix + upperSnake(name);
      String candidate = base;
      for (int i = 2; !used.add(candidate); i++) {
        candidate = base + "_" + i;
      }
      return candidate;
    });
  }

  static String upperSnake(String name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '.' || c == '$') {
        sb.append('_');
      } else if (Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(name.charAt(i - 1)) && name.charAt(i - 1) != '_') {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString();
  }
}
