package io.kiln.tools;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress bar of long work (an epoch of training, an evaluation): step / total, the running
 * mean loss, accuracy when given, examples per second and the time left.
 *
 * <p>On a terminal it redraws one line in place with {@code '\r'} (at most ten times a second);
 * otherwise — output piped to a file or a CI log — it prints a plain line at most every two
 * seconds, and always one at the end, so logs stay short and readable:
 *
 * <pre>
 * epoch 1/5  [########............]  375/938  loss 0.6213  acc 77.9%  9,870 ex/s  ETA 0:04
 * epoch 1/5  938/938  loss 0.5120  acc 81.6%  10,032 ex/s  took 0:06
 * </pre>
 *
 * <p>The clock starts when the bar is created. The running loss is the mean over examples (each
 * step's loss weighted by its number of examples); accuracy is correct / examples over the steps
 * that reported it. Not thread-safe.
 *
 * <pre>{@code
 * try (ProgressBar bar = new ProgressBar("epoch " + (e + 1) + "/" + epochs, batches.stepsPerEpoch())) {
 *   while (batches.next()) {
 *     float loss = net.trainStep(...);
 *     bar.step(batches.size(), loss, correct);
 *   }
 * }
 * }</pre>
 */
public final class ProgressBar implements AutoCloseable {
  /** Minimum time between two plain lines when the output is not a terminal. */
  public static final long PLAIN_INTERVAL_NANOS = 2_000_000_000L;
  /** Minimum time between two redraws on a terminal. */
  public static final long REDRAW_INTERVAL_NANOS = 100_000_000L;

  private static final int BAR_WIDTH = 20;

  private final String label;
  private final long total;
  private final PrintStream out;
  private final boolean terminal;
  private final LongSupplier clock;
  private final long start;

  private long steps;
  private long examples;
  private double lossSum; // sum of loss * examples
  private long accuracyExamples;
  private long correct;
  private long lastPrint;
  private int lastWidth;
  private boolean finished;
  private long endTime = -1;

  /**
   * A bar on {@code System.err}, redrawn in place if this JVM runs on a terminal.
   *
   * @param label what is being done, e.g. {@code "epoch 1/5"}
   * @param totalSteps the number of steps expected, or 0 if unknown (no bar and no ETA)
   */
  public ProgressBar(String label, long totalSteps) {
    this(label, totalSteps, System.err, isTerminal(), System::nanoTime);
  }

  /**
   * A bar on {@code out}.
   *
   * @param label what is being done, e.g. {@code "epoch 1/5"}
   * @param totalSteps the number of steps expected, or 0 if unknown (no bar and no ETA)
   * @param out where to print
   * @param terminal redraw in place with {@code '\r'} if true; print a plain line at most every two
   *     seconds if false
   * @param nanoClock a monotonic clock in nanoseconds, e.g. {@code System::nanoTime}
   */
  public ProgressBar(String label, long totalSteps, PrintStream out, boolean terminal, LongSupplier nanoClock) {
    if (totalSteps < 0) {
      throw new IllegalArgumentException("totalSteps must be >= 0 (0 if unknown), got " + totalSteps);
    }
    this.label = label;
    this.total = totalSteps;
    this.out = out;
    this.terminal = terminal;
    this.clock = nanoClock;
    this.start = nanoClock.getAsLong();
    this.lastPrint = start;
  }

  /**
   * Whether this JVM's console is an interactive terminal: {@code System.console() != null} and,
   * on JDK 22 and newer (where a console exists even when output is redirected),
   * {@code Console.isTerminal()}.
   */
  public static boolean isTerminal() {
    Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      Method m = Console.class.getMethod("isTerminal");
      return (Boolean) m.invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 21: a console exists only on a terminal
    }
  }

  /** Records a step of {@code examples} examples with mean loss {@code loss}, no accuracy. */
  public void step(int examples, double loss) {
    record(examples, loss, -1);
  }

  /**
   * Records a step of {@code examples} examples with mean loss {@code loss}, of which {@code correct}
   * were classified correctly.
   */
  public void step(int examples, double loss, int correct) {
    if (correct < 0 || correct > examples) {
      throw new IllegalArgumentException("correct must be in [0, " + examples + "], got " + correct);
    }
    record(examples, loss, correct);
  }

  private void record(int n, double loss, int ok) {
    if (n < 0) {
      throw new IllegalArgumentException("examples must be >= 0, got " + n);
    }
    if (finished) {
      throw new IllegalStateException("the progress bar '" + label + "' is finished");
    }
    steps++;
    examples += n;
    lossSum += loss * n;
    if (ok >= 0) {
      accuracyExamples += n;
      correct += ok;
    }
    long now = clock.getAsLong();
    if (terminal) {
      if (steps == 1 || now - lastPrint >= REDRAW_INTERVAL_NANOS) {
        redraw(now);
      }
    } else if (now - lastPrint >= PLAIN_INTERVAL_NANOS) {
      lastPrint = now;
      out.println(line(now));
      out.flush();
    }
  }

  private void redraw(long now) {
    lastPrint = now;
    String s = line(now);
    StringBuilder b = new StringBuilder(s.length() + 8).append('\r').append(s);
    for (int i = s.length(); i < lastWidth; i++) {
      b.append(' '); // erase what is left of a longer previous line
    }
    lastWidth = s.length();
    out.print(b);
    out.flush();
  }

  /**
   * Prints the final line (total time instead of ETA) and ends it with a newline. Calling it again
   * does nothing.
   */
  public void finish() {
    if (finished) {
      return;
    }
    finished = true;
    endTime = clock.getAsLong();
    String s = line(endTime);
    if (terminal) {
      StringBuilder b = new StringBuilder().append('\r').append(s);
      for (int i = s.length(); i < lastWidth; i++) {
        b.append(' ');
      }
      out.println(b);
    } else {
      out.println(s);
    }
    out.flush();
  }

  /** Same as {@link #finish()}. */
  @Override
  public void close() {
    finish();
  }

  /** The status line at time {@code nowNanos} (without {@code '\r'} or newline). */
  public String line(long nowNanos) {
    StringBuilder b = new StringBuilder(96);
    if (!label.isEmpty()) {
      b.append(label).append("  ");
    }
    if (terminal && !finished && total > 0) {
      int filled = (int) Math.min(BAR_WIDTH, steps * BAR_WIDTH / total);
      b.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("]  ");
    }
    b.append(steps);
    if (total > 0) {
      b.append('/').append(total);
    } else {
      b.append(steps == 1 ? " step" : " steps");
    }
    if (examples > 0) {
      b.append("  loss ").append(formatLoss(meanLoss()));
    }
    if (accuracyExamples > 0) {
      b.append("  acc ").append(String.format(Locale.ROOT, "%.1f%%", 100 * accuracy()));
    }
    double seconds = (nowNanos - start) / 1e9;
    if (seconds > 0 && examples > 0) {
      b.append("  ").append(String.format(Locale.ROOT, "%,d", Math.round(examples / seconds))).append(" ex/s");
    }
    if (finished) {
      b.append("  took ").append(formatDuration(seconds));
    } else if (total > 0 && steps > 0 && steps < total) {
      b.append("  ETA ").append(formatDuration(seconds / steps * (total - steps)));
    }
    return b.toString();
  }

  /** The mean loss per example so far (NaN before the first step). */
  public double meanLoss() {
    return examples == 0 ? Double.NaN : lossSum / examples;
  }

  /** The fraction of examples classified correctly so far, over steps that reported it (NaN if none). */
  public double accuracy() {
    return accuracyExamples == 0 ? Double.NaN : (double) correct / accuracyExamples;
  }

  /** Examples per second since the bar was created (until {@link #finish()}, if finished). */
  public double examplesPerSecond() {
    long now = endTime >= 0 ? endTime : clock.getAsLong();
    double seconds = (now - start) / 1e9;
    return seconds > 0 ? examples / seconds : Double.NaN;
  }

  /** Steps recorded so far. */
  public long steps() {
    return steps;
  }

  /** Examples recorded so far. */
  public long examples() {
    return examples;
  }

  /** Seconds since the bar was created (until {@link #finish()}, if finished). */
  public double elapsedSeconds() {
    long now = endTime >= 0 ? endTime : clock.getAsLong();
    return (now - start) / 1e9;
  }

  static String formatLoss(double loss) {
    if (Double.isNaN(loss) || Double.isInfinite(loss)) {
      return Double.toString(loss);
    }
    double a = Math.abs(loss);
    if (a != 0 && (a < 1e-3 || a >= 1e5)) {
      return String.format(Locale.ROOT, "%.3e", loss);
    }
    return String.format(Locale.ROOT, "%.4f", loss);
  }

  /** {@code m:ss} under an hour, {@code h:mm:ss} from an hour on, {@code "?"} if not finite. */
  static String formatDuration(double seconds) {
    if (!(seconds >= 0) || Double.isInfinite(seconds) || seconds > 1e9) {
      return "?";
    }
    long s = Math.round(seconds);
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    return h > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
        : String.format(Locale.ROOT, "%d:%02d", m, sec);
  }
}
