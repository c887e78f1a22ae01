package io.kiln.samples;

import io.kiln.samples.perceptron.PerceptronSample;
import java.util.Arrays;

/** Runs a sample by name: {@code ./kiln perceptron}. */
public final class Samples {
  private Samples() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
      System.exit(2);
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
        System.err.println("unknown sample '" + args[0] + "'");
        usage();
        System.exit(2);
      }
    }
  }

  private static void usage() {
    System.err.println("usage: ./kiln SAMPLE [options]");
    System.err.println("  perceptron   the perceptron rule on AND, OR and XOR, then a two-layer network on XOR");
    System.err.println("  lenet        LeNet on Fashion-MNIST [--data DIR] [--epochs N] [--batch B] [--lr RATE] [--seed S] [--out DIR]");
    System.err.println("  charlstm     a character-level LSTM language model [--text FILE] [--epochs N] [--steps N] [--temperature T]");
    System.err.println("  seq2seq      an LSTM encoder-decoder with attention that learns to reverse sequences [--epochs N] [--steps N] [--min-length L] [--max-length L]");
    System.err.println("  gpt          a tiny GPT (2 causal Transformer layers) language model on the charlstm text [--text FILE] [--epochs N] [--steps N]");
    System.err.println("  cnn64        the notes' 64×64 binary image classifier on generated images [--train N] [--test N] [--epochs N]");
    System.err.println("  classify     top-3 Fashion-MNIST classes of a picture with a trained LeNet: IMAGE.png|IMAGE.pgm [--model runs/lenet/lenet.safetensors]");
  }
}
