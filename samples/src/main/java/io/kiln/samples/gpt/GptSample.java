package io.kiln.samples.gpt;

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
 * Trains {@link TinyGpt} to predict the next character on the same text as the {@code charlstm}
 * sample (Kiln's own Java sources by default, or {@code --text FILE}): windows of 64 characters,
 * causal self-attention. Prints the held-out perplexity and a temperature-sampled passage after
 * each epoch and writes a checkpoint with its curve.
 *
 * <pre>./kiln gpt [--text FILE] [--epochs N] [--steps N] [--lr RATE] [--temperature T] [--seed S] [--out DIR]</pre>
 */
public final class GptSample {
  static final int BATCH = 32;
  static final int STEPS = 64;
  /** The shortest text: 5% of it held out must still hold one window of {@link #STEPS} + 1 characters. */
  static final int MIN_TEXT = 40 * STEPS;

  private GptSample() {}

  /** What a run measured, per epoch; the last sampled passage and the checkpoint. */
  public record Result(List<Double> perplexity, List<Double> trainLoss, List<Double> seconds, String sample, Path checkpoint) {}

  /** {@code ./kiln gpt [options]}: every option and the text are checked before training. */
  public static void command(String[] args, PrintStream out) throws IOException {
    TextSampleOptions o = TextSampleOptions.parse("gpt", args, 4, 150, MIN_TEXT, out);
    train(o.text(), o.epochs(), o.steps(), o.lr(), o.temperature(), o.seed(), o.outDir(), out);
  }

  public static Result train(String text, int epochs, int stepsPerEpoch, float lr, float temperature, long seed, Path outDir,
      PrintStream out) throws IOException {
    if (epochs < 1 || stepsPerEpoch < 1) {
      throw new IllegalArgumentException("gpt: --epochs and --steps must be at least 1 but are " + epochs + " and " + stepsPerEpoch);
    }
    int[] ids = TextCorpus.encode(text);
    int split = (int) (ids.length * 0.95);
    if (ids.length < MIN_TEXT) {
      throw new IllegalArgumentException("gpt: the text has " + ids.length + " characters; it needs at least " + MIN_TEXT
          + " (95% to train on, 5% held out, each at least one window of " + STEPS + " + 1)");
    }
    out.println(KilnTinyGpt.summary());
    out.printf(Locale.ROOT, "%,d training and %,d held-out characters; %d epochs of %d steps, batch %d × %d steps, Adam lr %s%n",
        split, ids.length - split, epochs, stepsPerEpoch, BATCH, STEPS, lr);
    KilnTinyGpt model = KilnTinyGpt.create(seed);
    Adam adam = Adam.builder(lr).clipGlobalNorm(1f).build();
    Rng rng = new Rng(seed);
    int[] x = new int[BATCH * STEPS];
    int[] y = new int[BATCH * STEPS];
    List<Double> perplexities = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    TrainingCurve curve = new TrainingCurve("tiny GPT", "epoch");
    Files.createDirectories(outDir);
    Path checkpoint = outDir.resolve("gpt.safetensors");
    String sample = "";
    long start = System.nanoTime();
    Iterable<KilnTinyGpt.Batch> windows = SampleBatches.generated(stepsPerEpoch, s -> {
      TextCorpus.randomWindows(ids, split, STEPS, rng, x, y);
      return new KilnTinyGpt.Batch(x, STEPS, y);
    });
    for (int epoch = 1; epoch <= epochs; epoch++) {
      double trainLoss;
      double accuracy;
      try (ProgressBar bar = new ProgressBar("epoch " + epoch + "/" + epochs, stepsPerEpoch)) {
        trainLoss = Fit.epoch(model, windows, adam, (b, loss) -> bar.step(BATCH * STEPS, loss, model.lastCorrect())).meanLoss();
        accuracy = bar.accuracy();
      }
      double heldOut = heldOutLoss(model, ids, split);
      double elapsed = (System.nanoTime() - start) / 1e9;
      perplexities.add(Math.exp(heldOut));
      losses.add(trainLoss);
      seconds.add(elapsed);
      curve.add(epoch, trainLoss, accuracy);
      model.save(checkpoint);
      curve.writeBeside(checkpoint);
      sample = sample(model, "public final class ", 240, temperature, rng);
      out.printf(Locale.ROOT, "epoch %d: train loss %.3f, held-out perplexity %.2f, %.0f s%n--- sample (temperature %.1f) ---%n%s%n---%n",
          epoch, trainLoss, Math.exp(heldOut), elapsed, temperature, sample);
    }
    out.println("checkpoint " + checkpoint + ", curve " + TrainingCurve.besideCheckpoint(checkpoint));
    return new Result(perplexities, losses, seconds, sample, checkpoint);
  }

  /** Mean loss over up to {@link #BATCH} consecutive windows of the held-out tail. */
  static double heldOutLoss(KilnTinyGpt model, int[] ids, int split) {
    int[][] xy = TextCorpus.heldOutWindows(ids, split, STEPS, BATCH);
    return model.loss(xy[0], STEPS, xy[1]);
  }

  /** Continues {@code prompt}, drawing each character from softmax(logits / temperature) at the last position. */
  static String sample(KilnTinyGpt model, String prompt, int length, float temperature, Rng rng) {
    return TextCorpus.sample((ids, steps) -> model.forward(ids, steps).toArray(), STEPS, prompt, length, temperature, rng);
  }
}
