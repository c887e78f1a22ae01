package io.kiln.samples.cnn64;

import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.Adam;
import io.kiln.runtime.Fit;
import io.kiln.tools.ProgressBar;
import io.kiln.tools.TrainingCurve;
import io.kiln.samples.cli.InputFiles;
import io.kiln.samples.train.Args;
import io.kiln.samples.train.SampleBatches;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Trains {@link Cnn64} on generated 64×64 colour images: noise with a short bar of colour that is
 * horizontal in class 1 and vertical in class 0, at a random place. The classes differ only in the
 * bar's orientation, so the network must learn a spatial pattern, not a colour statistic.
 *
 * <pre>./kiln cnn64 [--train N] [--test N] [--epochs N] [--seed S] [--out DIR]</pre>
 */
public final class Cnn64Sample {
  static final int SIDE = 64;
  static final int PIXELS = 3 * SIDE * SIDE;
  static final int BATCH = 64;
  /** Most images per set: 16,384 images are 800 MB of floats. */
  static final int MAX_IMAGES = 16_384;

  private Cnn64Sample() {}

  /** Test accuracy after each epoch. */
  public record Result(double[] testAccuracy, Path checkpoint) {}

  /** {@code ./kiln cnn64 [options]}. */
  public static void command(String[] args, PrintStream out) throws IOException {
    Args a = Args.parse("cnn64", args, "train", "test", "epochs", "seed", "out");
    int trainCount = a.multipleOf("train", 2048, BATCH, BATCH, MAX_IMAGES);
    int testCount = a.multipleOf("test", 512, BATCH, BATCH, MAX_IMAGES);
    int epochs = a.intValue("epochs", 3, 1, Integer.MAX_VALUE);
    long seed = a.longValue("seed", 1);
    Path outDir = InputFiles.outputDirectory(a.path("out", Path.of("runs", "cnn64")), "--out");
    train(trainCount, testCount, epochs, seed, outDir, out);
  }

  /** Fills {@code images[i]} and {@code labels[i]} for {@code count} generated examples. */
  static void generate(Rng rng, int count, float[] images, float[] labels) {
    for (int i = 0; i < count; i++) {
      int base = i * PIXELS;
      for (int p = 0; p < PIXELS; p++) {
        images[base + p] = 0.3f * rng.nextFloat();
      }
      boolean horizontal = rng.nextInt(2) == 1;
      labels[i] = horizontal ? 1 : 0;
      int channel = rng.nextInt(3);
      int length = 20 + rng.nextInt(13);
      int row = rng.nextInt(SIDE - (horizontal ? 3 : length));
      int col = rng.nextInt(SIDE - (horizontal ? length : 3));
      for (int k = 0; k < length; k++) {
        for (int w = 0; w < 3; w++) {
          int r = horizontal ? row + w : row + k;
          int c = horizontal ? col + k : col + w;
          images[base + channel * SIDE * SIDE + r * SIDE + c] = 1f;
        }
      }
    }
  }

  public static Result train(int trainCount, int testCount, int epochs, long seed, Path outDir, PrintStream out) throws IOException {
    if (trainCount % BATCH != 0 || testCount % BATCH != 0 || trainCount < BATCH || testCount < BATCH || epochs < 1) {
      throw new IllegalArgumentException("cnn64: the image counts must be positive multiples of " + BATCH
          + " and the epochs ≥ 1 but are " + trainCount + ", " + testCount + " and " + epochs);
    }
    Rng rng = new Rng(seed);
    float[] trainImages = new float[trainCount * PIXELS];
    float[] trainLabels = new float[trainCount];
    float[] testImages = new float[testCount * PIXELS];
    float[] testLabels = new float[testCount];
    generate(rng, trainCount, trainImages, trainLabels);
    generate(rng, testCount, testImages, testLabels);
    out.println(KilnCnn64.summary());
    out.printf(Locale.ROOT, "%,d generated training images, %,d test images; %d epochs of batch %d, Adam lr 2e-3%n",
        trainCount, testCount, epochs, BATCH);

    KilnCnn64 model = KilnCnn64.create(seed);
    Adam adam = new Adam(2e-3f);
    float[] x = new float[BATCH * PIXELS];
    float[] y = new float[BATCH];
    double[] accuracy = new double[epochs];
    TrainingCurve curve = new TrainingCurve("cnn64 on generated bars", "epoch");
    Files.createDirectories(outDir);
    Path checkpoint = outDir.resolve("cnn64.safetensors");
    int steps = trainCount / BATCH;
    Iterable<KilnCnn64.Batch> batches = SampleBatches.generated(steps, s -> {
      System.arraycopy(trainImages, s * BATCH * PIXELS, x, 0, x.length);
      System.arraycopy(trainLabels, s * BATCH, y, 0, BATCH);
      return new KilnCnn64.Batch(x, y);
    });
    for (int epoch = 1; epoch <= epochs; epoch++) {
      double trainLoss;
      try (ProgressBar bar = new ProgressBar("epoch " + epoch + "/" + epochs, steps)) {
        trainLoss = Fit.epoch(model, batches, adam, (b, loss) -> bar.step(BATCH, loss)).meanLoss();
      }
      int correct = 0;
      for (int s = 0; s < testCount / BATCH; s++) {
        System.arraycopy(testImages, s * BATCH * PIXELS, x, 0, x.length);
        float[] p = model.predict(x);
        for (int i = 0; i < BATCH; i++) {
          correct += (p[i] >= 0.5f ? 1f : 0f) == testLabels[s * BATCH + i] ? 1 : 0;
        }
      }
      accuracy[epoch - 1] = (double) correct / testCount;
      curve.add(epoch, trainLoss, Double.NaN, accuracy[epoch - 1]);
      model.save(checkpoint);
      curve.writeBeside(checkpoint);
      out.printf(Locale.ROOT, "epoch %d: train loss %.4f, test accuracy %.1f%% (chance 50%%)%n", epoch, trainLoss, 100 * accuracy[epoch - 1]);
    }
    return new Result(accuracy, checkpoint);
  }
}
