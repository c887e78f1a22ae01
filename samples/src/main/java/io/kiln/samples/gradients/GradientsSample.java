package io.kiln.samples.gradients;

import io.kiln.samples.cli.InputFiles;
import io.kiln.samples.data.FashionMnist;
import io.kiln.samples.text.TextCorpus;
import io.kiln.samples.train.Args;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code ./kiln gradients}: the notes' vanishing- and exploding-gradient argument in numbers and
 * pictures, read from the generated models' introspection (see docs/gradients.md). Four parts, each
 * ending with a one-line conclusion computed from its numbers and writing PNGs under {@code --out}.
 *
 * <pre>./kiln gradients [--part all|mlp|recurrent|exploding|gates] [--mode full|quick] [--data DIR] [--seed S] [--out DIR]</pre>
 */
public final class GradientsSample {
  /** Training steps per run of each part. */
  record Budget(int mlp, int recurrent, int exploding, int gates) {
    static final Budget FULL = new Budget(300, 1500, 150, 120);
    /** For tests and a first look: seconds, not minutes; the headline effects already show. */
    static final Budget QUICK = new Budget(40, 20, 30, 3);
  }

  /** What each part measured; a part not run is empty. */
  public record Result(Optional<VanishingMlp.Result> mlp, Optional<RecurrentMemory.Result> recurrent,
      Optional<ExplodingRnn.Result> exploding, Optional<LstmGates.Result> gates) {}

  private GradientsSample() {}

  public static void command(String[] args, PrintStream out) throws IOException {
    Args a = Args.parse("gradients", args, "part", "mode", "data", "seed", "out");
    String part = a.choice("part", "all", "all", "mlp", "recurrent", "exploding", "gates");
    Budget budget = a.choice("mode", "full", "full", "quick").equals("quick") ? Budget.QUICK : Budget.FULL;
    long seed = a.longValue("seed", 1);
    Optional<Path> data = a.path("data");
    Path outDir = InputFiles.outputDirectory(a.path("out", Path.of("runs", "gradients")), "--out");
    run(part, budget, data, seed, outDir, out);
  }

  static Result run(String part, Budget budget, Optional<Path> data, long seed, Path outDir, PrintStream out) throws IOException {
    boolean all = part.equals("all");
    long start = System.nanoTime();
    Optional<VanishingMlp.Result> mlp = Optional.empty();
    if (all || part.equals("mlp")) {
      // the shipped subset unless --data: the same 5,000 images, and so the same numbers, on every machine
      FashionMnist.Splits splits = data.isPresent() ? FashionMnist.load(data, out) : FashionMnist.loadEmbedded();
      out.println("Fashion-MNIST: " + splits.description());
      mlp = Optional.of(VanishingMlp.run(splits.train(), splits.test(), budget.mlp(), seed, outDir, out));
    }
    Optional<RecurrentMemory.Result> recurrent = all || part.equals("recurrent")
        ? Optional.of(RecurrentMemory.run(budget.recurrent(), seed, outDir, out)) : Optional.empty();
    Optional<ExplodingRnn.Result> exploding = all || part.equals("exploding")
        ? Optional.of(ExplodingRnn.run(budget.exploding(), seed, outDir, out)) : Optional.empty();
    Optional<LstmGates.Result> gates = all || part.equals("gates")
        ? Optional.of(LstmGates.run(TextCorpus.defaultText(out), budget.gates(), seed, outDir, out)) : Optional.empty();
    out.printf(Locale.ROOT, "%ndone in %.0f s; pictures under %s%n", (System.nanoTime() - start) / 1e9, outDir);
    return new Result(mlp, recurrent, exploding, gates);
  }
}
