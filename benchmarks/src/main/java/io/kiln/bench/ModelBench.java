package io.kiln.bench;

import io.kiln.runtime.Parallelism;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code ./bench models [--peer [torch113,libtorch,onnxruntime]] [--rounds N] [--quick] [NAME... | --only a,b]}:
 * train-step and forward ms of the reference models on 1 and 2 threads, and their inference times
 * ({@code predict} at the maximum batch, p50 and p99 of one sample), in rounds; with
 * {@code --peer}, the PyTorch peers (training) and ONNX Runtime (inference, on the models Kiln
 * exports) in the same rounds. Round r runs every side once over all
 * selected models, the sides' order rotated by r so none is always first or last after the
 * others. Stdout gets one JSON line per measurement (torch_bench.py's format with {@code side} and
 * {@code round} in front) and summary lines; stderr gets the peers' configuration and a table.
 */
final class ModelBench {
  /** Minimum warm-up of a model in the first round (train steps; half of it for forward): the JIT
   *  needs seconds to bring the Vector API kernels to C2, until then each vector op is a boxed call. */
  static final double FIRST_WARMUP_SECONDS = 4.0;

  /** Warm-up in later rounds: the compiled kernels are shared by the new instances of a model. */
  static final double LATER_WARMUP_SECONDS = 1.0;

  static final int DEFAULT_ROUNDS = 3;

  /** Single-sample {@code predict} calls timed per (model, threads), at least: p99 is then the 10th slowest. */
  static final int MIN_ONE_SAMPLE_CALLS = 1000;

  private ModelBench() {}

  /** The command line of {@code ./bench models}. */
  record Options(List<String> models, List<Peer> peers, int rounds, boolean quick) {
    static Options parse(List<String> args) throws BenchFailure {
      List<String> models = new ArrayList<>();
      List<Peer> peers = List.of();
      int rounds = DEFAULT_ROUNDS;
      boolean quick = false;
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--quick" -> quick = true;
          case "--peer", "--peers" -> {
            // an optional list follows: --peer torch113 runs only that peer
            Optional<List<Peer>> list = i + 1 < args.size() ? Peer.parseList(args.get(i + 1)) : Optional.empty();
            peers = list.orElse(List.of(Peer.values()));
            i += list.isPresent() ? 1 : 0;
          }
          case "--rounds" -> rounds = positive(a, i + 1 < args.size() ? args.get(++i) : null);
          case "--only" -> models.addAll(List.of((i + 1 < args.size() ? args.get(++i) : "").split(",")));
          default -> {
            if (a.startsWith("--")) {
              throw new BenchFailure("unknown option " + a + "; expected --peer [" + Peer.ids() + "], --rounds N,"
                  + " --quick, --only a,b or model names");
            }
            models.add(a);
          }
        }
      }
      for (String m : models) {
        if (!ReferenceModels.BY_NAME.containsKey(m)) {
          throw new BenchFailure("unknown model '" + m + "'; known: "
              + String.join(", ", ReferenceModels.BY_NAME.keySet()));
        }
      }
      List<String> selected = ReferenceModels.BY_NAME.keySet().stream()
          .filter(n -> models.isEmpty() || models.contains(n)).toList();
      return new Options(selected, peers, rounds, quick);
    }

    private static int positive(String option, String value) throws BenchFailure {
      try {
        int n = Integer.parseInt(String.valueOf(value));
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new BenchFailure(option + " needs a positive whole number, got " + value);
    }
  }

  static void run(List<String> args) throws Exception {
    Options o = Options.parse(args);
    PrintStream out = System.out;
    Path root = Path.of(System.getProperty("kiln.root", ".")).toAbsolutePath().normalize();
    Path peers = root.resolve("benchmarks").resolve("target").resolve("peers");
    if (!o.peers().isEmpty()) {
      if (o.peers().stream().anyMatch(p -> p.kind == Peer.Kind.TRAINING)) {
        PeerRun.stage(root.resolveSibling("shared").resolve("peers"), peers);
      }
      if (o.peers().contains(Peer.ONNXRUNTIME)) {
        PeerRun.copy(root.resolve("benchmarks").resolve("peers").resolve("onnxruntime"), peers.resolve("onnxruntime"));
        exportOnnx(o, peers.resolve("onnxruntime").resolve(Peer.MODELS));
      }
      for (Peer p : o.peers()) {
        var why = p.whyNotRunnable(peers);
        if (why.isPresent()) {
          List<String> others = o.peers().stream().filter(q -> q != p).map(q -> q.id).toList();
          throw new BenchFailure("peer " + p.id + " cannot run: " + why.get() + ". " + (others.isEmpty()
              ? "Leave out --peer to measure Kiln alone."
              : "Select the others with --peer " + String.join(",", others) + " to compare without it."));
        }
      }
    }
    int[] threads = Runtime.getRuntime().availableProcessors() >= 2 ? new int[] {1, 2} : new int[] {1};
    System.err.println("cpu: " + cpuName() + "; " + o.rounds() + " round(s) of " + String.join(", ", o.models())
        + (o.peers().isEmpty() ? "" : " against " + String.join(", ", o.peers().stream().map(p -> p.id).toList())));
    for (String m : o.models()) {
      ReferenceModel sample = ReferenceModels.BY_NAME.get(m).get();
      if (!sample.note().isEmpty()) {
        System.err.println("note: " + m + ": " + sample.note());
      }
    }
    double peak = fmaPeak(out, 0);
    List<Measurement> all = new ArrayList<>();
    List<String> sides = new ArrayList<>();
    o.peers().forEach(p -> sides.add(p.id));
    sides.add(Measurement.KILN); // round 1 starts with the peers: a peer that cannot run fails before Kiln's minutes
    for (int round = 1; round <= o.rounds(); round++) {
      for (int s = 0; s < sides.size(); s++) {
        String side = sides.get((s + round - 1) % sides.size());
        System.err.println("== round " + round + "/" + o.rounds() + ": " + side);
        Optional<Peer> peer = Peer.byId(side);
        if (peer.isPresent()) {
          all.addAll(PeerRun.run(peer.get(), root, peers, o.models(), threads, o.quick(), round, out));
        } else {
          all.addAll(measureKiln(o, threads, round, out));
        }
      }
      peak = Math.max(peak, fmaPeak(out, round));
    }
    Report.print(o.models(), all, peak, o.rounds(), out, System.err);
  }

  private static List<Measurement> measureKiln(Options o, int[] threads, int round, PrintStream out) {
    double secs = o.quick() ? 0.5 : 3.0;
    double warmup = (round == 1 ? FIRST_WARMUP_SECONDS : LATER_WARMUP_SECONDS) * (o.quick() ? 0.25 : 1);
    List<Measurement> measured = new ArrayList<>();
    for (int t : threads) { // as torch_bench: threads outer, models inner
      Parallelism.setThreads(t);
      for (String name : o.models()) {
        Supplier<ReferenceModel> factory = ReferenceModels.BY_NAME.get(name);
        ReferenceModel model = factory.get();
        // at least 10 warm-up steps, as the peers, and at least the warm-up time
        double trainMs = loopMeanMs(model::trainStep, 10, warmup, secs);
        double forwardMs = loopMeanMs(model::forward, 5, warmup / 2, secs / 2);
        // the inference comparison: predict as the ONNX Runtime peer times it (benchmarks/peers/onnxruntime)
        InferenceCase inference = model.inference();
        double batchMs = loopMeanMs(inference::predictBatch, 5, warmup / 2, secs / 2);
        double[] oneMs = Timing.latenciesMs(inference::predictOne, MIN_ONE_SAMPLE_CALLS, warmup / 2, secs / 2);
        Measurement m = new Measurement(Measurement.KILN, name, t, round, trainMs, forwardMs, batchMs,
            Timing.percentile(oneMs, 0.50), Timing.percentile(oneMs, 0.99));
        measured.add(m);
        out.println(String.format(Locale.ROOT,
            "{\"side\": \"kiln\", \"round\": %d, \"model\": \"%s\", \"threads\": %d, \"batch\": %d,"
                + " \"train_step_ms\": %s, \"forward_ms\": %s, \"params\": %d, \"predict_batch_ms\": %s,"
                + " \"predict_one_p50_ms\": %s, \"predict_one_p99_ms\": %s, \"one_calls\": %d}",
            round, name, t, model.batch(), Report.round3(trainMs), Report.round3(forwardMs), model.params(),
            Report.round4(batchMs), Report.round4(m.oneP50Ms()), Report.round4(m.oneP99Ms()), oneMs.length));
        out.flush();
      }
    }
    Parallelism.setThreads(Runtime.getRuntime().availableProcessors());
    return measured;
  }

  /**
   * Writes every selected model's ONNX export, inputs and {@code predict} outputs for the ONNX
   * Runtime peer, before any round: a model that cannot be exported stops the run here.
   */
  private static void exportOnnx(Options o, Path dir) throws BenchFailure {
    exportOnnx(o, dir, name -> ReferenceModels.BY_NAME.get(name).get().inference());
  }

  /** {@link #exportOnnx(Options, Path)} with the models' inference cases from {@code cases}. */
  static void exportOnnx(Options o, Path dir, Function<String, InferenceCase> cases) throws BenchFailure {
    for (String name : o.models()) {
      try {
        cases.apply(name).export(name, dir);
      } catch (IOException | RuntimeException e) {
        List<Peer> others = o.peers().stream().filter(p -> p != Peer.ONNXRUNTIME).toList();
        throw new BenchFailure("peer onnxruntime cannot run: " + name + " could not be exported to ONNX ("
            + e.getMessage() + "). " + (others.isEmpty() ? "Leave out --peer, or leave out " + name + "."
                : "Select the others with --peer " + String.join(",", others.stream().map(p -> p.id).toList())
                    + ", or leave out " + name + "."));
      }
    }
  }

  /** torch_bench's statistic: warm up, then the mean ms over a loop of {@code secs}. */
  private static double loopMeanMs(Runnable op, int warmupCalls, double warmupSecs, double secs) {
    long w0 = System.nanoTime();
    for (int i = 0; i < warmupCalls || System.nanoTime() - w0 < warmupSecs * 1e9; i++) {
      op.run();
    }
    int n = 0;
    long t0 = System.nanoTime();
    while (System.nanoTime() - t0 < secs * 1e9) {
      op.run();
      n++;
    }
    return (System.nanoTime() - t0) / 1e6 / n;
  }

  /**
   * The FMA peak of both cores running {@link FmaPeak} at once (not twice one core's: two busy
   * cores may share clock and power headroom), measured before the first round ({@code afterRound}
   * 0) and after each.
   */
  private static double fmaPeak(PrintStream out, int afterRound) throws InterruptedException {
    int cores = Math.min(2, Runtime.getRuntime().availableProcessors());
    double g = FmaPeak.measureParallel(cores, 5);
    out.println(String.format(Locale.ROOT,
        "{\"kernel\": \"fma_peak\", \"cores\": %d, \"after_round\": %d, \"gflops\": %.1f}",
        cores, afterRound, g));
    return g;
  }

  static String cpuName() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown")
          + ", " + Runtime.getRuntime().availableProcessors() + " CPUs";
    } catch (IOException e) {
      return "unknown";
    }
  }
}
