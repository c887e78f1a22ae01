package io.kiln.bench;

import io.kiln.bench.InferenceCase.Input;
import io.kiln.runtime.init.Rng;
import io.kiln.runtime.train.Sgd;
import io.kiln.samples.charlstm.KilnCharLstm;
import io.kiln.samples.cnn64.KilnCnn64;
import io.kiln.samples.gpt.KilnTinyGpt;
import io.kiln.samples.lenet.KilnLeNet;
import io.kiln.samples.seq2seq.KilnSeq2Seq;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The registry {@code ./bench models} runs: torch_bench.py's cases, each with the same shapes,
 * batch, data distribution (Gaussian inputs, uniform labels) and plain SGD at lr 0.01. A model is
 * created once per thread count.
 */
public final class ReferenceModels {
  private ReferenceModels() {}

  /** Factories of the reference models by name, in torch_bench.py's order (lenet, cnn64, charlstm, seq2seq, gpt). */
  public static final Map<String, Supplier<ReferenceModel>> BY_NAME = byName();

  /** {@link #BY_NAME}'s factories, in the same order. */
  public static final List<Supplier<ReferenceModel>> ALL = List.copyOf(BY_NAME.values());

  private static Map<String, Supplier<ReferenceModel>> byName() {
    Map<String, Supplier<ReferenceModel>> m = new LinkedHashMap<>();
    m.put("lenet", ReferenceModels::lenet);
    m.put("cnn64", ReferenceModels::cnn64);
    m.put("charlstm", ReferenceModels::charlstm);
    m.put("seq2seq", ReferenceModels::seq2seq);
    m.put("gpt", ReferenceModels::gpt);
    return Collections.unmodifiableMap(m);
  }

  /** Batch 64 of 1×28×28 images, 10 classes. */
  static ReferenceModel lenet() {
    KilnLeNet model = KilnLeNet.create(0);
    Sgd sgd = new Sgd(0.01f);
    Rng rng = new Rng(0);
    float[] x = gaussian(rng, 64 * 28 * 28);
    int[] y = uniform(rng, 64, 10);
    return of("lenet", 64, KilnLeNet.PARAMETER_COUNT, lenetFlops(), () -> model.trainStep(x, y, sgd), () -> model.loss(x, y),
        new InferenceCase(List.of(Input.floats("image", x, 64, 1, 28, 28)), in -> model.predict(in.get(0).floats()),
            model::exportOnnx));
  }

  /** Batch 64 of 3×64×64 images, 0/1 targets. */
  static ReferenceModel cnn64() {
    KilnCnn64 model = KilnCnn64.create(0);
    Sgd sgd = new Sgd(0.01f);
    Rng rng = new Rng(0);
    float[] x = gaussian(rng, 64 * 3 * 64 * 64);
    float[] y = new float[64];
    for (int i = 0; i < y.length; i++) {
      y[i] = rng.nextInt(2);
    }
    return of("cnn64", 64, KilnCnn64.PARAMETER_COUNT, cnn64Flops(), () -> model.trainStep(x, y, sgd), () -> model.loss(x, y),
        new InferenceCase(List.of(Input.floats("image", x, 64, 3, 64, 64)), in -> model.predict(in.get(0).floats()),
            model::exportOnnx));
  }

  /** Batch 32 × 64 characters of 96, next-character labels. */
  static ReferenceModel charlstm() {
    KilnCharLstm model = KilnCharLstm.create(0);
    Sgd sgd = new Sgd(0.01f);
    Rng rng = new Rng(0);
    int[] x = uniform(rng, 32 * 64, 96);
    int[] y = uniform(rng, 32 * 64, 96);
    return of("charlstm", 32, KilnCharLstm.PARAMETER_COUNT, charlstmFlops(), () -> model.trainStep(x, 64, y, sgd),
        () -> model.loss(x, 64, y), new InferenceCase(List.of(Input.ints("text", x, 32, 64)),
            in -> model.predict(in.get(0).ints(), 64), model::exportOnnx));
  }

  /**
   * Batch 32 × 24 steps: source, decoder input and labels uniform over the 32 tokens. The sample's
   * model leaves label 0 (padding) out of the loss, which torch_bench's does not: about 1/32 of
   * the positions, the same work either way. Source and target share one embedding, as in
   * torch_bench's Seq2SeqAttn.
   */
  static ReferenceModel seq2seq() {
    KilnSeq2Seq model = KilnSeq2Seq.create(0);
    Sgd sgd = new Sgd(0.01f);
    Rng rng = new Rng(0);
    int[] s = uniform(rng, 32 * 24, 32);
    int[] t = uniform(rng, 32 * 24, 32);
    int[] y = uniform(rng, 32 * 24, 32);
    return of("seq2seq", 32, KilnSeq2Seq.PARAMETER_COUNT, seq2seqFlops(), () -> model.trainStep(s, t, 24, y, sgd),
        () -> model.loss(s, t, 24, y), new InferenceCase(List.of(Input.ints("source", s, 32, 24),
            Input.ints("target", t, 32, 24)), in -> model.predict(in.get(0).ints(), in.get(1).ints(), 24),
            model::exportOnnx),
        "label 0 (padding) is left out of Kiln's loss (about 1/32 of the positions), not of torch_bench's");
  }

  /** Batch 32 × 64 characters of 96, next-character labels; two pre-norm causal Transformer layers. */
  static ReferenceModel gpt() {
    KilnTinyGpt model = KilnTinyGpt.create(0);
    Sgd sgd = new Sgd(0.01f);
    Rng rng = new Rng(0);
    int[] x = uniform(rng, 32 * 64, 96);
    int[] y = uniform(rng, 32 * 64, 96);
    return of("gpt", 32, KilnTinyGpt.PARAMETER_COUNT, gptFlops(), () -> model.trainStep(x, 64, y, sgd),
        () -> model.loss(x, 64, y), new InferenceCase(List.of(Input.ints("text", x, 32, 64)),
            in -> model.predict(in.get(0).ints(), 64), model::exportOnnx));
  }

  // The dense products of each model, layer by layer (shapes as in the samples and torch_bench.py).

  /** 28×28 → conv 6@5×5 SAME → pool → conv 16@5×5 VALID (10×10) → pool → 400 → 120 → 84 → 10. */
  static ModelFlops lenetFlops() {
    return ModelFlops.of(
        ModelFlops.conv("c1", 64, 1, 5, 6, 28, 28, false),
        ModelFlops.conv("c2", 64, 6, 5, 16, 10, 10, true),
        ModelFlops.dense("f1", 64, 400, 120),
        ModelFlops.dense("f2", 64, 120, 84),
        ModelFlops.dense("logits", 64, 84, 10));
  }

  /** 3×64×64 → conv 32@3×3 VALID (62×62) → pool (31) → conv 64@3×3 VALID (29×29) → pool (14) → 12544 → 1. */
  static ModelFlops cnn64Flops() {
    return ModelFlops.of(
        ModelFlops.conv("c1", 64, 3, 3, 32, 62, 62, false),
        ModelFlops.conv("c2", 64, 32, 3, 64, 29, 29, true),
        ModelFlops.dense("logit", 64, 64 * 14 * 14, 1));
  }

  /** 32 × 64 tokens: embedding 64 → LSTM 256 → dense 96 at every step. */
  static ModelFlops charlstmFlops() {
    return ModelFlops.of(
        ModelFlops.lstm("l", 32 * 64, 64, 256),
        ModelFlops.dense("o", 32 * 64, 256, 96));
  }

  /**
   * 32 × 24 tokens: embedding 32 → encoder and decoder LSTM 128, attention of the decoder over the
   * encoder, dense 32 over [d; context].
   */
  static ModelFlops seq2seqFlops() {
    return ModelFlops.of(
        ModelFlops.lstm("enc", 32 * 24, 32, 128),
        ModelFlops.lstm("dec", 32 * 24, 32, 128),
        ModelFlops.attention("context", 32, 24, 24, 128),
        ModelFlops.dense("o", 32 * 24, 2 * 128, 32));
  }

  /**
   * 32 × 64 tokens, d = 128: two pre-norm layers (in-projection to Q, K, V, causal attention,
   * out-projection, 512-wide ReLU MLP), dense 96.
   */
  static ModelFlops gptFlops() {
    List<ModelFlops.Product> products = new ArrayList<>();
    int rows = 32 * 64;
    for (int layer = 0; layer < 2; layer++) {
      String b = "b." + layer + ".";
      products.add(ModelFlops.dense(b + "self_attn.in_proj", rows, 128, 3 * 128));
      products.add(ModelFlops.causalAttention(b + "self_attn", 32, 64, 128));
      products.add(ModelFlops.dense(b + "self_attn.out_proj", rows, 128, 128));
      products.add(ModelFlops.dense(b + "linear1", rows, 128, 512));
      products.add(ModelFlops.dense(b + "linear2", rows, 512, 128));
    }
    products.add(ModelFlops.dense("o", rows, 128, 96));
    return new ModelFlops(products);
  }

  private static float[] gaussian(Rng rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rng.nextGaussian();
    }
    return a;
  }

  private static int[] uniform(Rng rng, int n, int bound) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = rng.nextInt(bound);
    }
    return a;
  }

  private static ReferenceModel of(String name, int batch, long params, ModelFlops flops, Runnable trainStep,
      Runnable forward, InferenceCase inference) {
    return of(name, batch, params, flops, trainStep, forward, inference, "");
  }

  private static ReferenceModel of(String name, int batch, long params, ModelFlops flops, Runnable trainStep,
      Runnable forward, InferenceCase inference, String note) {
    return new ReferenceModel() {
      @Override
      public InferenceCase inference() {
        return inference;
      }

      @Override
      public ModelFlops flops() {
        return flops;
      }

      @Override
      public String note() {
        return note;
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public int batch() {
        return batch;
      }

      @Override
      public long params() {
        return params;
      }

      @Override
      public void trainStep() {
        trainStep.run();
      }

      @Override
      public void forward() {
        forward.run();
      }
    };
  }
}
