package io.kiln.bench;

import java.util.Arrays;
import java.util.List;

/** Entry point of {@code ./bench}: {@code gemm [--openblas] [--quick]} or {@code models [--peer] [--quick] [NAME...]}. */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    List<String> rest = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of();
    String what = args.length == 0 ? "" : args[0];
    try {
      switch (what) {
        case "gemm" -> GemmBench.run(rest);
        case "models" -> ModelBench.run(rest);
        case "fma" -> FmaPeak.main(new String[0]);
        default -> {
          System.err.println("usage: ./bench gemm [--openblas] [--quick]   GEMM GFLOP/s (JSON lines) vs the FMA peak"
              + " [and OpenBLAS]\n       ./bench models [--peer [" + Peer.ids() + "]] [--rounds N] [--quick] [NAME...]"
              + "  train-step/forward/predict ms, FLOPs and %peak per reference model [against the PyTorch peers"
              + " and ONNX Runtime]");
          System.exit(what.isEmpty() ? 2 : 1);
        }
      }
    } catch (BenchFailure e) {
      System.out.flush();
      System.err.println("bench " + what + ": " + e.getMessage());
      System.exit(1);
    }
  }
}
