package io.kiln.samples.charlstm;

import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.Adam;
import io.kiln.runtime.Fit;
import io.kiln.tools.ProgressBar;
import io.kiln.tools.TrainingCurve;
import io.kiln.samples.text.TextCorpus;
import io.kiln.samples.text.TextSampleOptions;
import io.kiln.samples.train.SampleBatches;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Trains {@link CharLstm} to predict the next character of a text: by default Kiln's own Java
 * sources (read from the working tree when run from the repository, else a copy shipped in the
 * jar), or any file with {@code --text FILE}. Prints perplexity and a temperature-sampled passage
 * after each epoch and writes a checkpoint with its curve.
 *
 * <pre>./kiln charlstm [--text FILE] [--epochs N] [--steps N] [--lr RATE] [--temperature T] [--seed S] [--out DIR]</pre>
 */
public final class CharLstmSample {
  static final int BATCH = 32;
  static final int STEPS = 64;
  /** The shortest text: 95% of it must hold two windows of {@link #STEPS} + 1 characters. */
  static final int MIN_TEXT = 3 * STEPS;

  private CharLstmSample() {}

  /** What a run measured. */
  public record Result(List<Double> perplexity, List<Double> trainLoss, String sample, Path checkpoint) {}

  /** {@code ./kiln charlstm [options]}: every option and the text are checked before training. */
  public static void command(String[] args, PrintStream out) throws IOException {
    TextSampleOptions o = TextSampleOptions.parse("charlstm", args, 5, 300, MIN_TEXT, out);
    train(o.text(), o.epochs(), o.steps(), o.lr(), o.temperature(), o.seed(), o.outDir(), out);
  }

  public static Result train(String text, int epochs, int stepsPerEpoch, float lr, float temperature, long seed, Path outDir,
      PrintStream out) throws IOException {
    if (epochs < 1 || stepsPerEpoch < 1) {
      throw new IllegalArgumentException("charlstm: the epochs and steps must be ≥ 1 but are " + epochs + " and " + stepsPerEpoch);
    }
    int[] ids = TextCorpus.encode(text);
    int split = (int) (ids.length * 0.95);
    if (ids.length < MIN_TEXT) {
      throw new IllegalArgumentException("charlstm: the text has " + ids.length + " characters; it needs at least " + MIN_TEXT);
    }
    out.println(KilnCharLstm.summary());
    out.printf(Locale.ROOT, "%,d training and %,d held-out characters; %d epochs of %d steps, batch %d × %d steps, Adam lr %s%n",
        split, ids.length - split, epochs, stepsPerEpoch, BATCH, STEPS, lr);
    KilnCharLstm model = KilnCharLstm.create(seed);
    Adam adam = Adam.builder(lr).clipGlobalNorm(5f).build();
    Rng rng = new Rng(seed);
    int[] x = new int[BATCH * STEPS];
    int[] y = new int[BATCH * STEPS];
    List<Double> perplexities = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    TrainingCurve curve = new TrainingCurve("charlstm", "epoch");
    Files.createDirectories(outDir);
    Path checkpoint = outDir.resolve("charlstm.safetensors");
    String sample = "";
    Iterable<KilnCharLstm.Batch> windows = SampleBatches.generated(stepsPerEpoch, s -> {
      TextCorpus.randomWindows(ids, split, STEPS, rng, x, y);
      return new KilnCharLstm.Batch(x, STEPS, y);
    });
    for (int epoch = 1; epoch <= epochs; epoch++) {
      double trainLoss;
      try (ProgressBar bar = new ProgressBar("epoch " + epoch + "/" + epochs, stepsPerEpoch)) {
        trainLoss = Fit.epoch(model, windows, adam, (b, loss) -> bar.step(BATCH * STEPS, loss, model.lastCorrect())).meanLoss();
      }
      double heldOut = heldOutLoss(model, ids, split);
      perplexities.add(Math.exp(heldOut));
      losses.add(trainLoss);
      curve.add(epoch, trainLoss, Double.NaN);
      model.save(checkpoint);
      curve.writeBeside(checkpoint);
      sample = sample(model, "public final class ", 240, temperature, rng);
      out.printf(Locale.ROOT, "epoch %d: train loss %.3f, held-out perplexity %.2f%n--- sample (temperature %.1f) ---%n%s%n---%n",
          epoch, trainLoss, Math.exp(heldOut), temperature, sample);
    }
    return new Result(perplexities, losses, sample, checkpoint);
  }

  /** Mean loss over consecutive windows of the held-out tail. */
  static double heldOutLoss(KilnCharLstm model, int[] ids, int split) {
    int[][] xy = TextCorpus.heldOutWindows(ids, split, STEPS, BATCH);
    if (xy[0].length == 0) {
      return Double.NaN;
    }
    return model.loss(xy[0], STEPS, xy[1]);
  }

  /** Continues {@code prompt} one character at a time, drawing from softmax(logits / temperature). */
  static String sample(KilnCharLstm model, String prompt, int length, float temperature, Rng rng) {
    return TextCorpus.sample((ids, steps) -> model.forward(ids, steps).toArray(), STEPS, prompt, length, temperature, rng);
  }
}
