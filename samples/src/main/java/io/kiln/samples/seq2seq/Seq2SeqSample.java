package io.kiln.samples.seq2seq;

import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.Adam;
import io.kiln.runtime.train.CosineDecay;
import io.kiln.runtime.train.LearningRateSchedule;
import io.kiln.tools.ProgressBar;
import io.kiln.runtime.train.Schedules;
import io.kiln.tools.TrainingCurve;
import io.kiln.samples.cli.InputFiles;
import io.kiln.samples.train.Args;
import io.kiln.samples.train.HeatMap;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Trains {@link Seq2Seq} to reverse sequences of random symbols ({@link Reversal}), reports the
 * exact-match rate of greedy decoding on held-out examples after each epoch, and writes a
 * checkpoint, its curve and a heat map of the attention weights for one held-out example.
 *
 * <pre>./kiln seq2seq [--epochs N] [--steps N] [--min-length L] [--max-length L] [--symbols N] [--test N] [--lr RATE] [--seed S] [--out DIR]</pre>
 */
public final class Seq2SeqSample {
  static final int BATCH = 32;
  static final int STEPS = Reversal.STEPS;
  /** Most held-out examples (each decoded after every epoch). */
  static final int MAX_TEST = 100_000;

  private Seq2SeqSample() {}

  /**
   * What a run measured: per epoch the mean training loss, the held-out exact-match rate and the
   * seconds since training began; the last epoch's decoded example and the files written.
   */
  public record Result(List<Double> trainLoss, List<Double> exactMatch, List<Double> seconds, String example, Path checkpoint,
      Path heatMap) {}

  /** {@code ./kiln seq2seq [options]}. */
  public static void command(String[] args, PrintStream out) throws IOException {
    Args a = Args.parse("seq2seq", args, "epochs", "steps", "min-length", "max-length", "symbols", "test", "lr", "seed", "out");
    int minLength = a.intValue("min-length", 4, 1, Reversal.MAX_LENGTH);
    int maxLength = a.intValue("max-length", Reversal.MAX_LENGTH, minLength, Reversal.MAX_LENGTH);
    int symbols = a.intValue("symbols", Reversal.VOCAB - Reversal.FIRST_SYMBOL, 2, Reversal.VOCAB - Reversal.FIRST_SYMBOL);
    int epochs = a.intValue("epochs", 6, 1, Integer.MAX_VALUE);
    int steps = a.intValue("steps", 250, 1, Integer.MAX_VALUE);
    int test = a.intValue("test", 512, 1, MAX_TEST);
    float lr = a.positiveFloat("lr", 3e-3f);
    long seed = a.longValue("seed", 1);
    Path outDir = InputFiles.outputDirectory(a.path("out", Path.of("runs", "seq2seq")), "--out");
    train(new Reversal(minLength, maxLength, symbols), epochs, steps, test, lr, seed, outDir, out);
  }

  public static Result train(Reversal task, int epochs, int stepsPerEpoch, int testExamples, float lr, long seed, Path outDir,
      PrintStream out) throws IOException {
    if (epochs < 1 || stepsPerEpoch < 1 || testExamples < 1) {
      throw new IllegalArgumentException("seq2seq: --epochs, --steps and --test must be at least 1 but are "
          + epochs + ", " + stepsPerEpoch + " and " + testExamples);
    }
    out.println(KilnSeq2Seq.summary());
    Rng rng = new Rng(seed);
    Reversal.Batch test = task.sample(new Rng(seed ^ 0x5eed_7e57L), testExamples);
    out.printf(Locale.ROOT, "reversing random sequences: %d epochs of %d steps, batch %d, %d held-out examples, Adam lr %s with cosine decay to 0%n",
        epochs, stepsPerEpoch, BATCH, testExamples, lr);
    KilnSeq2Seq model = KilnSeq2Seq.create(seed);
    Adam adam = Adam.builder(lr).clipGlobalNorm(5f).build();
    // decayed to zero over the run: at a constant rate the exact-match rate wobbles by ±3 points between epochs
    LearningRateSchedule schedule = new CosineDecay(lr, (long) epochs * stepsPerEpoch, 0f);
    long step = 0;
    TrainingCurve curve = new TrainingCurve("seq2seq: reversing sequences", "epoch");
    Files.createDirectories(outDir);
    Path checkpoint = outDir.resolve("seq2seq.safetensors");
    List<Double> losses = new ArrayList<>();
    List<Double> exact = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    long start = System.nanoTime();
    String example = "";
    for (int epoch = 1; epoch <= epochs; epoch++) {
      double lossSum = 0;
      double trainAccuracy;
      try (ProgressBar bar = new ProgressBar("epoch " + epoch + "/" + epochs, stepsPerEpoch)) {
        for (int s = 0; s < stepsPerEpoch; s++) {
          Reversal.Batch b = task.sample(rng, BATCH);
          Schedules.apply(adam, schedule, step++);
          float loss = model.trainStep(b.source(), b.target(), STEPS, b.next(), adam);
          lossSum += loss;
          bar.step(b.labelledPositions(), loss, model.lastCorrect());
        }
        trainAccuracy = bar.accuracy();
      }
      int[] decoded = decode(model, test);
      double rate = exactMatch(test, decoded);
      double elapsed = (System.nanoTime() - start) / 1e9;
      losses.add(lossSum / stepsPerEpoch);
      exact.add(rate);
      seconds.add(elapsed);
      curve.add(epoch, lossSum / stepsPerEpoch, trainAccuracy, rate);
      model.save(checkpoint);
      curve.writeBeside(checkpoint);
      int l = test.lengths()[0];
      example = Reversal.text(test.source(), 0, l) + " → " + Reversal.text(decoded, 0, l + 1);
      out.printf(Locale.ROOT, "epoch %d: train loss %.4f, token accuracy %.1f%%, held-out exact match %.1f%% (%d of %d), %.0f s; %s%n",
          epoch, lossSum / stepsPerEpoch, 100 * trainAccuracy, 100 * rate, Math.round(rate * test.size()), test.size(), elapsed,
          example);
    }
    Path heatMap = writeAttention(model, test, outDir.resolve("seq2seq-attention.png"));
    out.println("checkpoint " + checkpoint + ", curve " + TrainingCurve.besideCheckpoint(checkpoint) + ", attention " + heatMap);
    return new Result(losses, exact, seconds, example, checkpoint, heatMap);
  }

  /** Greedy decoding of every example, {@link #BATCH} at a time: {@code [n, STEPS]} predicted tokens. */
  static int[] decode(KilnSeq2Seq model, Reversal.Batch examples) {
    int[] predicted = new int[examples.size() * STEPS];
    for (int from = 0; from < examples.size(); from += BATCH) {
      Reversal.Batch part = examples.slice(from, Math.min(examples.size(), from + BATCH));
      int[] p = model.greedyDecode(part.source(), part.decoderStart(), STEPS, 1);
      System.arraycopy(p, 0, predicted, from * STEPS, p.length);
    }
    return predicted;
  }

  /** The fraction of examples whose decoded output is the reversal followed by EOS, exactly. */
  static double exactMatch(Reversal.Batch examples, int[] predicted) {
    int ok = 0;
    for (int b = 0; b < examples.size(); b++) {
      if (Reversal.exact(examples, predicted, b)) {
        ok++;
      }
    }
    return (double) ok / examples.size();
  }

  /**
   * Decodes the first held-out example alone and draws its attention weights: one row per output
   * step (the L symbols and EOS), one column per source step: the L symbols and the first padding
   * step, which the first output step reads (the encoder is a forward LSTM, so the state at step j
   * summarizes the symbols before it: output t tends to read the state just after the symbol it
   * writes).
   */
  static Path writeAttention(KilnSeq2Seq model, Reversal.Batch test, Path png) throws IOException {
    Reversal.Batch one = test.slice(0, 1);
    int[] p = model.greedyDecode(one.source(), one.decoderStart(), STEPS, 1);
    float[] alpha = model.attentionWeights("context"); // [1, STEPS, STEPS] of that final pass
    int l = one.lengths()[0];
    int rows = l + 1;
    int cols = Math.min(l + 1, STEPS);
    float[] cells = new float[rows * cols];
    String[] rowLabels = new String[rows];
    String[] colLabels = new String[cols];
    for (int t = 0; t < rows; t++) {
      System.arraycopy(alpha, t * STEPS, cells, t * cols, cols);
      rowLabels[t] = String.valueOf(Reversal.symbol(p[t]));
    }
    for (int j = 0; j < cols; j++) {
      colLabels[j] = String.valueOf(Reversal.symbol(one.source()[j]));
    }
    return new HeatMap("seq2seq attention: " + Reversal.text(one.source(), 0, l) + " → " + Reversal.text(p, 0, rows),
        cells, rows, cols, rowLabels, colLabels).writePng(png);
  }
}
