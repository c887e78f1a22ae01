package io.kiln.spark;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.spark.SparkTests.blobs;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.spark.SparkTests.Row;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.junit.jupiter.api.Test;

/** Scoring with one model per partition gives what the model gives locally, in the data's order. */
class BulkInferenceTest {
  private static final List<Row> DATA = blobs(301, 5); // not a multiple of the batch: the last batch is short

  private static List<Integer> classify(KilnTinyNet model, List<Row> batch) {
    List<Integer> out = new ArrayList<>();
    for (int c : model.classify(SparkTests.features(batch))) {
      out.add(c);
    }
    return out;
  }

  private static List<Integer> expected(KilnTinyNet model) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < DATA.size(); i += 32) {
      out.addAll(classify(model, DATA.subList(i, Math.min(DATA.size(), i + 32))));
    }
    return out;
  }

  @Test
  void scoresAnRddInOrderWithTheTrainedWeights() {
    KilnTinyNet trained = KilnTinyNet.create(42); // weights differ from the factory's (seed 0): they must be shipped
    JavaRDD<Integer> scored = BulkInference.score(SparkTests.rdd(DATA, 3), trained, () -> KilnTinyNet.create(0), 32,
        BulkInferenceTest::classify);
    assertThat(scored.collect()).containsExactlyElementsIn(expected(trained)).inOrder();
    assertThat(expected(trained)).isNotEqualTo(expected(KilnTinyNet.create(0)));
  }

  @Test
  void scoresADataset() {
    KilnTinyNet trained = KilnTinyNet.create(42);
    Dataset<Row> rows = SparkTests.spark().createDataset(DATA, Encoders.javaSerialization(Row.class)).repartition(2);
    List<Integer> scored = BulkInference.score(rows, trained, () -> KilnTinyNet.create(0), 7, BulkInferenceTest::classify, Encoders.INT())
        .collectAsList();
    assertThat(scored).hasSize(DATA.size());
    assertThat(scored.stream().mapToInt(Integer::intValue).sum()).isEqualTo(expected(trained).stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void aScorerThatDropsResultsFailsWithWhatItReturned() {
    JavaRDD<Integer> scored = BulkInference.score(SparkTests.rdd(DATA, 1), KilnTinyNet.create(1), () -> KilnTinyNet.create(0), 32,
        (model, batch) -> List.of(1));
    SparkException e = assertThrows(SparkException.class, scored::count);
    assertThat(e).hasMessageThat().contains("returned 1 results for a batch of 32 examples");
    assertThrows(IllegalArgumentException.class,
        () -> BulkInference.score(SparkTests.rdd(DATA, 1), KilnTinyNet.create(1), () -> KilnTinyNet.create(0), 0, BulkInferenceTest::classify));
  }
}
