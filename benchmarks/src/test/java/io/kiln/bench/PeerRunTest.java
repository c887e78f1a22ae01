package io.kiln.bench;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A peer run end to end, with small shell scripts standing in for the peers. */
class PeerRunTest {
  private static final String OPENBLAS = "{\"peer\": \"fake\", \"blas_libs\": [\"/usr/lib/openblas-pthread/libopenblasp-r0.3.21.so\"]}";
  private static final String REFERENCE = "{\"peer\": \"fake\", \"blas_libs\": [\"/usr/lib/x86_64-linux-gnu/blas/libblas.so.3\"],"
      + " \"reference_blas\": true}";

  @TempDir
  Path dir;

  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

  private List<Measurement> runPeerPrinting(String... lines) throws Exception {
    return runPeer(0, lines);
  }

  private List<Measurement> runPeer(int exitStatus, String... lines) throws Exception {
    return runPeer(Peer.Kind.TRAINING, exitStatus, lines);
  }

  private List<Measurement> runPeer(Peer.Kind kind, int exitStatus, String... lines) throws Exception {
    StringBuilder script = new StringBuilder();
    for (String l : lines) {
      script.append("printf '%s\\n' '").append(l).append("'\n");
    }
    script.append("echo 'some progress' >&2\nexit ").append(exitStatus).append('\n');
    Path sh = dir.resolve("peer.sh");
    Files.writeString(sh, script.toString());
    PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
    return PeerRun.run("fake", kind, new ProcessBuilder("bash", sh.toString()), List.of("lenet"), new int[] {1, 2}, 1,
        out);
  }

  private static String timed(int threads, double train) {
    return "{\"model\": \"lenet\", \"threads\": " + threads + ", \"train_step_ms\": " + train + ", \"forward_ms\": 1.5}";
  }

  @Test
  void aGoodPeerGivesItsMeasurementsAndTaggedLines() throws Exception {
    List<Measurement> m = runPeerPrinting(OPENBLAS, timed(1, 5.5), timed(2, 3.25));
    assertThat(m).containsExactly(new Measurement("fake", "lenet", 1, 1, 5.5, 1.5),
        new Measurement("fake", "lenet", 2, 1, 3.25, 1.5)).inOrder();
    String printed = stdout.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("{\"side\": \"fake\", \"round\": 1, \"peer\": \"fake\"");
    assertThat(printed).contains("{\"side\": \"fake\", \"round\": 1, \"model\": \"lenet\", \"threads\": 2");
  }

  @Test
  void aReferenceBlasIsRefusedBeforeAnyMeasurementIsTaken() {
    BenchFailure f = assertThrows(BenchFailure.class, () -> runPeerPrinting(REFERENCE, timed(1, 5), timed(2, 3)));
    assertThat(f).hasMessageThat().contains("peer fake runs on the reference (netlib) BLAS");
    assertThat(stdout.toString(StandardCharsets.UTF_8)).doesNotContain("\"model\"");
  }

  @Test
  void aMeasurementWithoutAConfigurationLineIsRefused() {
    BenchFailure f = assertThrows(BenchFailure.class, () -> runPeerPrinting(timed(1, 5)));
    assertThat(f).hasMessageThat().contains("before its BLAS configuration line");
  }

  @Test
  void aFailingPeerSaysWhyWithItsLastStderrLines() {
    BenchFailure f = assertThrows(BenchFailure.class, () -> runPeer(3, OPENBLAS));
    assertThat(f).hasMessageThat().contains("peer fake exited with status 3");
    assertThat(f).hasMessageThat().contains("some progress");
  }

  @Test
  void aMissingThreadCountIsAFailure() {
    BenchFailure f = assertThrows(BenchFailure.class, () -> runPeerPrinting(OPENBLAS, timed(1, 5)));
    assertThat(f).hasMessageThat().contains("no measurement of lenet at 2 thread(s)");
  }

  @Test
  void aPeerThatCannotStartIsNamed() {
    BenchFailure f = assertThrows(BenchFailure.class, () -> PeerRun.run("ghost", Peer.Kind.TRAINING,
        new ProcessBuilder(dir.resolve("no-such-program").toString()), List.of("lenet"), new int[] {1}, 0,
        new PrintStream(stdout, true, StandardCharsets.UTF_8)));
    assertThat(f).hasMessageThat().contains("peer ghost could not start");
  }

  private static final String ORT_CONFIG = "{\"peer\": \"onnxruntime-1.22.0\", \"graph_optimization\": \"ALL_OPT\"}";

  private static String inferred(int threads, double diff) {
    return "{\"model\": \"lenet\", \"threads\": " + threads + ", \"predict_batch_ms\": 0.7,"
        + " \"predict_one_p50_ms\": 0.025, \"predict_one_p99_ms\": 0.05, \"max_abs_diff\": " + diff + "}";
  }

  @Test
  void anInferencePeerNeedsNoBlasAndGivesInferenceMeasurements() throws Exception {
    List<Measurement> m = runPeer(Peer.Kind.INFERENCE, 0, ORT_CONFIG, inferred(1, 2e-8), inferred(2, 2e-8));
    assertThat(m).containsExactly(Measurement.inference("fake", "lenet", 1, 1, 0.7, 0.025, 0.05),
        Measurement.inference("fake", "lenet", 2, 1, 0.7, 0.025, 0.05)).inOrder();
    assertThat(stdout.toString(StandardCharsets.UTF_8))
        .contains("{\"side\": \"fake\", \"round\": 1, \"model\": \"lenet\", \"threads\": 2, \"predict_batch_ms\"");
  }

  @Test
  void anInferencePeerWhoseOutputsAreNotKilnsIsRefused() {
    BenchFailure f = assertThrows(BenchFailure.class,
        () -> runPeer(Peer.Kind.INFERENCE, 0, ORT_CONFIG, inferred(1, 0.02), inferred(2, 0.02)));
    assertThat(f).hasMessageThat().contains("lenet's outputs differ from Kiln's predict by up to 0.02");
  }

  @Test
  void anInferencePeerMustMeasureInferenceAtEveryThreadCount() {
    BenchFailure f = assertThrows(BenchFailure.class,
        () -> runPeer(Peer.Kind.INFERENCE, 0, ORT_CONFIG, inferred(1, 0), timed(2, 3)));
    assertThat(f).hasMessageThat().contains("no measurement of lenet at 2 thread(s)");
    BenchFailure early = assertThrows(BenchFailure.class, () -> runPeer(Peer.Kind.INFERENCE, 0, inferred(1, 0)));
    assertThat(early).hasMessageThat().contains("printed a measurement before its configuration line");
  }

  @Test
  void copyingAPeerLeavesItsBuildFolderOut() throws Exception {
    Path src = Files.createDirectories(dir.resolve("onnxruntime/src"));
    Files.writeString(src.resolve("A.java"), "class A {}");
    Files.createDirectories(dir.resolve("onnxruntime/target/classes"));
    Files.writeString(dir.resolve("onnxruntime/target/classes/A.class"), "x");
    Path dest = dir.resolve("staged/onnxruntime");
    PeerRun.copy(dir.resolve("onnxruntime"), dest);
    assertThat(Files.readString(dest.resolve("src/A.java"))).isEqualTo("class A {}");
    assertThat(Files.exists(dest.resolve("target"))).isFalse();
  }

  @Test
  void stagingCopiesThePeersAndRefusesAMissingFolder() throws Exception {
    Path shared = Files.createDirectories(dir.resolve("shared/peers/libtorch"));
    Files.writeString(shared.resolveSibling("torch_bench.py"), "print(1)");
    Files.writeString(shared.resolve("run.sh"), "echo");
    Path dest = dir.resolve("staged");
    PeerRun.stage(shared.getParent(), dest);
    assertThat(Files.readString(dest.resolve("torch_bench.py"))).isEqualTo("print(1)");
    assertThat(Files.readString(dest.resolve("libtorch/run.sh"))).isEqualTo("echo");
    BenchFailure f = assertThrows(BenchFailure.class, () -> PeerRun.stage(dir.resolve("nowhere"), dest));
    assertThat(f).hasMessageThat().contains("the peers are not at");
  }
}
