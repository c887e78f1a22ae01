package io.kiln.samples.classify;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.io.Checkpoints;
import io.kiln.runtime.io.SafeTensors;
import io.kiln.samples.cli.CommandLine;
import io.kiln.samples.cli.InputException;
import io.kiln.samples.cli.InputFiles;
import io.kiln.samples.cli.UsageException;
import io.kiln.samples.data.FashionMnist;
import io.kiln.samples.lenet.KilnLeNet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

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
  /** The largest picture file read. */
  public static final long MAX_IMAGE_BYTES = 256L << 20;
  /** The longest side of a picture read: it is padded to a square of floats, 64 MiB at this side. */
  public static final int MAX_SIDE = 4096;
  private static final String USAGE = "usage: ./kiln classify IMAGE.png|IMAGE.pgm [--model " + DEFAULT_MODEL + "]";

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

  /** Runs the command line; returns the exit status ({@link CommandLine}: 0 done, 1 unusable file, 2 bad usage). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandLine.run("kiln classify", () -> command(args, out), err, CommandLine.debugRequested());
  }

  /** {@code ./kiln classify IMAGE [--model FILE]}: prints the picture's three most likely classes. */
  public static void command(String[] args, PrintStream out) throws IOException {
    Path image = null;
    Path model = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--model") || a.startsWith("--model=")) {
        String value = a.equals("--model") ? (i + 1 < args.length ? args[++i] : "") : a.substring("--model=".length());
        if (value.isEmpty()) {
          throw new UsageException("--model needs a file: --model FILE; " + USAGE);
        }
        if (model != null) {
          throw new UsageException("--model is given twice ('" + model + "' and '" + value + "')");
        }
        model = Path.of(value);
      } else if (a.startsWith("-") && a.length() > 1) {
        throw new UsageException("unknown option " + a + "; " + USAGE);
      } else if (image != null) {
        throw new UsageException("one picture at a time, but got '" + image + "' and '" + a + "'; " + USAGE);
      } else {
        image = Path.of(a);
      }
    }
    if (image == null) {
      throw new UsageException("name a picture; " + USAGE);
    }
    model = model == null ? DEFAULT_MODEL : model;
    if (!Files.exists(model)) {
      throw new InputException("no trained model at " + model + "; train one with ./kiln lenet, or pass --model FILE");
    }
    InputFiles.regularFile(model, "--model", "LeNet weights written by ./kiln lenet", Long.MAX_VALUE);
    refuseCheckpoint(model);
    KilnLeNet net = KilnLeNet.load(model);
    requireFiniteWeights(net, model);
    GrayImage picture = read(image);
    Input input = prepare(picture);
    List<Prediction> top = top(net, input.pixels(), 3);
    if (!Float.isFinite(top.get(0).probability())) {
      throw new InputException("--model " + model + " gives non-finite probabilities (" + top.get(0).probability() + ") for "
          + image + "; its weights are too large to compute with");
    }
    out.printf(Locale.ROOT, "%s: %d×%d%s%s%n", image, picture.width(), picture.height(),
        input.resized() ? ", resized to 28×28" : "", input.inverted() ? ", inverted (light background)" : "");
    for (int i = 0; i < top.size(); i++) {
      Prediction p = top.get(i);
      out.printf(Locale.ROOT, "  %d. %-12s %5.1f%%%n", i + 1, p.name(), 100 * p.probability());
    }
  }

  /**
   * A training checkpoint holds the weights and the optimizer's state; loading it as a model would
   * fail on the optimizer's tensors with a message that does not say what to use instead.
   */
  static void refuseCheckpoint(Path file) throws IOException {
    try (SafeTensors st = SafeTensors.open(file)) {
      if (st.metadata().containsKey(Checkpoints.FORMAT_KEY)) {
        throw new InputException("--model " + file + " is a training checkpoint (weights and optimizer state at step "
            + st.metadata().getOrDefault(Checkpoints.STEP_KEY, "?") + "), not a model; pass the weights file, "
            + "e.g. lenet.safetensors beside it");
      }
    }
  }

  /**
   * A model whose training diverged can be saved with NaN or infinite weights; its "probabilities"
   * are then NaN, which must not pass for an answer.
   */
  static void requireFiniteWeights(KilnLeNet net, Path file) throws InputException {
    for (List<Parameter> tensors : List.of(net.parameters(), net.buffers())) {
      for (Parameter p : tensors) {
        float[] v = p.toArray();
        for (int i = 0; i < v.length; i++) {
          if (!Float.isFinite(v[i])) {
            throw new InputException("--model " + file + ": tensor '" + p.name() + "' holds " + v[i] + " at index " + i
                + "; a model with non-finite weights cannot classify (did its training diverge?)");
          }
        }
      }
    }
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
   * @throws InputException naming the file if it is neither, is damaged, larger than {@link #MAX_IMAGE_BYTES} or has a
   *     side longer than {@link #MAX_SIDE}
   */
  public static GrayImage read(Path file) throws IOException {
    InputFiles.regularFile(file, "IMAGE", "a picture (PNG, JPEG, BMP, GIF or PGM)", MAX_IMAGE_BYTES);
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '2')) {
      return readPgm(file, bytes);
    }
    BufferedImage img;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new InputException(file + " is not an image this app reads (PNG, JPEG, BMP, GIF or PGM)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        checkSize(file, reader.getWidth(0), reader.getHeight(0));
        img = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (InputException e) {
      throw e;
    } catch (IOException | RuntimeException e) { // decoders throw both on corrupt data
      throw new InputException(file + " is a damaged or unsupported " + formatName(bytes) + " ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
    }
    return gray(img);
  }

  private static void checkSize(Path file, int width, int height) throws InputException {
    if (width > MAX_SIDE || height > MAX_SIDE) {
      throw new InputException(file + " is " + width + "×" + height + " pixels; pictures up to " + MAX_SIDE + "×" + MAX_SIDE
          + " are read (scale it down: the model sees 28×28)");
    }
  }

  private static String formatName(byte[] b) {
    if (b.length >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "PNG";
    }
    if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
      return "JPEG";
    }
    return "image";
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
    if (w < 1 || h < 1 || max < 1 || max > 65535) {
      throw new InputException(file + ": PGM header gives " + w + "×" + h + " with maximum " + max);
    }
    checkSize(file, w, h);
    float[] px = new float[w * h];
    float scale = 255f / max;
    if (b[1] == '5') {
      int bytesPer = max < 256 ? 1 : 2;
      int start = pos[0] + 1; // one whitespace byte after the maximum
      if ((long) start + (long) w * h * bytesPer > b.length) {
        throw new InputException(file + ": PGM data is truncated (" + w + "×" + h + " pixels expected)");
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
      throw new InputException(file + ": malformed PGM (expected a number at byte " + start + ", in "
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
