package io.kiln.samples.classify;

import io.kiln.samples.data.FashionMnist;
import io.kiln.samples.lenet.KilnLeNet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Embedding a trained model in an app, inference only: loads a LeNet trained by {@code ./kiln lenet}, reads one
 * picture and prints its three most likely Fashion-MNIST classes.
 *
 * <pre>./kiln classify IMAGE.png|IMAGE.pgm [--model runs/lenet/lenet.safetensors]</pre>
 *
 * <p>Everything the app needs from Kiln is {@code KilnLeNet.load(file)} and {@code predict(pixels)}: no optimizer,
 * no training state. The picture is made to look like Fashion-MNIST's: grey (luminance of a colour picture,
 * transparency over white), padded to a square with its border colour, averaged down (or up) to 28×28, and
 * inverted when its background is light, since Fashion-MNIST draws light clothes on black.
 */
public final class ClassifySample {
  /** Where {@code ./kiln lenet} writes its weights. */
  public static final Path DEFAULT_MODEL = Path.of("runs", "lenet", "lenet.safetensors");
  static final int SIDE = FashionMnist.SIDE;

  private ClassifySample() {}

  /** One class and its probability. */
  public record Prediction(int label, String name, float probability) {}

  /**
   * A grey picture, row-major, intensities in [0, 255] (0 black), the scale of Fashion-MNIST's bytes.
   */
  public record GrayImage(int width, int height, float[] pixels) {
    public GrayImage {
      if (width < 1 || height < 1 || pixels.length != width * height) {
        throw new IllegalArgumentException("a " + width + "×" + height + " image needs " + (long) width * height
            + " pixels but has " + pixels.length);
      }
    }
  }

  /** The model input made from a picture, and what was done to it. */
  public record Input(float[] pixels, boolean inverted, boolean resized) {}

  public static void main(String[] args) throws IOException {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line; returns the exit status (0 done, 2 bad usage or unreadable input). */
  public static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
    Path image = null;
    Path model = DEFAULT_MODEL;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--model") && i + 1 < args.length) {
        model = Path.of(args[++i]);
      } else if (args[i].startsWith("--") || image != null) {
        err.println("classify: unexpected argument '" + args[i] + "'");
        err.println("usage: ./kiln classify IMAGE.png|IMAGE.pgm [--model " + DEFAULT_MODEL + "]");
        return 2;
      } else {
        image = Path.of(args[i]);
      }
    }
    if (image == null) {
      err.println("usage: ./kiln classify IMAGE.png|IMAGE.pgm [--model " + DEFAULT_MODEL + "]");
      return 2;
    }
    if (!Files.isRegularFile(model)) {
      err.println("classify: no trained model at " + model + "; train one with ./kiln lenet, or pass --model FILE");
      return 2;
    }
    KilnLeNet net = KilnLeNet.load(model);
    GrayImage picture;
    try {
      picture = read(image);
    } catch (NoSuchFileException e) {
      err.println("classify: no such file " + image);
      return 2;
    } catch (IOException e) {
      err.println("classify: " + e.getMessage());
      return 2;
    }
    Input input = prepare(picture);
    out.printf(Locale.ROOT, "%s: %d×%d%s%s%n", image, picture.width(), picture.height(),
        input.resized() ? ", resized to 28×28" : "", input.inverted() ? ", inverted (light background)" : "");
    List<Prediction> top = top(net, input.pixels(), 3);
    for (int i = 0; i < top.size(); i++) {
      Prediction p = top.get(i);
      out.printf(Locale.ROOT, "  %d. %-12s %5.1f%%%n", i + 1, p.name(), 100 * p.probability());
    }
    return 0;
  }

  /** The {@code k} most likely classes of one 28×28 image (floats in [0, 1]), most likely first. */
  public static List<Prediction> top(KilnLeNet net, float[] pixels, int k) {
    float[] p = net.predict(pixels);
    Integer[] order = new Integer[p.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> p[a] != p[b] ? Float.compare(p[b], p[a]) : Integer.compare(a, b));
    List<Prediction> out = new ArrayList<>(k);
    for (int i = 0; i < Math.min(k, order.length); i++) {
      out.add(new Prediction(order[i], FashionMnist.className(order[i]), p[order[i]]));
    }
    return out;
  }

  /**
   * Reads a picture as grey: binary or plain PGM ({@code P5}/{@code P2}) here, anything else (PNG, JPEG, BMP, GIF)
   * with {@code javax.imageio}.
   *
   * @throws IOException naming the file if it is neither
   */
  public static GrayImage read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '2')) {
      return readPgm(file, bytes);
    }
    BufferedImage img;
    try (InputStream in = Files.newInputStream(file)) {
      img = ImageIO.read(in);
    }
    if (img == null) {
      throw new IOException(file + " is not an image this app reads (PNG, JPEG, BMP, GIF or PGM)");
    }
    return gray(img);
  }

  /** Grey levels of any {@code BufferedImage}: luminance (Rec. 601), transparent parts over white. */
  public static GrayImage gray(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    float[] px = new float[w * h];
    boolean grayRaster = img.getType() == BufferedImage.TYPE_BYTE_GRAY;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (grayRaster) {
          px[y * w + x] = img.getRaster().getSample(x, y, 0); // exact, no colour-space round trip
          continue;
        }
        int argb = img.getRGB(x, y);
        float a = (argb >>> 24) / 255f;
        float lum = 0.299f * ((argb >> 16) & 0xff) + 0.587f * ((argb >> 8) & 0xff) + 0.114f * (argb & 0xff);
        px[y * w + x] = a * lum + (1 - a) * 255f;
      }
    }
    return new GrayImage(w, h, px);
  }

  private static GrayImage readPgm(Path file, byte[] b) throws IOException {
    int[] pos = {2};
    int w = pgmNumber(file, b, pos);
    int h = pgmNumber(file, b, pos);
    int max = pgmNumber(file, b, pos);
    if (w < 1 || h < 1 || max < 1 || max > 65535 || (long) w * h > 1 << 26) {
      throw new IOException(file + ": PGM header gives " + w + "×" + h + " with maximum " + max);
    }
    float[] px = new float[w * h];
    float scale = 255f / max;
    if (b[1] == '5') {
      int bytesPer = max < 256 ? 1 : 2;
      int start = pos[0] + 1; // one whitespace byte after the maximum
      if ((long) start + (long) w * h * bytesPer > b.length) {
        throw new IOException(file + ": PGM data is truncated (" + w + "×" + h + " pixels expected)");
      }
      for (int i = 0; i < px.length; i++) {
        int v = bytesPer == 1 ? b[start + i] & 0xff : ((b[start + 2 * i] & 0xff) << 8) | (b[start + 2 * i + 1] & 0xff);
        px[i] = max == 255 ? v : v * scale;
      }
    } else {
      for (int i = 0; i < px.length; i++) {
        int v = pgmNumber(file, b, pos);
        px[i] = max == 255 ? v : v * scale;
      }
    }
    return new GrayImage(w, h, px);
  }

  /** The next decimal number of a PGM header or plain body, skipping whitespace and # comments. */
  private static int pgmNumber(Path file, byte[] b, int[] pos) throws IOException {
    int i = pos[0];
    while (i < b.length && (Character.isWhitespace(b[i]) || b[i] == '#')) {
      if (b[i] == '#') {
        while (i < b.length && b[i] != '\n') {
          i++;
        }
      } else {
        i++;
      }
    }
    long v = 0;
    int start = i;
    while (i < b.length && b[i] >= '0' && b[i] <= '9' && v <= Integer.MAX_VALUE) {
      v = v * 10 + (b[i++] - '0');
    }
    if (i == start || v > Integer.MAX_VALUE) {
      throw new IOException(file + ": malformed PGM (expected a number at byte " + start + ", in "
          + new String(b, 0, Math.min(b.length, 20), StandardCharsets.ISO_8859_1).replaceAll("\\s+", " ") + "...)");
    }
    pos[0] = i;
    return (int) v;
  }

  /**
   * A picture as LeNet's input: padded to a square with its border's mean grey, resampled to 28×28 by area
   * averaging (exact for a whole-number scale of a 28×28 picture), inverted if the border is light, divided by 255.
   */
  public static Input prepare(GrayImage img) {
    float border = borderMean(img);
    GrayImage square = padToSquare(img, border);
    boolean resized = square.width() != SIDE;
    GrayImage small = resized ? resample(square, SIDE) : square;
    boolean invert = border > 127.5f;
    float[] out = new float[SIDE * SIDE];
    for (int i = 0; i < out.length; i++) {
      float v = Math.min(255f, Math.max(0f, small.pixels()[i]));
      out[i] = (invert ? 255f - v : v) / 255f;
    }
    return new Input(out, invert, resized || img.width() != img.height());
  }

  static float borderMean(GrayImage img) {
    int w = img.width();
    int h = img.height();
    double sum = 0;
    int n = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (y == 0 || y == h - 1 || x == 0 || x == w - 1) {
          sum += img.pixels()[y * w + x];
          n++;
        }
      }
    }
    return (float) (sum / n);
  }

  static GrayImage padToSquare(GrayImage img, float fill) {
    int w = img.width();
    int h = img.height();
    if (w == h) {
      return img;
    }
    int side = Math.max(w, h);
    float[] px = new float[side * side];
    Arrays.fill(px, fill);
    int ox = (side - w) / 2;
    int oy = (side - h) / 2;
    for (int y = 0; y < h; y++) {
      System.arraycopy(img.pixels(), y * w, px, (oy + y) * side + ox, w);
    }
    return new GrayImage(side, side, px);
  }

  /**
   * Area resampling of a square picture to {@code side}×{@code side}: each output pixel is the mean of the input
   * area it covers (partial pixels weighted by overlap), which also enlarges a smaller picture.
   */
  static GrayImage resample(GrayImage img, int side) {
    int n = img.width();
    double scale = (double) n / side;
    float[] out = new float[side * side];
    for (int oy = 0; oy < side; oy++) {
      double y0 = oy * scale;
      double y1 = y0 + scale;
      for (int ox = 0; ox < side; ox++) {
        double x0 = ox * scale;
        double x1 = x0 + scale;
        double sum = 0;
        double area = 0;
        for (int y = (int) Math.floor(y0); y < Math.min(n, (int) Math.ceil(y1)); y++) {
          double wy = Math.min(y1, y + 1) - Math.max(y0, y);
          for (int x = (int) Math.floor(x0); x < Math.min(n, (int) Math.ceil(x1)); x++) {
            double wx = Math.min(x1, x + 1) - Math.max(x0, x);
            sum += wx * wy * img.pixels()[y * n + x];
            area += wx * wy;
          }
        }
        out[oy * side + ox] = (float) (sum / area);
      }
    }
    return new GrayImage(side, side, out);
  }
}
