package io.kiln.bench;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.runtime.io.JsonObjects;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Markdown summary that goes into docs/benchmarks.md. */
class ReportTest {
  @Test
  void markdownRowNamesTheWinnersAndTheirSpeedups() {
    List<Measurement> m = new ArrayList<>();
    double[][] kiln2 = {{3.0, 1.0}, {3.5, 1.2}, {4.0, 1.1}};
    for (int r = 0; r < 3; r++) {
      m.add(new Measurement("kiln", "lenet", 1, r + 1, 5.0, 2.0));
      m.add(new Measurement("kiln", "lenet", 2, r + 1, kiln2[r][0], kiln2[r][1]));
      m.add(new Measurement("torch113", "lenet", 1, r + 1, 6.0 + r, 2.2));
      m.add(new Measurement("libtorch", "lenet", 2, r + 1, r == 0 ? 5.0 : 9.0, 2.4));
    }
    String md = Report.markdown(List.of("lenet"), m, 100);
    String row = md.lines().filter(l -> l.startsWith("| lenet")).findFirst().orElseThrow();
    // train: Kiln 2t 3.0 / 3.5; best peer by min libtorch 2t 5.0, by median torch113 1t 7.0
    assertThat(row).contains("| 3.00 / 3.50 (kiln 2t) |");
    assertThat(row).contains("| 5.00 (libtorch 2t) / 7.00 (torch113 1t) |");
    assertThat(row).contains("| 1.67 / 2.00 |");
    // forward: Kiln 2t 1.0 / 1.1, torch113 1t 2.2 / 2.2 -> 2.20 / 2.00
    assertThat(row).contains("| 1.00 / 1.10 (kiln 2t) | 2.20 / 2.20 (torch113 1t) | 2.20 / 2.00 |");
    // lenet's 144,890,880 FLOPs in 3.0 ms at a 100 GFLOP/s peak: 48 %; the best peer's 5.0 ms: 29 %
    assertThat(row).endsWith("| 48 % / 29 % |");
    assertThat(md.lines().count()).isEqualTo(3);
  }

  private static List<Measurement> withInference() {
    List<Measurement> m = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      m.add(new Measurement("kiln", "lenet", 1, r + 1, 5.0, 2.0, 1.5, 0.020 + r * 0.001, 0.05));
      m.add(new Measurement("kiln", "lenet", 2, r + 1, 3.0, 1.0, 1.0, 0.030, 0.06));
      m.add(new Measurement("torch113", "lenet", 1, r + 1, 6.0, 2.2));
      m.add(Measurement.inference("onnxruntime", "lenet", 1, r + 1, 1.2, 0.030, 0.09));
      m.add(Measurement.inference("onnxruntime", "lenet", 2, r + 1, 0.8, 0.040, 0.10));
    }
    return m;
  }

  @Test
  void inferenceMarkdownRowComparesKilnWithOnnxRuntime() {
    String md = Report.inferenceMarkdown(List.of("lenet"), withInference());
    String row = md.lines().filter(l -> l.startsWith("| lenet")).findFirst().orElseThrow();
    // batch: Kiln 2t 1.0, ORT 2t 0.8 -> 0.80; p50: Kiln 1t 0.020 / 0.021, ORT 1t 0.030 -> 1.50 / 1.43; p99 0.05 vs 0.09
    assertThat(row).isEqualTo("| lenet | 1.000 / 1.000 (kiln 2t) | 0.800 / 0.800 (onnxruntime 2t) | 0.80 / 0.80"
        + " | 0.020 / 0.021 (kiln 1t) | 0.030 / 0.030 (onnxruntime 1t) | 1.50 / 1.43"
        + " | 0.050 / 0.050 (kiln 1t) | 0.090 / 0.090 (onnxruntime 1t) | 1.80 / 1.80 |");
  }

  @Test
  void summaryLinesAreJsonAndAnInferenceSideHasNoTrainingKeys() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Report.print(List.of("lenet"), withInference(), 100, 3, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    for (String l : lines) {
      assertThat(JsonObjects.parseObject(l)).isPresent();
    }
    String ort = lines.stream().filter(l -> l.contains("\"side\": \"onnxruntime\", \"threads\": 2")).findFirst()
        .orElseThrow();
    assertThat(ort).doesNotContain("train");
    assertThat(JsonObjects.parseObject(ort).orElseThrow()).containsEntry("predict_one_p99_median_ms", 0.1);
    String model = lines.stream().filter(l -> l.contains("\"summary\": \"model\"")).findFirst().orElseThrow();
    assertThat(JsonObjects.parseObject(model).orElseThrow()).containsEntry("best_peer_one_p50_min", "onnxruntime");
    String table = err.toString(StandardCharsets.UTF_8);
    assertThat(table).contains("1 p50 min");
    assertThat(table).contains("inference speedup: predict at batch min 0.80×");
    assertThat(table).contains("| lenet | 1.000 / 1.000 (kiln 2t)"); // the inference table is printed
  }
}
