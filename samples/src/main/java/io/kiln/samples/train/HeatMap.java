package io.kiln.samples.train;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import io.kiln.tools.PngFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A matrix of weights in [0, 1] (attention α: rows = output steps, columns = input steps) drawn as
 * a PNG heat map: white for 0, dark blue for 1, each row and column labelled, a colour bar.
 * Written with {@code java.awt} in headless mode, atomically (temp file + rename), like
 * {@link io.kiln.tools.TrainingCurve}.
 */
public final class HeatMap {
  static final int CELL = 28;
  static final int MARGIN = 48;

  private final String title;
  private final float[] values;
  private final int rows;
  private final int cols;
  private final String[] rowLabels;
  private final String[] colLabels;
  private final String rowAxis;
  private final String colAxis;

  /**
   * @param values row-major {@code [rows, cols]}, each in [0, 1] (values outside are clamped)
   * @param rowLabels one per row (e.g. the output token), drawn left of the row
   * @param colLabels one per column (e.g. the input token), drawn above the column
   */
  public HeatMap(String title, float[] values, int rows, int cols, String[] rowLabels, String[] colLabels) {
    this(title, values, rows, cols, rowLabels, colLabels, "output ↓", "input →");
  }

  /** As above, with the axes' captions (e.g. {@code "step ↓"} and {@code "unit →"}). */
  public HeatMap(String title, float[] values, int rows, int cols, String[] rowLabels, String[] colLabels, String rowAxis,
      String colAxis) {
    if (rows < 1 || cols < 1 || values.length != rows * cols) {
      throw new IllegalArgumentException("a heat map of " + rows + "×" + cols + " needs " + rows * cols
          + " values (and at least one cell) but got " + values.length);
    }
    if (rowLabels.length != rows || colLabels.length != cols) {
      throw new IllegalArgumentException("a heat map of " + rows + "×" + cols + " needs " + rows + " row and " + cols
          + " column labels but got " + rowLabels.length + " and " + colLabels.length);
    }
    this.title = title;
    this.values = values.clone();
    this.rows = rows;
    this.cols = cols;
    this.rowLabels = rowLabels.clone();
    this.colLabels = colLabels.clone();
    this.rowAxis = rowAxis;
    this.colAxis = colAxis;
  }

  /** The colour of weight {@code v}: white at 0 through blue to dark navy at 1. */
  static Color color(float v) {
    float t = Math.max(0f, Math.min(1f, Float.isNaN(v) ? 0f : v));
    int r = Math.round(255 + t * (8 - 255));
    int g = Math.round(255 + t * (48 - 255));
    int b = Math.round(255 + t * (107 - 255));
    return new Color(r, g, b);
  }

  /** The pixel at the centre of cell (row, col) in {@link #render()}'s image. */
  static int[] cellCentre(int row, int col) {
    return new int[] {MARGIN + 40 + col * CELL + CELL / 2, MARGIN + 40 + row * CELL + CELL / 2};
  }

  /** Draws the map. */
  public BufferedImage render() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    int left = MARGIN + 40;
    int top = MARGIN + 40;
    int width = left + cols * CELL + 90;
    int height = top + rows * CELL + MARGIN;
    width = Math.max(width, Math.max(360, 24 + 9 * title.length()));
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setColor(new Color(0x22, 0x22, 0x22));
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      g.drawString(title, 12, 24);
      g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 14));
      FontMetrics fm = g.getFontMetrics();
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          g.setColor(color(values[r * cols + c]));
          g.fillRect(left + c * CELL, top + r * CELL, CELL, CELL);
        }
      }
      g.setColor(new Color(0xbb, 0xbb, 0xbb));
      g.drawRect(left, top, cols * CELL, rows * CELL);
      g.setColor(new Color(0x22, 0x22, 0x22));
      for (int c = 0; c < cols; c++) {
        String s = colLabels[c];
        g.drawString(s, left + c * CELL + (CELL - fm.stringWidth(s)) / 2, top - 8);
      }
      for (int r = 0; r < rows; r++) {
        String s = rowLabels[r];
        g.drawString(s, left - 8 - fm.stringWidth(s), top + r * CELL + (CELL + fm.getAscent()) / 2 - 2);
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString(colAxis, left, top - 26);
      g.drawString(rowAxis, 8, top - 8);
      // colour bar, 0 at the bottom and 1 at the top
      int barX = left + cols * CELL + 24;
      int barH = Math.max(rows * CELL, 60);
      for (int y = 0; y < barH; y++) {
        g.setColor(color(1f - (float) y / (barH - 1)));
        g.fillRect(barX, top + y, 16, 1);
      }
      g.setColor(new Color(0x22, 0x22, 0x22));
      g.drawRect(barX, top, 16, barH);
      g.drawString("1", barX + 22, top + 10);
      g.drawString("0", barX + 22, top + barH);
    } finally {
      g.dispose();
    }
    return img;
  }

  /** Writes the map as a PNG, atomically; returns {@code file}. */
  public Path writePng(Path file) throws IOException {
    BufferedImage image = render();
    PngFiles.write(image, file);
    return file;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "HeatMap[%s, %d×%d]", title, rows, cols);
  }
}
