package io.kiln.bench;

import io.kiln.runtime.Parallelism;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./bench models [--peer]}: one JSON line per (model, threads) in exactly the format of
 * {@code ../shared/peers/torch_bench.py}; with {@code --peer}, also runs that script (Debian's
 * {@code /usr/bin/python3} with torch) on the same models and prints a ratio line per pair.
 */
final class ModelBench {
  static final String PYTHON = "/usr/bin/python3";

  /** Minimum warm-up per model and thread count (train steps; half of it for forward). */
  static final double WARMUP_SECONDS = 4.0;

  private ModelBench() {}

  static void run(List<String> args) throws Exception {
    boolean peer = args.contains("--peer");
    double secs = args.contains("--quick") ? 0.5 : 3.0;
    // Models by name: ./bench models lenet cnn64, or (as ./bench gemm) --only lenet,cnn64
    int only = args.indexOf("--only");
    List<String> named = new java.util.ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      if (i == only + 1 && only >= 0) {
        named.addAll(List.of(args.get(i).split(",")));
      } else if (!args.get(i).startsWith("--")) {
        named.add(args.get(i));
      }
    }
    List<Supplier<ReferenceModel>> factories = select(named);
    double warmup = args.contains("--quick") ? 0.5 : WARMUP_SECONDS;
    if (factories.isEmpty()) {
      System.err.println("kiln models benchmark: no reference models are registered yet"
          + " (benchmarks/src/main/java/io/kiln/bench/ReferenceModels.java); nothing to measure"
          + (peer ? ", so the PyTorch peer is not run either." : "."));
      return;
    }
    List<String> names = new ArrayList<>();
    Map<String, double[]> kiln = new HashMap<>();
    int[] threadCounts = Runtime.getRuntime().availableProcessors() >= 2 ? new int[] {1, 2} : new int[] {1};
    for (int t : threadCounts) { // same order as torch_bench: threads outer, models inner
      Parallelism.setThreads(t);
      for (Supplier<ReferenceModel> f : factories) {
        ReferenceModel model = f.get();
        if (!names.contains(model.name())) {
          names.add(model.name());
          if (!model.note().isEmpty()) {
            System.err.println("note: " + model.name() + ": " + model.note());
          }
        }
        // 10 warm-up steps as in the peer, and at least WARMUP_SECONDS: the JIT needs seconds to
        // bring the Vector API kernels to C2 (until then each vector op is a boxed call), which
        // would otherwise land in the first thread count's timing
        long w0 = System.nanoTime();
        for (int i = 0; i < 10 || System.nanoTime() - w0 < warmup * 1e9; i++) {
          model.trainStep();
        }
        int n = 0;
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < secs * 1e9) {
          model.trainStep();
          n++;
        }
        double ms = (System.nanoTime() - t0) / 1e6 / n;
        w0 = System.nanoTime();
        for (int i = 0; i < 5 || System.nanoTime() - w0 < warmup / 2 * 1e9; i++) {
          model.forward();
        }
        int k = 0;
        t0 = System.nanoTime();
        while (System.nanoTime() - t0 < secs / 2 * 1e9) {
          model.forward();
          k++;
        }
        double fms = (System.nanoTime() - t0) / 1e6 / k;
        kiln.put(model.name() + "/" + t, new double[] {ms, fms});
        System.out.println(String.format(Locale.ROOT,
            "{\"model\": \"%s\", \"threads\": %d, \"batch\": %d, \"train_step_ms\": %s, \"forward_ms\": %s, \"params\": %d}",
            model.name(), t, model.batch(), round3(ms), round3(fms), model.params()));
        System.out.flush();
      }
    }
    Parallelism.setThreads(Runtime.getRuntime().availableProcessors());
    if (peer) {
      runPeer(names, kiln);
    }
  }

  /** The registry's models, or only those named (in the registry's order); an unknown name is an error. */
  static List<Supplier<ReferenceModel>> select(List<String> names) {
    for (String n : names) {
      if (!ReferenceModels.BY_NAME.containsKey(n)) {
        throw new IllegalArgumentException("./bench models: unknown model '" + n + "'; known: "
            + String.join(", ", ReferenceModels.BY_NAME.keySet()));
      }
    }
    List<Supplier<ReferenceModel>> picked = new ArrayList<>();
    ReferenceModels.BY_NAME.forEach((name, factory) -> {
      if (names.isEmpty() || names.contains(name)) {
        picked.add(factory);
      }
    });
    return picked;
  }

  private static void runPeer(List<String> names, Map<String, double[]> kiln) throws Exception {
    Path root = Path.of(System.getProperty("kiln.root", ".")).toAbsolutePath();
    Path script = root.resolveSibling("shared").resolve("peers").resolve("torch_bench.py");
    if (!Files.isRegularFile(script)) {
      System.err.println("peer: " + script + " not found; skipping the PyTorch comparison");
      return;
    }
    if (!canImportTorch()) {
      System.err.println("peer: " + PYTHON + " cannot import torch (apt-get install python3-torch); skipping the PyTorch comparison");
      return;
    }
    List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString()));
    cmd.addAll(names);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Pattern field = Pattern.compile("\"(\\w+)\":\\s*\"?([^,\"}]+)\"?");
    List<String> ratios = new ArrayList<>();
    Map<String, double[]> torchBest = new java.util.LinkedHashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        System.out.println(line); // the peer's own line, unchanged
        Map<String, String> f = new HashMap<>();
        Matcher m = field.matcher(line);
        while (m.find()) {
          f.put(m.group(1), m.group(2).trim());
        }
        double[] k = kiln.get(f.get("model") + "/" + f.get("threads"));
        if (k != null && f.containsKey("train_step_ms")) {
          double tt = Double.parseDouble(f.get("train_step_ms"));
          double tf = Double.parseDouble(f.get("forward_ms"));
          torchBest.merge(f.get("model"), new double[] {tt, tf},
              (x, y) -> new double[] {Math.min(x[0], y[0]), Math.min(x[1], y[1])});
          ratios.add(String.format(Locale.ROOT,
              "{\"model\": \"%s\", \"threads\": %s, \"kiln_train_step_ms\": %s, \"torch_train_step_ms\": %s,"
                  + " \"train_speedup_vs_torch\": %.3f, \"kiln_forward_ms\": %s, \"torch_forward_ms\": %s,"
                  + " \"forward_speedup_vs_torch\": %.3f}",
              f.get("model"), f.get("threads"), round3(k[0]), round3(tt), tt / k[0], round3(k[1]), round3(tf), tf / k[1]));
        }
      }
    }
    int rc = p.waitFor();
    if (rc != 0) {
      System.err.println("peer: torch_bench.py exited with " + rc);
    }
    ratios.forEach(System.out::println);
    // the issues' measure: best of 1 and 2 threads on each side, from this run
    for (Map.Entry<String, double[]> e : torchBest.entrySet()) {
      double kt = Double.MAX_VALUE;
      double kf = Double.MAX_VALUE;
      for (Map.Entry<String, double[]> k : kiln.entrySet()) {
        if (k.getKey().startsWith(e.getKey() + "/")) {
          kt = Math.min(kt, k.getValue()[0]);
          kf = Math.min(kf, k.getValue()[1]);
        }
      }
      System.out.println(String.format(Locale.ROOT,
          "{\"model\": \"%s\", \"best\": true, \"kiln_train_step_ms\": %s, \"torch_train_step_ms\": %s,"
              + " \"train_speedup_vs_torch\": %.3f, \"kiln_forward_ms\": %s, \"torch_forward_ms\": %s,"
              + " \"forward_speedup_vs_torch\": %.3f}",
          e.getKey(), round3(kt), round3(e.getValue()[0]), e.getValue()[0] / kt, round3(kf), round3(e.getValue()[1]),
          e.getValue()[1] / kf));
    }
  }

  static boolean canImportTorch() {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static String round3(double x) {
    return new java.math.BigDecimal(x).setScale(3, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
  }
}
