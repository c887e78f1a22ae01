package io.kiln.tools;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Several named series of (x, y) points on one chart, drawn as a PNG: a linear or a logarithmic y
 * axis (for gradient norms spanning many orders of magnitude), a legend, a title. Points whose y is
 * not finite, or not positive on a log axis, are left out (a gap in the line). Headless
 * {@code java.awt}, written atomically like {@link TrainingCurve}.
 *
 * <pre>{@code
 * LinePlot plot = new LinePlot("‖∂L/∂W‖ per layer", "layer", "gradient norm", true);
 * plot.add("sigmoid, N(0, 0.01)", new double[] {1, 2, 3}, new double[] {1e-9, 1e-5, 1e-2}, false);
 * plot.writePng(Path.of("runs/gradients/mlp-gradients.png"));
 * }</pre>
 */
public final class LinePlot {
  static final int WIDTH = 900;
  static final int HEIGHT = 540;
  private static final Color[] PALETTE = {
    new Color(0x1f, 0x77, 0xb4), new Color(0xe6, 0x6a, 0x00), new Color(0x2c, 0xa0, 0x2c), new Color(0xd6, 0x27, 0x28),
    new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b), new Color(0x7f, 0x7f, 0x7f), new Color(0x17, 0xbe, 0xcf)};
  private static final Color GRID = new Color(0xe4, 0xe4, 0xe4);
  private static final Color TEXT = new Color(0x22, 0x22, 0x22);

  /** One line; {@code dashed} draws it dashed (e.g. "after training" beside a solid "at the start"). */
  public record Series(String name, double[] x, double[] y, boolean dashed, int color) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final boolean logY;
  private final List<Series> series = new ArrayList<>();

  public LinePlot(String title, String xLabel, String yLabel, boolean logY) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.logY = logY;
  }

  /** Adds a series in the next colour of the palette. */
  public LinePlot add(String name, double[] x, double[] y, boolean dashed) {
    return add(name, x, y, dashed, series.size());
  }

  /** Adds a series in palette colour {@code color} (so a solid and a dashed line can share one). */
  public LinePlot add(String name, double[] x, double[] y, boolean dashed, int color) {
    if (x.length != y.length) {
      throw new IllegalArgumentException("series '" + name + "' has " + x.length + " x values but " + y.length + " y values");
    }
    series.add(new Series(name, x.clone(), y.clone(), dashed, color));
    return this;
  }

  public List<Series> series() {
    return List.copyOf(series);
  }

  public void writePng(Path file) throws IOException {
    PngFiles.write(render(WIDTH, HEIGHT), file);
  }

  private boolean shown(double y) {
    return Double.isFinite(y) && (!logY || y > 0);
  }

  private double transform(double y) {
    return logY ? Math.log10(y) : y;
  }

  public BufferedImage render(int width, int height) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (shown(s.y()[i])) {
          xMin = Math.min(xMin, s.x()[i]);
          xMax = Math.max(xMax, s.x()[i]);
          yMin = Math.min(yMin, transform(s.y()[i]));
          yMax = Math.max(yMax, transform(s.y()[i]));
        }
      }
    }
    if (xMin > xMax) { // nothing to draw: an empty frame with the title
      xMin = 0;
      xMax = 1;
      yMin = 0;
      yMax = 1;
    }
    if (logY) {
      yMin = Math.floor(yMin);
      yMax = Math.max(Math.ceil(yMax), yMin + 1);
    } else if (yMin == yMax) {
      yMin -= 1;
      yMax += 1;
    }
    if (xMin == xMax) {
      xMin -= 1;
      xMax += 1;
    }
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      int left = 80;
      int right = width - 230;
      int top = 50;
      int bottom = height - 55;
      g.setColor(TEXT);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      g.drawString(title, left, 28);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      FontMetrics fm = g.getFontMetrics();
      double fxMin = xMin;
      double fxMax = xMax;
      double fyMin = yMin;
      double fyMax = yMax;
      java.util.function.DoubleUnaryOperator sx = v -> left + (v - fxMin) / (fxMax - fxMin) * (right - left);
      java.util.function.DoubleUnaryOperator sy = v -> bottom - (v - fyMin) / (fyMax - fyMin) * (bottom - top);
      // y grid: every decade on a log axis (thinned to at most 12 labels), else 6 even steps
      int decades = (int) Math.round(yMax - yMin);
      int every = logY ? Math.max(1, (decades + 11) / 12) : 1;
      int lines = logY ? decades : 6;
      for (int i = 0; i <= lines; i += every) {
        double v = logY ? yMin + i : yMin + (yMax - yMin) * i / lines;
        int y = (int) Math.round(sy.applyAsDouble(v));
        g.setColor(GRID);
        g.drawLine(left, y, right, y);
        g.setColor(TEXT);
        String label = logY ? "1e" + (int) Math.round(v) : String.format(Locale.ROOT, "%.3g", v);
        g.drawString(label, left - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
      }
      // ticks at 1, 2 or 5 × 10^k: whole layers and steps, never 2.3
      double tick = niceStep((xMax - xMin) / 8);
      for (double v = Math.ceil(xMin / tick) * tick; v <= xMax + tick * 1e-9; v += tick) {
        int x = (int) Math.round(sx.applyAsDouble(v));
        g.setColor(GRID);
        g.drawLine(x, top, x, bottom);
        g.setColor(TEXT);
        String label = Math.abs(v - Math.rint(v)) < 1e-9 ? Long.toString(Math.round(v)) : String.format(Locale.ROOT, "%.3g", v);
        g.drawString(label, x - fm.stringWidth(label) / 2, bottom + 16);
      }
      g.setColor(TEXT);
      g.drawRect(left, top, right - left, bottom - top);
      g.drawString(xLabel, (left + right - fm.stringWidth(xLabel)) / 2, bottom + 36);
      g.drawString(yLabel + (logY ? " (log scale)" : ""), 8, top - 10);
      int legendY = top + 6;
      for (Series s : series) {
        Color c = PALETTE[s.color() % PALETTE.length];
        g.setColor(c);
        g.setStroke(stroke(s.dashed()));
        Path2D.Double path = new Path2D.Double();
        boolean pen = false;
        for (int i = 0; i < s.x().length; i++) {
          if (!shown(s.y()[i])) {
            pen = false;
            continue;
          }
          double px = sx.applyAsDouble(s.x()[i]);
          double py = sy.applyAsDouble(transform(s.y()[i]));
          if (pen) {
            path.lineTo(px, py);
          } else {
            path.moveTo(px, py);
            pen = true;
          }
        }
        g.draw(path);
        for (int i = 0; i < s.x().length; i++) { // a point with no shown neighbour draws no line: mark it
          boolean before = i > 0 && shown(s.y()[i - 1]);
          boolean after = i + 1 < s.x().length && shown(s.y()[i + 1]);
          if (shown(s.y()[i]) && !before && !after) {
            int px = (int) Math.round(sx.applyAsDouble(s.x()[i]));
            int py = (int) Math.round(sy.applyAsDouble(transform(s.y()[i])));
            g.fillOval(px - 4, py - 4, 9, 9);
          }
        }
        g.drawLine(right + 14, legendY, right + 44, legendY);
        g.setStroke(new BasicStroke(1f));
        g.setColor(TEXT);
        g.drawString(s.name(), right + 50, legendY + fm.getAscent() / 2 - 1);
        legendY += 20;
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  /** The tick spacing near {@code raw}: 1, 2 or 5 × 10^k. */
  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double decade = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / decade;
    return decade * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10);
  }

  private static BasicStroke stroke(boolean dashed) {
    return dashed
        ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {7f, 5f}, 0f)
        : new BasicStroke(2f);
  }
}
