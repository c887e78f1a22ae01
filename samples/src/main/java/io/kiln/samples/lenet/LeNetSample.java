package io.kiln.samples.lenet;

import io.kiln.runtime.data.Batches;
import io.kiln.runtime.data.Dataset;
import io.kiln.runtime.train.Adam;
import io.kiln.runtime.Fit;
import io.kiln.tools.ProgressBar;
import io.kiln.tools.TrainingCurve;
import io.kiln.samples.data.FashionMnist;
import io.kiln.samples.cli.InputFiles;
import io.kiln.samples.train.Args;
import io.kiln.samples.train.SampleBatches;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Trains {@link LeNet} on Fashion-MNIST: shuffled minibatches, a progress bar, test accuracy after
 * every epoch, a checkpoint and a loss/accuracy curve beside it.
 *
 * <pre>./kiln lenet [--data DIR] [--epochs N] [--batch B] [--lr RATE] [--seed S] [--out DIR]</pre>
 */
public final class LeNetSample {
  private LeNetSample() {}

  /** What a run measured. */
  public record Result(List<Double> testAccuracy, List<Double> secondsPerEpoch, Path checkpoint, Path curve) {
    public double finalAccuracy() {
      return testAccuracy.get(testAccuracy.size() - 1);
    }
  }

  /** {@code ./kiln lenet [options]}: every option is checked, and {@code --out} created, before the data loads. */
  public static void command(String[] args, PrintStream out) throws IOException {
    Args a = Args.parse("lenet", args, "data", "epochs", "batch", "lr", "seed", "out");
    int epochs = a.intValue("epochs", 0, 1, Integer.MAX_VALUE); // 0: the default, chosen below by the data's size
    int batch = a.intValue("batch", 64, 1, KilnLeNet.MAX_BATCH);
    float lr = a.positiveFloat("lr", 1e-3f);
    long seed = a.longValue("seed", 1);
    Path outDir = InputFiles.outputDirectory(a.path("out", Path.of("runs", "lenet")), "--out");
    FashionMnist.Splits data = FashionMnist.load(a.path("data"), out);
    train(data.train(), data.test(), epochs == 0 ? data.defaultEpochs() : epochs, batch, lr, seed, outDir, out);
  }

  /** Trains from scratch and evaluates on {@code test} after each epoch. */
  public static Result train(Dataset train, Dataset test, int epochs, int batch, float lr, long seed, Path outDir, PrintStream out)
      throws IOException {
    if (batch < 1 || batch > KilnLeNet.MAX_BATCH || epochs < 1) {
      throw new IllegalArgumentException("lenet: the batch must be in [1, " + KilnLeNet.MAX_BATCH + "] and the epochs ≥ 1 but are "
          + batch + " and " + epochs);
    }
    out.println(KilnLeNet.summary());
    out.printf(Locale.ROOT, "training on %,d images, testing on %,d; %d epochs of batch %d, Adam lr %s%n",
        train.size(), test.size(), epochs, batch, lr);
    KilnLeNet model = KilnLeNet.create(seed);
    Adam adam = new Adam(lr);
    Batches batches = Batches.shuffled(train, batch, seed);
    Batches testBatches = Batches.sequential(test, batch);
    TrainingCurve curve = new TrainingCurve("LeNet on Fashion-MNIST", "epoch");
    List<Double> accuracies = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    Files.createDirectories(outDir);
    Path checkpoint = outDir.resolve("lenet.safetensors");
    Path curveFile = null;
    for (int epoch = 1; epoch <= epochs; epoch++) {
      long[] correct = {0};
      Fit.Epoch trained;
      try (ProgressBar bar = new ProgressBar("epoch " + epoch + "/" + epochs, batches.stepsPerEpoch())) {
        trained = Fit.epoch(model, SampleBatches.epoch(batches, epoch, KilnLeNet.Batch::new), adam, (b, loss) -> {
          int right = model.lastCorrect();
          bar.step(b.size(), loss, right);
          correct[0] += right;
        });
      }
      double elapsed = trained.seconds();
      double accuracy = evaluate(model, testBatches);
      double trainLoss = trained.meanLoss();
      double trainAccuracy = (double) correct[0] / trained.examples();
      accuracies.add(accuracy);
      seconds.add(elapsed);
      curve.add(epoch, trainLoss, trainAccuracy, accuracy);
      model.save(checkpoint);
      curveFile = curve.writeBeside(checkpoint);
      out.printf(Locale.ROOT, "epoch %d: train loss %.4f, train accuracy %.2f%%, test accuracy %.2f%%, %.1f s (%.0f images/s)%n",
          epoch, trainLoss, 100 * trainAccuracy, 100 * accuracy, elapsed, train.size() / elapsed);
    }
    out.println("checkpoint: " + checkpoint + "; curve: " + curveFile);
    return new Result(accuracies, seconds, checkpoint, curveFile);
  }

  /** Test-set accuracy, in inference mode. */
  static double evaluate(KilnLeNet model, Batches test) {
    test.startEpoch(0);
    long correct = 0;
    long seen = 0;
    while (test.next()) {
      correct += countCorrect(model.classify(test.features()), test.labels());
      seen += test.size();
    }
    return (double) correct / seen;
  }

  private static int countCorrect(int[] predicted, int[] labels) {
    int right = 0;
    for (int i = 0; i < predicted.length; i++) {
      right += predicted[i] == labels[i] ? 1 : 0;
    }
    return right;
  }
}
