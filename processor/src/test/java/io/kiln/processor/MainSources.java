package io.kiln.processor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The processor's main sources as the structure tests read them: code without comments and literals. */
public final class MainSources {
  public static final Path ROOT = Path.of("src/main/java/io/kiln/processor");

  private MainSources() {}

  /** Every main source file, sorted. */
  public static List<Path> all() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
  }

  /** A file's path below {@code io/kiln/processor}, with forward slashes: {@code emit/ModelWriter.java}. */
  public static String relative(Path file) {
    return ROOT.relativize(file).toString().replace('\\', '/');
  }

  /** The source without comments, string and character literals (text blocks included). */
  public static String code(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", " ")
        .replaceAll("(?s)\"\"\".*?\"\"\"", "\"\"")
        .replaceAll("\"(?:\\\\.|[^\"\\\\\\n])*\"", "\"\"")
        .replaceAll("'(?:\\\\.|[^'\\\\\\n])+'", "' '")
        .replaceAll("//[^\\n]*", " ");
  }
}
