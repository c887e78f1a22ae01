package io.kiln.samples.text;

import io.kiln.samples.cli.InputFiles;
import io.kiln.samples.train.Args;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The command line of the language-model samples ({@code charlstm}, {@code gpt}), checked before
 * training: {@code [--text FILE] [--epochs N] [--steps N] [--lr RATE] [--temperature T] [--seed S]
 * [--out DIR]}, with the text read (the default corpus without {@code --text}) and {@code --out}
 * created.
 */
public record TextSampleOptions(String text, int epochs, int steps, float lr, float temperature, long seed, Path outDir) {
  /** Learning rate of both samples unless {@code --lr} says otherwise. */
  static final float DEFAULT_LR = 2e-3f;
  static final float DEFAULT_TEMPERATURE = 0.8f;

  /**
   * @param minCharacters the shortest text the sample trains on
   * @param log where the corpus is described
   */
  public static TextSampleOptions parse(String sample, String[] args, int defaultEpochs, int defaultSteps, int minCharacters,
      PrintStream log) throws IOException {
    Args a = Args.parse(sample, args, "text", "epochs", "steps", "lr", "temperature", "seed", "out");
    int epochs = a.intValue("epochs", defaultEpochs, 1, Integer.MAX_VALUE);
    int steps = a.intValue("steps", defaultSteps, 1, Integer.MAX_VALUE);
    float lr = a.positiveFloat("lr", DEFAULT_LR);
    float temperature = a.positiveFloat("temperature", DEFAULT_TEMPERATURE);
    long seed = a.longValue("seed", 1);
    Optional<Path> textFile = a.path("text");
    Path outDir = InputFiles.outputDirectory(a.path("out", Path.of("runs", sample)), "--out");
    String text = textFile.isPresent() ? TextCorpus.read(textFile.get(), "--text", minCharacters, log) : TextCorpus.defaultText(log);
    return new TextSampleOptions(text, epochs, steps, lr, temperature, seed, outDir);
  }
}
