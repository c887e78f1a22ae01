package io.kiln.tools;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A training run's loss and accuracy, recorded per step or epoch and drawn as a PNG line chart:
 * loss on the left axis, accuracy (training and, if recorded, test) on the right, a legend and a
 * title. Drawn with {@code java.awt} in headless mode ({@code java.awt.headless} is set to
 * {@code true} unless already set), so it needs no display and no library.
 *
 * <pre>{@code
 * TrainingCurve curve = new TrainingCurve("LeNet on Fashion-MNIST", "epoch");
 * curve.add(1, bar.meanLoss(), bar.accuracy(), testAccuracy);
 * curve.writeBeside(checkpoint); // lenet.safetensors -> lenet-curve.png
 * }</pre>
 */
public final class TrainingCurve {
  /** Default image width in pixels. */
  public static final int WIDTH = 900;
  /** Default image height in pixels. */
  public static final int HEIGHT = 540;

  static final Color BACKGROUND = Color.WHITE;
  static final Color LOSS_COLOR = new Color(0x1f, 0x77, 0xb4);
  static final Color ACCURACY_COLOR = new Color(0xe6, 0x6a, 0x00);
  static final Color TEST_COLOR = new Color(0x2c, 0xa0, 0x2c);
  private static final Color GRID = new Color(0xe4, 0xe4, 0xe4);
  private static final Color AXIS = new Color(0x55, 0x55, 0x55);
  private static final Color TEXT = new Color(0x22, 0x22, 0x22);

  /**
   * One recorded point; a value that was not measured is NaN.
   *
   * @param x the step or epoch
   * @param loss the (mean training) loss
   * @param accuracy training accuracy in [0, 1], or NaN
   * @param testAccuracy test accuracy in [0, 1], or NaN
   */
  public record Point(double x, double loss, double accuracy, double testAccuracy) {}

  private final String title;
  private final String xLabel;
  private final List<Point> points = new ArrayList<>();

  /**
   * @param title the chart's title, e.g. {@code "LeNet on Fashion-MNIST"}
   * @param xLabel what the x axis counts, e.g. {@code "epoch"} or {@code "step"}
   */
  public TrainingCurve(String title, String xLabel) {
    this.title = title;
    this.xLabel = xLabel;
  }

  /** Records a loss and a training accuracy in [0, 1] (NaN if not measured) at step or epoch {@code x}. */
  public void add(double x, double loss, double accuracy) {
    add(x, loss, accuracy, Double.NaN);
  }

  /** Records a loss, training accuracy and test accuracy (in [0, 1], NaN if not measured) at {@code x}. */
  public void add(double x, double loss, double accuracy, double testAccuracy) {
    points.add(new Point(x, loss, accuracy, testAccuracy));
  }

  /** The recorded points, in order. */
  public List<Point> points() {
    return Collections.unmodifiableList(points);
  }

  /** Where {@link #writeBeside} writes: {@code dir/lenet.safetensors} → {@code dir/lenet-curve.png}. */
  public static Path besideCheckpoint(Path checkpoint) {
    String name = checkpoint.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    return checkpoint.resolveSibling(stem + "-curve.png");
  }

  /** Writes the chart beside {@code checkpoint} (see {@link #besideCheckpoint}) and returns its path. */
  public Path writeBeside(Path checkpoint) throws IOException {
    Path png = besideCheckpoint(checkpoint);
    writePng(png);
    return png;
  }

  /** Writes the chart as a {@link #WIDTH}×{@link #HEIGHT} PNG, atomically (temp file + rename). */
  public void writePng(Path file) throws IOException {
    writePng(file, WIDTH, HEIGHT);
  }

  /** Writes the chart as a {@code width}×{@code height} PNG, atomically (temp file + rename). */
  public void writePng(Path file, int width, int height) throws IOException {
    BufferedImage image = render(width, height);
    PngFiles.write(image, file);
  }

  /** Draws the chart. */
  public BufferedImage render(int width, int height) {
    if (width < 200 || height < 150) {
      throw new IllegalArgumentException("a chart needs at least 200x150 pixels, got " + width + "x" + height);
    }
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      draw(g, width, height);
    } finally {
      g.dispose();
    }
    return img;
  }

  // ---------------------------------------------------------------------------------------------

  private void draw(Graphics2D g, int w, int h) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setColor(BACKGROUND);
    g.fillRect(0, 0, w, h);

    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 17);
    boolean hasAcc = points.stream().anyMatch(p -> Double.isFinite(p.accuracy));
    boolean hasTest = points.stream().anyMatch(p -> Double.isFinite(p.testAccuracy));
    boolean hasAnyAcc = hasAcc || hasTest;

    int left = 78;
    int right = w - (hasAnyAcc ? 78 : 30);
    int top = 82;
    int bottom = h - 58;

    // Title.
    g.setFont(titleFont);
    g.setColor(TEXT);
    FontMetrics tfm = g.getFontMetrics();
    g.drawString(title, (w - tfm.stringWidth(title)) / 2, 30);

    // Ranges.
    double[] xr = range(points.stream().mapToDouble(Point::x).toArray());
    double xMin = xr[0];
    double xMax = xr[1];
    if (xMin == xMax) {
      xMin -= 1;
      xMax += 1;
    }
    double[] lr = range(points.stream().mapToDouble(Point::loss).toArray());
    double[] lossTicks = niceTicks(Math.min(0, lr[0]), Math.max(lr[1], 1e-9), 6);
    double lossMin = lossTicks[0];
    double lossMax = lossTicks[lossTicks.length - 1];
    double accLow = 0;
    if (hasAnyAcc) {
      double minAcc = Math.min(range(points.stream().mapToDouble(Point::accuracy).toArray())[0],
          range(points.stream().mapToDouble(Point::testAccuracy).toArray())[0]);
      accLow = Math.max(0, Math.floor((minAcc - 0.02) * 10) / 10); // whole tens of percent
    }
    double[] xTicks = niceTicks(xMin, xMax, 8);
    if (xTicks[0] < xMin || xTicks[xTicks.length - 1] > xMax) {
      xMin = Math.min(xMin, xTicks[0]);
      xMax = Math.max(xMax, xTicks[xTicks.length - 1]);
    }
    final double fxMin = xMin;
    final double fxMax = xMax;
    Scale sx = v -> left + (v - fxMin) / (fxMax - fxMin) * (right - left);
    Scale sLoss = v -> bottom - (v - lossMin) / (lossMax - lossMin) * (bottom - top);
    final double fAccLow = accLow;
    Scale sAcc = v -> bottom - (v - fAccLow) / (1 - fAccLow) * (bottom - top);

    // Grid (from the loss ticks) and axes.
    g.setFont(font);
    FontMetrics fm = g.getFontMetrics();
    g.setStroke(new BasicStroke(1f));
    for (double t : lossTicks) {
      int y = (int) Math.round(sLoss.at(t));
      g.setColor(GRID);
      g.drawLine(left, y, right, y);
      g.setColor(LOSS_COLOR);
      String s = tickLabel(t, lossTicks);
      g.drawString(s, left - 8 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
    }
    for (double t : xTicks) {
      int x = (int) Math.round(sx.at(t));
      g.setColor(GRID);
      g.drawLine(x, top, x, bottom);
      g.setColor(AXIS);
      g.drawLine(x, bottom, x, bottom + 4);
      String s = tickLabel(t, xTicks);
      g.setColor(TEXT);
      g.drawString(s, x - fm.stringWidth(s) / 2, bottom + 6 + fm.getAscent());
    }
    if (hasAnyAcc) {
      g.setColor(ACCURACY_COLOR.darker());
      int steps = (int) Math.round((1 - accLow) * 10);
      int every = steps > 5 ? 2 : 1;
      for (int i = 0; i <= steps; i += every) {
        double a = accLow + i / 10.0;
        int y = (int) Math.round(sAcc.at(a));
        g.drawLine(right, y, right + 4, y);
        g.drawString(String.format(Locale.ROOT, "%.0f%%", a * 100), right + 8, y + fm.getAscent() / 2 - 1);
      }
    }
    g.setColor(AXIS);
    g.drawRect(left, top, right - left, bottom - top);

    // Axis titles.
    g.setColor(TEXT);
    g.drawString(xLabel, (left + right - fm.stringWidth(xLabel)) / 2, h - 16);
    drawVertical(g, "loss", 20, (top + bottom) / 2, LOSS_COLOR);
    if (hasAnyAcc) {
      drawVertical(g, "accuracy", w - 14, (top + bottom) / 2, ACCURACY_COLOR.darker());
    }

    // Curves, clipped to the plot area.
    java.awt.Shape oldClip = g.getClip();
    g.clipRect(left - 4, top - 4, right - left + 9, bottom - top + 9);
    boolean markers = points.size() <= 40;
    plot(g, sx, sLoss, Point::loss, LOSS_COLOR, solid(), markers);
    if (hasAcc) {
      plot(g, sx, sAcc, Point::accuracy, ACCURACY_COLOR, solid(), markers);
    }
    if (hasTest) {
      plot(g, sx, sAcc, Point::testAccuracy, TEST_COLOR,
          new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f), markers);
    }
    g.setClip(oldClip);

    // Legend, between the title and the plot so it never hides a curve.
    List<String> names = new ArrayList<>();
    List<Color> colors = new ArrayList<>();
    List<Boolean> dashed = new ArrayList<>();
    names.add("training loss");
    colors.add(LOSS_COLOR);
    dashed.add(false);
    if (hasAcc) {
      names.add("training accuracy");
      colors.add(ACCURACY_COLOR);
      dashed.add(false);
    }
    if (hasTest) {
      names.add("test accuracy");
      colors.add(TEST_COLOR);
      dashed.add(true);
    }
    int swatch = 26;
    int gap = 24;
    int total = 0;
    for (String n : names) {
      total += swatch + 6 + fm.stringWidth(n);
    }
    total += gap * (names.size() - 1);
    int x = (w - total) / 2;
    int y = 58;
    for (int i = 0; i < names.size(); i++) {
      g.setColor(colors.get(i));
      g.setStroke(dashed.get(i)
          ? new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
          : solid());
      g.drawLine(x, y - fm.getAscent() / 2 + 1, x + swatch, y - fm.getAscent() / 2 + 1);
      g.setColor(TEXT);
      g.drawString(names.get(i), x + swatch + 6, y);
      x += swatch + 6 + fm.stringWidth(names.get(i)) + gap;
    }
    if (points.isEmpty()) {
      g.setColor(AXIS);
      String s = "no data recorded";
      g.drawString(s, (left + right - fm.stringWidth(s)) / 2, (top + bottom) / 2);
    }
  }

  private interface Scale {
    double at(double v);
  }

  private interface Value {
    double of(Point p);
  }

  private static BasicStroke solid() {
    return new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
  }

  private void plot(Graphics2D g, Scale sx, Scale sy, Value v, Color color, Stroke stroke, boolean markers) {
    g.setColor(color);
    g.setStroke(stroke);
    Path2D.Double path = new Path2D.Double();
    boolean open = false;
    for (Point p : points) {
      double y = v.of(p);
      if (!Double.isFinite(y) || !Double.isFinite(p.x)) {
        open = false; // a gap in the line
        continue;
      }
      double px = sx.at(p.x);
      double py = sy.at(y);
      if (open) {
        path.lineTo(px, py);
      } else {
        path.moveTo(px, py);
        open = true;
      }
    }
    g.draw(path);
    if (markers) {
      for (Point p : points) {
        double y = v.of(p);
        if (Double.isFinite(y) && Double.isFinite(p.x)) {
          g.fill(new Ellipse2D.Double(sx.at(p.x) - 3.5, sy.at(y) - 3.5, 7, 7));
        }
      }
    }
  }

  private static void drawVertical(Graphics2D g, String s, int x, int yCenter, Color color) {
    AffineTransform old = g.getTransform();
    g.setColor(color);
    g.translate(x, yCenter);
    g.rotate(-Math.PI / 2);
    g.drawString(s, -g.getFontMetrics().stringWidth(s) / 2, 0);
    g.setTransform(old);
  }

  /** [min, max] of the finite values, or [0, 1] if there are none. */
  private static double[] range(double[] values) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (Double.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    return lo <= hi ? new double[] {lo, hi} : new double[] {0, 1};
  }

  /** Round tick values covering [lo, hi] with about {@code target} intervals (1, 2, 5 × 10^k steps). */
  static double[] niceTicks(double lo, double hi, int target) {
    if (!(hi > lo)) {
      hi = lo + 1;
    }
    double raw = (hi - lo) / target;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / mag;
    double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
    double start = Math.floor(lo / step + 1e-9) * step;
    double end = Math.ceil(hi / step - 1e-9) * step;
    int n = (int) Math.round((end - start) / step) + 1;
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = start + i * step;
    }
    return t;
  }

  private static String tickLabel(double v, double[] ticks) {
    double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
    int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
    if (Math.abs(step - 2.5 * Math.pow(10, Math.floor(Math.log10(step)))) < 1e-12 * Math.abs(step)) {
      decimals++;
    }
    if (Math.abs(v) < step * 1e-9) {
      v = 0;
    }
    if (Math.abs(v) >= 1e6) {
      return String.format(Locale.ROOT, "%.2g", v);
    }
    return String.format(Locale.ROOT, "%." + Math.min(decimals, 6) + "f", v);
  }
}
