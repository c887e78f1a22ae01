package io.kiln.bench;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.runtime.io.JsonObjects;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the peers' stdout lines. */
class PeerLineTest {
  @Test
  void torchBenchMeasurementLine() {
    PeerLine l = PeerLine.parse("torch113", 2, "{\"model\": \"gpt\", \"threads\": 2, \"batch\": 32,"
        + " \"train_step_ms\": 72.5, \"forward_ms\": 24.75, \"params\": 412000}");
    assertThat(l).isEqualTo(new PeerLine.Timed(new Measurement("torch113", "gpt", 2, 2, 72.5, 24.75)));
  }

  @Test
  void libtorchMeasurementLineWithExtraKeys() {
    PeerLine l = PeerLine.parse("libtorch", 0, "{\"model\": \"lenet\", \"threads\": 1, \"batch\": 64,"
        + " \"train_step_ms\": 6, \"forward_ms\": 2.9, \"params\": 61706, \"peer\": \"libtorch-2.7.1\", \"mode\": \"djl\","
        + " \"train_step_median_ms\": 6.1, \"cpu_per_wall_train\": 0.99}");
    assertThat(l).isEqualTo(new PeerLine.Timed(new Measurement("libtorch", "lenet", 1, 0, 6.0, 2.9)));
  }

  @Test
  void configurationLineIsRecognisedAndChecked() {
    PeerLine l = PeerLine.parse("torch113", 0, "{\"peer\": \"torch-1.13.0a0\", \"blas_libs\":"
        + " [\"/usr/lib/x86_64-linux-gnu/blas/libblas.so.3\"], \"reference_blas\": true}");
    assertThat(l).isInstanceOf(PeerLine.Config.class);
    assertThat(((PeerLine.Config) l).blas().verdict()).isEqualTo(BlasCheck.Verdict.REFERENCE);
  }

  @Test
  void onnxRuntimeInferenceLine() {
    PeerLine l = PeerLine.parse("onnxruntime", 3, "{\"model\": \"charlstm\", \"threads\": 2, \"batch\": 32,"
        + " \"predict_batch_ms\": 9.3953, \"predict_one_p50_ms\": 0.5052, \"predict_one_p99_ms\": 0.7146,"
        + " \"one_calls\": 1000, \"max_abs_diff\": 3.73e-09, \"peer\": \"onnxruntime-1.22.0\"}");
    assertThat(l).isEqualTo(new PeerLine.Inferred(
        Measurement.inference("onnxruntime", "charlstm", 2, 3, 9.3953, 0.5052, 0.7146), 3.73e-9));
    Measurement m = ((PeerLine.Inferred) l).measurement();
    assertThat(m.hasInference()).isTrue();
    assertThat(m.hasTraining()).isFalse();
  }

  @Test
  void anInferenceLineWithoutItsOutputCheckIsNotAMeasurement() {
    assertThat(PeerLine.parse("onnxruntime", 1, "{\"model\": \"lenet\", \"threads\": 1,"
        + " \"predict_batch_ms\": 1, \"predict_one_p50_ms\": 0.02, \"predict_one_p99_ms\": 0.05}"))
        .isInstanceOf(PeerLine.Other.class);
  }

  @Test
  void otherLinesArePassedOn() {
    assertThat(PeerLine.parse("libtorch", 0, "== build (offline) with ./mvnw")).isInstanceOf(PeerLine.Other.class);
    assertThat(PeerLine.parse("libtorch", 0, "{\"model\": \"lenet\", \"file\": \"target/models/lenet.pt\"}"))
        .isInstanceOf(PeerLine.Other.class); // the export's line: no times
    assertThat(PeerLine.parse("x", 0, "{\"model\": \"lenet\", \"threads\": 1, \"train_step_ms\": \"fast\","
        + " \"forward_ms\": 1}")).isInstanceOf(PeerLine.Other.class);
  }

  @Test
  void taggedLineIsJsonWithSideAndRoundFirst() {
    String t = PeerLine.tagged("libtorch", 1, "{\"model\": \"gpt\", \"threads\": 2}");
    assertThat(t).startsWith("{\"side\": \"libtorch\", \"round\": 1, \"model\"");
    Map<String, Object> f = JsonObjects.parseObject(t).orElseThrow();
    assertThat(f).containsEntry("side", "libtorch");
    assertThat(f).containsEntry("round", 1L);
    assertThat(f).containsEntry("threads", 2L);
    assertThat(JsonObjects.parseObject(PeerLine.tagged("kiln", 0, "{}"))).isPresent();
  }
}
