package io.kiln.bench;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.bench.ModelBench.Options;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelBenchOptionsTest {
  @Test
  void defaultsAreAllModelsNoPeerThreeRounds() throws Exception {
    Options o = Options.parse(List.of());
    assertThat(o.models()).containsExactly("lenet", "cnn64", "charlstm", "seq2seq", "gpt").inOrder();
    assertThat(o.peers()).isEmpty();
    assertThat(o.rounds()).isEqualTo(3);
  }

  @Test
  void peerAloneMeansEveryPeerAndAModelAfterItStaysAModel() throws Exception {
    Options o = Options.parse(List.of("--peer", "gpt", "lenet"));
    assertThat(o.peers()).containsExactly(Peer.TORCH113, Peer.LIBTORCH, Peer.ONNXRUNTIME).inOrder();
    assertThat(o.models()).containsExactly("lenet", "gpt").inOrder(); // the registry's order
  }

  @Test
  void peerListSelects() throws Exception {
    assertThat(Options.parse(List.of("--peer", "libtorch")).peers()).containsExactly(Peer.LIBTORCH);
    assertThat(Options.parse(List.of("--peer", "onnxruntime,torch113")).peers())
        .containsExactly(Peer.ONNXRUNTIME, Peer.TORCH113).inOrder();
    assertThat(Options.parse(List.of("--peer", "libtorch,torch113", "--rounds", "5", "--only", "cnn64,gpt")))
        .isEqualTo(new Options(List.of("cnn64", "gpt"), List.of(Peer.LIBTORCH, Peer.TORCH113), 5, false));
  }

  @Test
  void badInputIsOneClearFailure() {
    assertThat(assertThrows(BenchFailure.class, () -> Options.parse(List.of("--rounds", "0"))))
        .hasMessageThat().contains("--rounds needs a positive whole number, got 0");
    assertThat(assertThrows(BenchFailure.class, () -> Options.parse(List.of("--rounds"))))
        .hasMessageThat().contains("got null");
    assertThat(assertThrows(BenchFailure.class, () -> Options.parse(List.of("resnet"))))
        .hasMessageThat().contains("unknown model 'resnet'; known: lenet, cnn64, charlstm, seq2seq, gpt");
    assertThat(assertThrows(BenchFailure.class, () -> Options.parse(List.of("--fast"))))
        .hasMessageThat().contains("unknown option --fast");
  }
}
