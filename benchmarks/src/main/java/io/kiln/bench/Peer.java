package io.kiln.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The peers {@code ./bench models --peer} runs beside Kiln: the two PyTorch peers from
 * {@code ../shared/peers}, which train, and ONNX Runtime from {@code benchmarks/peers/onnxruntime},
 * which runs the models Kiln exported to ONNX. All are staged into {@code benchmarks/target/peers},
 * since the libtorch and ONNX Runtime peers build into their own folders. Each prints a
 * configuration line, then one JSON line per (model, threads), threads 1 then 2.
 */
enum Peer {
  /** Debian's torch 1.13 (python3-torch, BLAS_INFO=generic) on OpenBLAS, BLAS threads pinned to one by the script. */
  TORCH113("torch113", Kind.TRAINING) {
    @Override
    List<String> command(Path peers, List<String> models) {
      List<String> c = new ArrayList<>(List.of(PYTHON, peers.resolve("torch_bench.py").toString()));
      c.addAll(models);
      return c;
    }

    @Override
    Optional<String> whyNotRunnable(Path peers) {
      return canImportTorch() ? Optional.empty()
          : Optional.of(PYTHON + " cannot import torch (apt-get install -y python3-torch libopenblas0-pthread)");
    }
  },

  /** The official libtorch 2.7.1 CPU build (MKL, oneDNN) through DJL, default MKL code paths. */
  LIBTORCH("libtorch", Kind.TRAINING) {
    @Override
    List<String> command(Path peers, List<String> models) {
      List<String> c = new ArrayList<>(List.of("bash", peers.resolve("libtorch").resolve("run.sh").toString()));
      c.addAll(models);
      return c;
    }

    @Override
    Optional<String> whyNotRunnable(Path peers) {
      // run.sh exports the models to TorchScript with Debian's torch before libtorch trains them
      return canImportTorch() ? Optional.empty()
          : Optional.of(PYTHON + " cannot import torch, which exports the models to TorchScript for libtorch"
              + " (apt-get install -y python3-torch)");
    }
  },

  /**
   * ONNX Runtime 1.22.0 (CPU, its MLAS kernels) through its Java API, on the {@code .onnx} files and
   * inputs {@link OnnxExports} writes into {@code peers/onnxruntime/models}; resolved from Maven
   * Central by its own small Maven project on first run, so no Kiln module depends on it.
   */
  ONNXRUNTIME("onnxruntime", Kind.INFERENCE) {
    @Override
    List<String> command(Path peers, List<String> models) {
      Path home = peers.resolve("onnxruntime");
      List<String> c = new ArrayList<>(List.of("bash", home.resolve("run.sh").toString(), "--dir",
          home.resolve(MODELS).toString()));
      c.addAll(models);
      return c;
    }

    @Override
    Optional<String> whyNotRunnable(Path peers) {
      return Optional.empty(); // a model that cannot be exported is found by the export, before the rounds
    }
  };

  /** What a peer measures: the train step and forward pass, or {@code predict}'s inference times. */
  enum Kind { TRAINING, INFERENCE }

  static final String PYTHON = "/usr/bin/python3";

  /** The folder, under the ONNX Runtime peer's, that holds the exported models and their inputs. */
  static final String MODELS = "models";

  final String id;
  final Kind kind;

  Peer(String id, Kind kind) {
    this.id = id;
    this.kind = kind;
  }

  /** The command that measures {@code models} (from the project root). */
  abstract List<String> command(Path peers, List<String> models);

  /** Why this peer cannot run here, found before any measuring starts. */
  abstract Optional<String> whyNotRunnable(Path peers);

  /**
   * The environment the peer runs with, beside the caller's: {@code quick} shortens the libtorch
   * and ONNX Runtime peers' loops (torch_bench.py has no such knob); those two build with the
   * project's Maven wrapper unless {@code MVN} says otherwise ({@code MAVEN_ARGS}, e.g.
   * {@code -Dmaven.repo.local=…}, reaches them through the environment).
   */
  Map<String, String> environment(Path root, boolean quick) {
    Map<String, String> env = new LinkedHashMap<>();
    if (this != TORCH113) {
      env.put("THREADS", "1,2");
      env.put("SECS", quick ? "0.5" : "3");
      if (System.getenv("MVN") == null) {
        env.put("MVN", root.resolve("mvnw").toString());
      }
    }
    return env;
  }

  /** The peers named in {@code list} (comma-separated ids), or empty when a name is not a peer's. */
  static Optional<List<Peer>> parseList(String list) {
    List<Peer> peers = new ArrayList<>();
    for (String name : list.split(",")) {
      Optional<Peer> p = byId(name);
      if (p.isEmpty()) {
        return Optional.empty();
      }
      if (!peers.contains(p.get())) {
        peers.add(p.get());
      }
    }
    return Optional.of(List.copyOf(peers));
  }

  /** The peer whose id is {@code id}. */
  static Optional<Peer> byId(String id) {
    return Arrays.stream(values()).filter(v -> v.id.equals(id)).findFirst();
  }

  static String ids() {
    return String.join(",", Arrays.stream(values()).map(p -> p.id).toList());
  }

  private static boolean canImportTorch() {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
