package io.kiln.bench;

import static com.google.common.truth.Truth.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How each peer is started. */
class PeerTest {
  private static final Path PEERS = Path.of("/p/benchmarks/target/peers");

  @Test
  void torch113RunsTheScriptWithDebiansPython() {
    assertThat(Peer.TORCH113.command(PEERS, List.of("lenet", "gpt")))
        .containsExactly("/usr/bin/python3", "/p/benchmarks/target/peers/torch_bench.py", "lenet", "gpt").inOrder();
    assertThat(Peer.TORCH113.environment(Path.of("/p"), true)).isEmpty(); // the script has no knobs
  }

  @Test
  void libtorchRunsItsScriptOnBothThreadCountsWithTheProjectsMaven() {
    assertThat(Peer.LIBTORCH.command(PEERS, List.of("cnn64")))
        .containsExactly("bash", "/p/benchmarks/target/peers/libtorch/run.sh", "cnn64").inOrder();
    var env = Peer.LIBTORCH.environment(Path.of("/p"), false);
    assertThat(env).containsEntry("THREADS", "1,2");
    assertThat(env).containsEntry("SECS", "3");
    if (System.getenv("MVN") == null) {
      assertThat(env).containsEntry("MVN", "/p/mvnw");
    } else {
      assertThat(env).doesNotContainKey("MVN");
    }
    assertThat(Peer.LIBTORCH.environment(Path.of("/p"), true)).containsEntry("SECS", "0.5");
  }

  @Test
  void idsSelectPeers() {
    assertThat(Peer.parseList("libtorch,torch113,libtorch")).hasValue(List.of(Peer.LIBTORCH, Peer.TORCH113));
    assertThat(Peer.parseList("lenet")).isEmpty();
    assertThat(Peer.byId("torch113")).hasValue(Peer.TORCH113);
    assertThat(Peer.ids()).isEqualTo("torch113,libtorch,onnxruntime");
    assertThat(Peer.byId("onnxruntime")).hasValue(Peer.ONNXRUNTIME);
  }

  @Test
  void onnxRuntimeRunsItsScriptOnTheExportedModelsWithTheProjectsMaven() {
    assertThat(Peer.ONNXRUNTIME.command(PEERS, List.of("lenet", "gpt"))).containsExactly("bash",
        "/p/benchmarks/target/peers/onnxruntime/run.sh", "--dir", "/p/benchmarks/target/peers/onnxruntime/models",
        "lenet", "gpt").inOrder();
    var env = Peer.ONNXRUNTIME.environment(Path.of("/p"), true);
    assertThat(env).containsEntry("THREADS", "1,2");
    assertThat(env).containsEntry("SECS", "0.5");
    assertThat(env.containsKey("MVN")).isEqualTo(System.getenv("MVN") == null);
    assertThat(Peer.ONNXRUNTIME.kind).isEqualTo(Peer.Kind.INFERENCE);
    assertThat(Peer.LIBTORCH.kind).isEqualTo(Peer.Kind.TRAINING);
  }
}
