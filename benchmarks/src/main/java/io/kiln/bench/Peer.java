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
 * The PyTorch peers {@code ./bench models --peer} runs beside Kiln, both from {@code ../shared/peers}
 * (staged into {@code benchmarks/target/peers}, since the libtorch peer builds into its own folder).
 * Each prints a configuration line, then one JSON line per (model, threads), threads 1 then 2.
 */
enum Peer {
  /** Debian's torch 1.13 (python3-torch, BLAS_INFO=generic) on OpenBLAS, BLAS threads pinned to one by the script. */
  TORCH113("torch113") {
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
  LIBTORCH("libtorch") {
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
  };

  static final String PYTHON = "/usr/bin/python3";

  final String id;

  Peer(String id) {
    this.id = id;
  }

  /** The command that measures {@code models} (from the project root). */
  abstract List<String> command(Path peers, List<String> models);

  /** Why this peer cannot run here, found before any measuring starts. */
  abstract Optional<String> whyNotRunnable(Path peers);

  /**
   * The environment the peer runs with, beside the caller's: {@code quick} shortens the libtorch
   * peer's loops (torch_bench.py has no such knob); the libtorch peer builds with the project's
   * Maven wrapper unless {@code MVN} says otherwise ({@code MAVEN_ARGS}, e.g.
   * {@code -Dmaven.repo.local=…}, reaches it through the environment).
   */
  Map<String, String> environment(Path root, boolean quick) {
    Map<String, String> env = new LinkedHashMap<>();
    if (this == LIBTORCH) {
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
