package io.kiln.bench;

import static com.google.common.truth.Truth.assertThat;

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
}
