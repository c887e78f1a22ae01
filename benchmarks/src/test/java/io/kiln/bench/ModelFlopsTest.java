package io.kiln.bench;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/** The analytic FLOPs of the reference models against counts done by hand from their shapes. */
class ModelFlopsTest {
  @Test
  void lenetMatchesAHandCount() {
    // multiply-adds per sample: c1 28·28·6·(1·5·5) = 117,600; c2 10·10·16·(6·5·5) = 240,000;
    // f1 400·120 = 48,000; f2 120·84 = 10,080; logits 84·10 = 840; total 416,520
    long perSample = 117_600 + 240_000 + 48_000 + 10_080 + 840;
    assertThat(perSample).isEqualTo(416_520);
    ModelFlops f = ReferenceModels.lenetFlops();
    assertThat(f.forward()).isEqualTo(2 * 64 * perSample); // 53,314,560
    // backward: every weight gradient (1×), every input gradient except c1's (its input is the image)
    long train = 3 * perSample - 117_600; // 1,131,960
    assertThat(f.trainStep()).isEqualTo(2 * 64 * train);
    assertThat(f.trainStep()).isEqualTo(144_890_880L);
  }

  @Test
  void cnn64MatchesAHandCount() {
    // c1 62·62·32·(3·3·3) = 3,321,216; c2 29·29·64·(32·3·3) = 15,501,312; logit 64·14·14 = 12,544
    long c1 = 3_321_216;
    long perSample = c1 + 15_501_312 + 12_544;
    ModelFlops f = ReferenceModels.cnn64Flops();
    assertThat(f.forward()).isEqualTo(2 * 64 * perSample);
    assertThat(f.trainStep()).isEqualTo(2 * 64 * (3 * perSample - c1));
    assertThat(f.trainStep()).isEqualTo(6_807_552_000L);
  }

  @Test
  void charlstmMatchesAHandCount() {
    // per token: gates [x(64); h(256)]·W(320×1024) = 327,680; output 256·96 = 24,576; 32·64 = 2048 tokens.
    // The embedding is trained, so the LSTM's input gradient is needed too: train = 3 × forward.
    long perToken = 320L * 1024 + 256 * 96;
    assertThat(perToken).isEqualTo(352_256);
    ModelFlops f = ReferenceModels.charlstmFlops();
    assertThat(f.forward()).isEqualTo(2 * 2048 * perToken); // 1,442,840,576
    assertThat(f.trainStep()).isEqualTo(3 * 2 * 2048 * perToken);
    assertThat(f.trainStep()).isEqualTo(4_328_521_728L);
  }

  @Test
  void seq2seqMatchesAHandCount() {
    // per sequence (T = 24): encoder and decoder 24·(32 + 128)·512 each = 1,966,080 each;
    // attention scores 24·24·128 = 73,728 and mix 73,728; output 24·256·32 = 196,608
    long perSequence = 2 * 1_966_080 + 2 * 73_728 + 196_608;
    assertThat(perSequence).isEqualTo(4_276_224);
    ModelFlops f = ReferenceModels.seq2seqFlops();
    assertThat(f.forward()).isEqualTo(2 * 32 * perSequence); // 273,678,336
    assertThat(f.trainStep()).isEqualTo(3 * 2 * 32 * perSequence);
  }

  @Test
  void gptCountsOnlyTheUnmaskedHalfOfCausalAttention() {
    // per token and layer: in_proj 128·384 + out_proj 128·128 + 128·512 + 512·128 = 196,608; 2 layers;
    // output 128·96 = 12,288. Attention per sequence and layer: scores and mix over 64·65/2 = 2080
    // (query, key) pairs of width 128 = 2 · 266,240.
    long tokens = 32 * 64;
    long dense = tokens * (2 * 196_608 + 12_288);
    long attention = 32L * 2 * 2 * 2080 * 128;
    ModelFlops f = ReferenceModels.gptFlops();
    assertThat(f.forward()).isEqualTo(2 * (dense + attention)); // 1,729,101,824
    assertThat(f.trainStep()).isEqualTo(3 * 2 * (dense + attention));
  }

  @Test
  void theRegistrysModelsCarryTheseCounts() {
    assertThat(ReferenceModels.BY_NAME.get("lenet").get().flops()).isEqualTo(ReferenceModels.lenetFlops());
    assertThat(ReferenceModels.BY_NAME.get("cnn64").get().flops()).isEqualTo(ReferenceModels.cnn64Flops());
    assertThat(ReferenceModels.BY_NAME.get("charlstm").get().flops()).isEqualTo(ReferenceModels.charlstmFlops());
    assertThat(ReferenceModels.BY_NAME.get("seq2seq").get().flops()).isEqualTo(ReferenceModels.seq2seqFlops());
    assertThat(ReferenceModels.BY_NAME.get("gpt").get().flops()).isEqualTo(ReferenceModels.gptFlops());
  }
}
