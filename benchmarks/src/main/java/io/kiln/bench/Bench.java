package io.kiln.bench;

import java.util.Arrays;
import java.util.List;

/** Entry point of {@code ./bench}: {@code gemm [--openblas] [--quick]} or {@code models [--peer] [--quick]}. */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    List<String> rest = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of();
    String what = args.length == 0 ? "" : args[0];
    switch (what) {
      case "gemm" -> GemmBench.run(rest);
      case "models" -> ModelBench.run(rest);
      case "fma" -> FmaPeak.main(new String[0]);
      default -> {
        System.err.println("usage: ./bench gemm [--openblas] [--quick]   GEMM GFLOP/s (JSON lines) vs the FMA peak"
            + " [and OpenBLAS]\n       ./bench models [--peer] [--quick] [--only a,b]  train-step/forward ms per reference model"
            + " [and the PyTorch peer]");
        System.exit(what.isEmpty() ? 2 : 1);
      }
    }
  }
}
