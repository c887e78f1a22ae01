package io.kiln.samples;

import io.kiln.samples.perceptron.PerceptronSample;
import java.util.Arrays;

/** Runs a sample by name: {@code ./kiln perceptron}. */
public final class Samples {
  private Samples() {}

  public static void main(String[] args) {
    if (args.length == 0) {
      usage();
      System.exit(2);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "perceptron" -> PerceptronSample.main(rest);
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
  }
}
