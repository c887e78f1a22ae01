package io.kiln.runtime.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON parser (RFC 8259) for safetensors headers, so the runtime needs no
 * dependency. Objects become {@link LinkedHashMap}s (duplicate keys are rejected), arrays
 * {@link List}s, strings {@link String}s, integers {@link Long}s (or {@link Double}s beyond the
 * long range), other numbers {@link Double}s, {@code true}/{@code false} {@link Boolean}s and
 * {@code null} a {@link #NULL} marker. Nesting is limited so hostile input cannot overflow the
 * stack, and the number of values (object keys included) is capped by the caller so it cannot
 * exhaust the heap either. Every failure is a {@link Failure} carrying the character position;
 * text from the input appears in it escaped and shortened ({@link SafeText}).
 */
final class Json {
  /** The JSON {@code null} (a Map cannot hold Java null unambiguously). */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  private static final int MAX_DEPTH = 64;

  /** Malformed JSON; the message says what and where. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message);
    }
  }

  private final String s;
  private final int maxValues;
  private int pos;
  private int values;

  private Json(String s, int maxValues) {
    this.s = s;
    this.maxValues = maxValues;
  }

  /** Parses one JSON value that may be surrounded by whitespace only. */
  static Object parse(String text) throws Failure {
    return parse(text, Integer.MAX_VALUE);
  }

  /**
   * Parses one JSON value of at most {@code maxValues} values (every object, array, string, number,
   * literal and object key counts one).
   */
  static Object parse(String text, int maxValues) throws Failure {
    Json p = new Json(text, maxValues);
    p.skipWhitespace();
    Object v = p.value(0);
    p.skipWhitespace();
    if (p.pos != text.length()) {
      throw p.fail("unexpected content after the JSON value");
    }
    return v;
  }

  private Failure fail(String what) {
    return new Failure(what + " at character " + pos);
  }

  private void skipWhitespace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private void count() throws Failure {
    if (++values > maxValues) {
      throw fail("more than " + maxValues + " JSON values");
    }
  }

  private Object value(int depth) throws Failure {
    count();
    if (pos >= s.length()) {
      throw fail("unexpected end of JSON");
    }
    char c = s.charAt(pos);
    return switch (c) {
      case '{' -> object(depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", NULL);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw fail("unexpected character '" + printable(c) + "'");
      }
    };
  }

  private Object literal(String word, Object v) throws Failure {
    if (!s.startsWith(word, pos)) {
      throw fail("invalid literal");
    }
    pos += word.length();
    return v;
  }

  private Map<String, Object> object(int depth) throws Failure {
    if (depth > MAX_DEPTH) {
      throw fail("JSON nested deeper than " + MAX_DEPTH);
    }
    pos++; // '{'
    Map<String, Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return map;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw fail("expected a string key");
      }
      count();
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Object v = value(depth);
      if (map.putIfAbsent(key, v) != null) {
        throw fail("duplicate key \"" + SafeText.of(key) + "\"");
      }
      skipWhitespace();
      char c = next();
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        pos--;
        throw fail("expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) throws Failure {
    if (depth > MAX_DEPTH) {
      throw fail("JSON nested deeper than " + MAX_DEPTH);
    }
    pos++; // '['
    List<Object> list = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      skipWhitespace();
      list.add(value(depth));
      skipWhitespace();
      char c = next();
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        pos--;
        throw fail("expected ',' or ']'");
      }
    }
  }

  private String string() throws Failure {
    pos++; // opening quote
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw fail("unterminated string");
      }
      char c = s.charAt(pos++);
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        pos--;
        throw fail("control character in string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> b.append(hex4());
        default -> {
          pos--;
          throw fail("invalid escape '\\" + printable(e) + "'");
        }
      }
    }
  }

  private char hex4() throws Failure {
    if (pos + 4 > s.length()) {
      throw fail("truncated \\u escape");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(s.charAt(pos + i), 16);
      if (d < 0) {
        throw fail("invalid \\u escape");
      }
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  private Object number() throws Failure {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') {
        pos++;
      }
    } else {
      throw fail("invalid number");
    }
    boolean integral = true;
    if (peek() == '.') {
      integral = false;
      pos++;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      digits();
    }
    String text = s.substring(start, pos);
    if (integral) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException tooLarge) {
        return Double.parseDouble(text);
      }
    }
    return Double.parseDouble(text);
  }

  private void digits() throws Failure {
    if (!(peek() >= '0' && peek() <= '9')) {
      throw fail("invalid number");
    }
    while (peek() >= '0' && peek() <= '9') {
      pos++;
    }
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private char next() throws Failure {
    if (pos >= s.length()) {
      throw fail("unexpected end of JSON");
    }
    return s.charAt(pos++);
  }

  private void expect(char c) throws Failure {
    if (peek() != c) {
      throw fail("expected '" + c + "'");
    }
    pos++;
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }

  /** Appends {@code v} as a JSON string literal. */
  static void quote(StringBuilder out, String v) {
    out.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
