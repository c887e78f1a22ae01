package io.kiln.runtime.io;

import java.nio.file.Path;
import java.util.Collection;
import java.util.StringJoiner;

/**
 * Makes text that comes from a file (tensor names, dtypes, metadata, paths) safe to print in an
 * error message: a hostile file must not be able to move the cursor, recolour or clear a terminal,
 * reverse the text direction, or flood a log with one megabyte-long name.
 *
 * <p>Control characters (C0, DEL, C1), Unicode format characters (bidirectional overrides,
 * zero-width joiners, ...), line and paragraph separators and lone surrogates are shown as
 * {@code \}{@code uXXXX}; a backslash is doubled so the escapes cannot be forged.
 */
public final class SafeText {
  /** The most characters of file-supplied text shown in a message; longer text ends with "…". */
  public static final int MAX_SHOWN = 80;

  /** The most names {@link #list} shows. */
  public static final int MAX_LISTED = 10;

  private SafeText() {}

  /** {@code text} escaped and cut to {@link #MAX_SHOWN} characters (then ending in "…"). */
  public static String of(String text) {
    return text == null ? "null" : escape(text, MAX_SHOWN);
  }

  /** A path escaped but not shortened (the user needs all of it to find the file). */
  public static String of(Path path) {
    return escape(path.toString(), Integer.MAX_VALUE);
  }

  /**
   * Names for a message: {@code [a, b, c]}, each escaped and shortened, at most
   * {@link #MAX_LISTED} of them and then "… and N more".
   */
  public static String list(Collection<String> names) {
    StringJoiner out = new StringJoiner(", ", "[", "]");
    int shown = 0;
    for (String name : names) {
      if (shown++ == MAX_LISTED) {
        out.add("… and " + (names.size() - MAX_LISTED) + " more");
        break;
      }
      out.add(of(name));
    }
    return out.toString();
  }

  private static String escape(String text, int maxShown) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 256) + 8);
    int shown = 0;
    for (int i = 0; i < text.length(); i++, shown++) {
      if (shown == maxShown) {
        return out.append('…').toString();
      }
      appendEscaped(out, text, i);
      if (Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(text.charAt(++i));
      }
    }
    return out.toString();
  }

  /** Appends the char at {@code i}, escaped if unsafe (a valid surrogate pair's high half as is). */
  private static void appendEscaped(StringBuilder out, String text, int i) {
    char c = text.charAt(i);
    if (c == '\\') {
      out.append("\\\\");
    } else if (unsafe(text, i)) {
      out.append(String.format("\\u%04x", (int) c));
    } else {
      out.append(c);
    }
  }

  private static boolean unsafe(String text, int i) {
    char c = text.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return true; // a low half not preceded by a high one (pairs are consumed by the caller)
    }
    return switch (Character.getType(c)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
           Character.UNASSIGNED, Character.PRIVATE_USE -> true;
      default -> false;
    };
  }
}
