package io.kiln.samples;

import io.kiln.samples.perceptron.PerceptronSample;
import java.io.PrintStream;
import java.util.Arrays;

/** Runs a sample by name: {@code ./kiln perceptron}. */
public final class Samples {
  private Samples() {}

  public static void main(String[] args) throws Exception {
    int status = run(args, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Runs the sample {@code args[0]}; returns 0, or 2 after printing a one-line message for a bad
   * option or input (an {@link IllegalArgumentException} or a missing file). Set {@code KILN_DEBUG}
   * to get the exception with its stack trace instead.
   */
  static int run(String[] args, PrintStream err) throws Exception {
    try {
      dispatch(args, err);
      return 0;
    } catch (IllegalArgumentException | java.nio.file.NoSuchFileException e) {
      if (System.getenv("KILN_DEBUG") != null) {
        throw e;
      }
      String what = e instanceof java.nio.file.NoSuchFileException ? "no such file: " + e.getMessage() : e.getMessage();
      err.println("kiln " + (args.length > 0 ? args[0] : "") + ": " + what);
      return 2;
    }
  }

  private static void dispatch(String[] args, PrintStream err) throws Exception {
    if (args.length == 0) {
      usage(err);
      throw new IllegalArgumentException("name a sample");
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "perceptron" -> PerceptronSample.main(rest);
      case "lenet" -> io.kiln.samples.lenet.LeNetSample.main(rest);
      case "cnn64" -> io.kiln.samples.cnn64.Cnn64Sample.main(rest);
      case "charlstm" -> io.kiln.samples.charlstm.CharLstmSample.main(rest);
      case "seq2seq" -> io.kiln.samples.seq2seq.Seq2SeqSample.main(rest);
      case "gpt" -> io.kiln.samples.gpt.GptSample.main(rest);
      case "classify" -> io.kiln.samples.classify.ClassifySample.main(rest);
      default -> {
        usage(err);
        throw new IllegalArgumentException("unknown sample '" + args[0] + "'");
      }
    }
  }

  private static void usage(PrintStream err) {
    err.println("usage: ./kiln SAMPLE [options]");
    err.println("  perceptron   the perceptron rule on AND, OR and XOR, then a two-layer network on XOR");
    err.println("  lenet        LeNet on Fashion-MNIST [--data DIR] [--epochs N] [--batch B] [--lr RATE] [--seed S] [--out DIR]");
    err.println("  charlstm     a character-level LSTM language model [--text FILE] [--epochs N] [--steps N] [--temperature T]");
    err.println("  seq2seq      an LSTM encoder-decoder with attention that learns to reverse sequences [--epochs N] [--steps N] [--min-length L] [--max-length L]");
    err.println("  gpt          a tiny GPT (2 causal Transformer layers) language model on the charlstm text [--text FILE] [--epochs N] [--steps N]");
    err.println("  cnn64        the notes' 64×64 binary image classifier on generated images [--train N] [--test N] [--epochs N]");
    err.println("  classify     top-3 Fashion-MNIST classes of a picture with a trained LeNet: IMAGE.png|IMAGE.pgm [--model runs/lenet/lenet.safetensors]");
  }
}
