package io.kiln.samples.text;

import io.kiln.runtime.init.Rng;
import io.kiln.samples.cli.InputException;
import io.kiln.samples.cli.InputFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The character-level text the language-model samples ({@code charlstm}, {@code gpt}) train on:
 * a 96-symbol alphabet (newline and printable ASCII), the default corpus (Kiln's own Java sources)
 * and temperature sampling from a model's next-character logits.
 */
public final class TextCorpus {
  /** Newline plus the 95 printable ASCII characters. */
  public static final int VOCAB = 96;

  private TextCorpus() {}

  /** Newline is 0, printable ASCII ' '..'~' are 1..95; anything else reads as a space. */
  public static int encode(char c) {
    if (c == '\n') {
      return 0;
    }
    return c >= ' ' && c <= '~' ? c - ' ' + 1 : 1;
  }

  public static char decode(int id) {
    if (id < 0 || id >= VOCAB) {
      throw new IllegalArgumentException("character id " + id + " is outside [0, " + VOCAB + ")");
    }
    return id == 0 ? '\n' : (char) (' ' + id - 1);
  }

  public static int[] encode(String text) {
    int[] ids = new int[text.length()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = encode(text.charAt(i));
    }
    return ids;
  }

  /**
   * Kiln's Java sources from the working tree when run from the repository (more than 100,000
   * characters), else the copy shipped with the samples; says which on {@code log}.
   */
  public static String defaultText(PrintStream log) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String module : List.of("dsl-annotations", "processor", "runtime", "samples")) {
      Path root = Path.of(module, "src", "main", "java");
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          sb.append(Files.readString(f, StandardCharsets.UTF_8)).append('\n');
        }
      }
    }
    if (sb.length() > 100_000) {
      log.printf(Locale.ROOT, "corpus: Kiln's own Java sources from %s, %,d characters%n", Path.of("").toAbsolutePath(), sb.length());
      return sb.toString();
    }
    try (InputStream in = TextCorpus.class.getResourceAsStream("/io/kiln/samples/charlstm/corpus.txt")) {
      if (in == null) {
        throw new IOException("the shipped corpus io/kiln/samples/charlstm/corpus.txt is missing from the class path");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      log.printf(Locale.ROOT, "corpus: the Java sources shipped with the samples, %,d characters%n", text.length());
      return text;
    }
  }

  /** The largest {@code --text} file: the samples hold it as a string and as ids, 6 bytes a character. */
  public static final long MAX_TEXT_BYTES = 64L << 20;

  /** More control bytes than this fraction (other than tab, line feed, form feed and carriage return) mean binary. */
  static final double MAX_CONTROL_FRACTION = 0.05;

  /**
   * Reads a text file given as {@code option} for a language model: UTF-8, or Latin-1 (ISO-8859-1)
   * when it is not valid UTF-8 (every byte sequence is valid Latin-1; either way characters outside
   * the model's alphabet train as spaces, so the guess changes only how many). Line ends become
   * {@code \n} and a byte-order mark is dropped. Says on {@code log} how it was read.
   *
   * @throws io.kiln.samples.cli.InputException naming the file if it is missing, not a regular file,
   *     larger than {@link #MAX_TEXT_BYTES}, binary (a zero byte, or more than 5% control bytes) or
   *     shorter than {@code minCharacters}
   */
  public static String read(Path file, String option, int minCharacters, PrintStream log) throws IOException {
    InputFiles.regularFile(file, option, "a text file", MAX_TEXT_BYTES);
    byte[] bytes = Files.readAllBytes(file);
    String where = option + " " + file + ": ";
    long control = 0;
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      if (b == 0) {
        throw new InputException(where + "looks binary (a zero byte at offset " + i + "); expected a text file in UTF-8 or Latin-1");
      }
      if ((b < 0x20 && b != '\t' && b != '\n' && b != '\f' && b != '\r') || b == 0x7f) {
        control++;
      }
    }
    if (control > MAX_CONTROL_FRACTION * bytes.length) {
      throw new InputException(where + "looks binary (" + control + " of " + bytes.length
          + " bytes are control characters); expected a text file in UTF-8 or Latin-1");
    }
    int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    CharBuffer chars = CharBuffer.allocate(bytes.length);
    CoderResult result = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(in, chars, true);
    String text;
    String encoding;
    if (result.isError()) {
      encoding = "Latin-1 (ISO-8859-1): it is not valid UTF-8 at byte " + in.position();
      text = new String(bytes, StandardCharsets.ISO_8859_1);
    } else {
      encoding = "UTF-8";
      text = chars.flip().toString();
    }
    text = text.replace("\r\n", "\n").replace('\r', '\n');
    if (text.length() < minCharacters) {
      throw new InputException(where + "has " + text.length() + " characters; at least " + minCharacters + " are needed");
    }
    long outside = text.chars().filter(c -> c != '\n' && (c < ' ' || c > '~')).count();
    log.printf(Locale.ROOT, "corpus: %s, %,d characters read as %s%s%n", file, text.length(), encoding,
        outside == 0 ? "" : String.format(Locale.ROOT, "; %,d outside newline and printable ASCII train as spaces", outside));
    return text;
  }

  /**
   * Fills {@code x} and {@code y} with {@code x.length / steps} training windows drawn from
   * {@code ids[0, split)}: each a random run of {@code steps} ids and the same run shifted by one
   * (the next character of each).
   */
  public static void randomWindows(int[] ids, int split, int steps, Rng rng, int[] x, int[] y) {
    for (int b = 0; b < x.length / steps; b++) {
      int from = rng.nextInt(split - steps - 1);
      System.arraycopy(ids, from, x, b * steps, steps);
      System.arraycopy(ids, from + 1, y, b * steps, steps);
    }
  }

  /**
   * Up to {@code max} consecutive held-out windows from {@code ids[split, …)} as {@code {x, y}}
   * ({@code y} shifted by one); arrays of {@code windows × steps} ids, empty if the tail holds no
   * window.
   */
  public static int[][] heldOutWindows(int[] ids, int split, int steps, int max) {
    int windows = Math.max(0, Math.min(max, (ids.length - split - 1) / steps));
    int[] x = new int[windows * steps];
    int[] y = new int[windows * steps];
    for (int w = 0; w < windows; w++) {
      System.arraycopy(ids, split + w * steps, x, w * steps, steps);
      System.arraycopy(ids, split + w * steps + 1, y, w * steps, steps);
    }
    return new int[][] {x, y};
  }

  /** A language model seen from the sampler: per-step logits {@code [steps, VOCAB]} of one sequence. */
  @FunctionalInterface
  public interface LanguageModel {
    float[] logits(int[] ids, int steps);
  }

  /**
   * Continues {@code prompt} one character at a time, drawing from softmax(logits / temperature)
   * at the last position of the latest {@code window} characters.
   */
  public static String sample(LanguageModel model, int window, String prompt, int length, float temperature, Rng rng) {
    if (prompt.isEmpty()) {
      throw new IllegalArgumentException("sampling needs a prompt of at least one character");
    }
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("the sampling temperature must be > 0 but is " + temperature);
    }
    StringBuilder text = new StringBuilder(prompt);
    double[] p = new double[VOCAB];
    for (int i = 0; i < length; i++) {
      int from = Math.max(0, text.length() - window);
      int[] context = encode(text.substring(from));
      float[] logits = model.logits(context, context.length);
      int last = (context.length - 1) * VOCAB;
      double t = temperature; // in double: a tiny temperature would overflow float logits / t to infinity, and ∞ − ∞ is NaN
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < VOCAB; c++) {
        max = Math.max(max, logits[last + c] / t);
      }
      double sum = 0;
      for (int c = 0; c < VOCAB; c++) {
        p[c] = Math.exp(logits[last + c] / t - max);
        sum += p[c];
      }
      double u = rng.nextDouble() * sum;
      int next = VOCAB - 1;
      for (int c = 0; c < VOCAB; c++) {
        u -= p[c];
        if (u <= 0) {
          next = c;
          break;
        }
      }
      text.append(decode(next));
    }
    return text.toString();
  }
}
