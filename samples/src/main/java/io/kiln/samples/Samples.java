package io.kiln.samples;

import io.kiln.samples.charlstm.CharLstmSample;
import io.kiln.samples.classify.ClassifySample;
import io.kiln.samples.cli.CommandLine;
import io.kiln.samples.cnn64.Cnn64Sample;
import io.kiln.samples.gpt.GptSample;
import io.kiln.samples.gradients.GradientsSample;
import io.kiln.samples.lenet.LeNetSample;
import io.kiln.samples.perceptron.PerceptronSample;
import io.kiln.samples.seq2seq.Seq2SeqSample;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a sample by name: {@code ./kiln perceptron}. Every failure ends with one line on stderr and
 * an exit status, see {@link CommandLine}.
 */
public final class Samples {
  private Samples() {}

  /** A sample's command: parses {@code args} strictly, then runs, printing to {@code out}. */
  @FunctionalInterface
  public interface Command {
    void run(String[] args, PrintStream out) throws Exception;
  }

  /** One sample of {@code ./kiln}: its name, its arguments as the usage shows them, what it does. */
  record Sample(String name, String arguments, String description, Command command) {}

  static final List<Sample> SAMPLES = List.of(
      new Sample("perceptron", "", "the perceptron rule on AND, OR and XOR, then a two-layer network on XOR",
          PerceptronSample::command),
      new Sample("lenet", "[--data DIR] [--epochs N] [--batch 1-64] [--lr RATE] [--seed S] [--out DIR]",
          "LeNet on Fashion-MNIST", LeNetSample::command),
      new Sample("cnn64", "[--train N] [--test N] [--epochs N] [--seed S] [--out DIR]",
          "the notes' 64×64 binary image classifier on generated images (N: multiples of 64)", Cnn64Sample::command),
      new Sample("charlstm", "[--text FILE] [--epochs N] [--steps N] [--lr RATE] [--temperature T] [--seed S] [--out DIR]",
          "a character-level LSTM language model", CharLstmSample::command),
      new Sample("seq2seq", "[--epochs N] [--steps N] [--min-length L] [--max-length L] [--symbols 2-29] [--test N] [--lr RATE] "
          + "[--seed S] [--out DIR]", "an LSTM encoder-decoder with attention that learns to reverse sequences (L: 1-23)",
          Seq2SeqSample::command),
      new Sample("gpt", "[--text FILE] [--epochs N] [--steps N] [--lr RATE] [--temperature T] [--seed S] [--out DIR]",
          "a tiny GPT (2 causal Transformer layers) language model on the charlstm text", GptSample::command),
      new Sample("gradients", "[--part all|mlp|recurrent|exploding|gates] [--mode full|quick] [--data DIR] [--seed S] [--out DIR]",
          "vanishing and exploding gradients and the LSTM's gates, measured and drawn", GradientsSample::command),
      new Sample("classify", "IMAGE.png|IMAGE.pgm [--model runs/lenet/lenet.safetensors]",
          "top-3 Fashion-MNIST classes of a picture with a trained LeNet", ClassifySample::command));

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    System.out.flush();
    if (status != CommandLine.OK) {
      System.exit(status);
    }
  }

  /**
   * Runs the sample {@code args[0]} with the options that follow and returns the exit status (see
   * {@link CommandLine}); stack traces only with {@code KILN_DEBUG=1}.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, CommandLine.debugRequested());
  }

  static int run(String[] args, PrintStream out, PrintStream err, boolean debug) {
    if (args.length == 0) {
      usage(err);
      return CommandLine.USAGE;
    }
    if (isHelp(args[0]) || args[0].equals("help")) {
      usage(out);
      return CommandLine.OK;
    }
    Sample sample = SAMPLES.stream().filter(s -> s.name().equals(args[0])).findFirst().orElse(null);
    if (sample == null) {
      err.println("kiln: unknown sample '" + CommandLine.oneLine(args[0]) + "'; the samples are "
          + String.join(", ", SAMPLES.stream().map(Sample::name).toList()) + " (./kiln help lists them)");
      return CommandLine.USAGE;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (Arrays.stream(rest).anyMatch(Samples::isHelp)) {
      out.println("usage: ./kiln " + sample.name() + " " + sample.arguments());
      out.println("  " + sample.description());
      return CommandLine.OK;
    }
    return CommandLine.run("kiln " + sample.name(), () -> sample.command().run(rest, out), err, debug);
  }

  private static boolean isHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h");
  }

  private static void usage(PrintStream to) {
    to.println("usage: ./kiln SAMPLE [options]      (./kiln SAMPLE --help for one sample)");
    for (Sample s : SAMPLES) {
      to.printf("  %-11s %s%n", s.name(), s.description());
      if (!s.arguments().isEmpty()) {
        to.printf("  %-11s   %s%n", "", s.arguments());
      }
    }
    to.println("exit status: 0 done, 1 a file, data set or training failed, 2 bad usage (unknown option, value"
        + " missing, malformed or out of range), 3 internal error; set KILN_DEBUG=1 for stack traces");
  }
}
