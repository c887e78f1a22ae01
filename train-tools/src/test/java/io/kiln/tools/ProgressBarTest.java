package io.kiln.tools;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  static final long MS = 1_000_000L;

  /** A clock the test moves by hand. */
  static final class FakeClock {
    long now = 1_000 * MS;

    long get() {
      return now;
    }
  }

  final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  final FakeClock clock = new FakeClock();

  String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void formatsStepLossAccuracyRateAndEta() {
    ProgressBar bar = new ProgressBar("epoch 1/5", 100, out, false, clock::get);
    clock.now += 500 * MS;
    bar.step(64, 2.0, 16);
    clock.now += 500 * MS;
    bar.step(32, 0.5, 32);
    // loss: (64*2 + 32*0.5) / 96 = 1.5; acc 48/96; 96 examples in 1 s; 98 steps left at 0.5 s each
    assertThat(bar.line(clock.now)).isEqualTo("epoch 1/5  2/100  loss 1.5000  acc 50.0%  96 ex/s  ETA 0:49");
    assertThat(bar.meanLoss()).isEqualTo(1.5);
    assertThat(bar.accuracy()).isEqualTo(0.5);
    assertThat(bar.examplesPerSecond()).isWithin(1e-9).of(96);
    assertThat(bar.steps()).isEqualTo(2);
    assertThat(bar.examples()).isEqualTo(96);
  }

  @Test
  void withoutAccuracyOrTotal() {
    ProgressBar bar = new ProgressBar("", 0, out, false, clock::get);
    clock.now += 2000 * MS;
    bar.step(10_000, 0.25);
    assertThat(bar.line(clock.now)).isEqualTo("1 step  loss 0.2500  5,000 ex/s");
    assertThat(bar.accuracy()).isNaN();
  }

  @Test
  void plainOutputPrintsAtMostEveryTwoSecondsAndAtTheEnd() {
    ProgressBar bar = new ProgressBar("eval", 1000, out, false, clock::get);
    for (int i = 0; i < 1000; i++) {
      clock.now += 10 * MS; // 10 s in all
      bar.step(8, 1.0, 4);
    }
    bar.finish();
    String[] lines = output().split("\n");
    assertThat(output()).doesNotContain("\r");
    assertThat(output()).doesNotContain("[");
    assertThat(lines).hasLength(6); // at 2, 4, 6, 8, 10 s, then the final line
    assertThat(lines[0]).isEqualTo("eval  200/1000  loss 1.0000  acc 50.0%  800 ex/s  ETA 0:08");
    assertThat(lines[5]).isEqualTo("eval  1000/1000  loss 1.0000  acc 50.0%  800 ex/s  took 0:10");
    bar.finish(); // idempotent
    assertThat(output().split("\n")).hasLength(6);
    assertThrows(IllegalStateException.class, () -> bar.step(1, 1));
  }

  @Test
  void shortRunsPrintOnlyTheFinalLine() {
    try (ProgressBar bar = new ProgressBar("x", 3, out, false, clock::get)) {
      for (int i = 0; i < 3; i++) {
        clock.now += 100 * MS;
        bar.step(1, 0.1);
      }
    }
    assertThat(output()).isEqualTo("x  3/3  loss 0.1000  10 ex/s  took 0:00\n");
  }

  @Test
  void terminalRedrawsInPlaceWithABar() {
    ProgressBar bar = new ProgressBar("train", 10, out, true, clock::get);
    clock.now += 1000 * MS;
    bar.step(100, 3.0, 10); // first step draws at once
    clock.now += 10 * MS;
    bar.step(100, 3.0, 10); // too soon: no redraw
    assertThat(output()).isEqualTo("\rtrain  [##..................]  1/10  loss 3.0000  acc 10.0%  100 ex/s  ETA 0:09");
    clock.now += 990 * MS;
    bar.step(100, 1e-5, 100);
    String out2 = output();
    assertThat(out2.substring(out2.lastIndexOf('\r')))
        .isEqualTo("\rtrain  [######..............]  3/10  loss 2.0000  acc 40.0%  150 ex/s  ETA 0:05");
    bar.finish();
    String fin = output().substring(output().lastIndexOf('\r'));
    assertThat(fin).startsWith("\rtrain  3/10  loss 2.0000  acc 40.0%  150 ex/s  took 0:02");
    assertThat(fin).endsWith(System.lineSeparator());
    // the shorter final line is padded with spaces to erase the previous one
    assertThat(fin.stripTrailing().length()).isLessThan(fin.length() - System.lineSeparator().length());
  }

  @Test
  void formatsDurationsAndLosses() {
    assertThat(ProgressBar.formatDuration(0)).isEqualTo("0:00");
    assertThat(ProgressBar.formatDuration(59.4)).isEqualTo("0:59");
    assertThat(ProgressBar.formatDuration(61)).isEqualTo("1:01");
    assertThat(ProgressBar.formatDuration(3600 + 62)).isEqualTo("1:01:02");
    assertThat(ProgressBar.formatDuration(Double.NaN)).isEqualTo("?");
    assertThat(ProgressBar.formatDuration(Double.POSITIVE_INFINITY)).isEqualTo("?");
    assertThat(ProgressBar.formatLoss(0.69314)).isEqualTo("0.6931");
    assertThat(ProgressBar.formatLoss(0)).isEqualTo("0.0000");
    assertThat(ProgressBar.formatLoss(1.5e-4)).isEqualTo("1.500e-04");
    assertThat(ProgressBar.formatLoss(Double.NaN)).isEqualTo("NaN");
    assertThat(ProgressBar.formatLoss(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
  }

  @Test
  void rejectsNonsense() {
    ProgressBar bar = new ProgressBar("x", 3, out, false, clock::get);
    assertThrows(IllegalArgumentException.class, () -> bar.step(4, 1.0, 5));
    assertThrows(IllegalArgumentException.class, () -> bar.step(-1, 1.0));
    assertThrows(IllegalArgumentException.class, () -> new ProgressBar("x", -1, out, false, clock::get));
  }
}
