package io.kiln.runtime.init;

import io.kiln.dsl.Init;
import java.util.Objects;

/**
 * Fills weights with the initial values an {@link Init} names, drawn from a seeded {@link Rng}.
 * Variances follow the project's reference notes: Xavier normal is {@code N(0, 1/n_in)} and He
 * normal {@code N(0, 2/n_in)}; the uniform variants are Glorot's and He's uniform limits (as in
 * Keras and {@code torch.nn.init}).
 */
public final class Initializers {
  private Initializers() {}

  /**
   * Writes {@code count} initial values into {@code dst[off .. off+count)}.
   *
   * @param kind the initialization; {@link Init#DEFAULT} must already be resolved by the caller
   *     (the annotation processor picks He or Xavier from the layer's activation)
   * @param fanIn inputs per output unit ({@code n_in}), e.g. {@code in_features} for a dense layer
   *     or {@code channels · kh · kw} for a convolution
   * @param fanOut outputs per input unit ({@code n_out}); only Xavier uniform uses it
   * @param rng the source of randomness; {@link Init#ZEROS} and {@link Init#ONES} draw nothing from it
   * @throws IllegalArgumentException for {@code DEFAULT}, a non-positive fan the kind needs, or a
   *     range outside {@code dst}
   */
  public static void fill(Init kind, float[] dst, int off, int count, int fanIn, int fanOut, Rng rng) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(dst, "dst");
    Objects.checkFromIndexSize(off, count, dst.length);
    switch (kind) {
      case DEFAULT -> throw new IllegalArgumentException(
          "resolve DEFAULT to a concrete Init (HE_NORMAL before ReLU, XAVIER_NORMAL otherwise) first");
      case ZEROS -> java.util.Arrays.fill(dst, off, off + count, 0f);
      case ONES -> java.util.Arrays.fill(dst, off, off + count, 1f);
      case XAVIER_NORMAL -> normal(dst, off, count, Math.sqrt(1.0 / positive("fanIn", fanIn, kind)), rng);
      case HE_NORMAL -> normal(dst, off, count, Math.sqrt(2.0 / positive("fanIn", fanIn, kind)), rng);
      case XAVIER_UNIFORM -> uniform(dst, off, count,
          Math.sqrt(6.0 / ((double) positive("fanIn", fanIn, kind) + positive("fanOut", fanOut, kind))), rng);
      case HE_UNIFORM -> uniform(dst, off, count, Math.sqrt(6.0 / positive("fanIn", fanIn, kind)), rng);
    }
  }

  private static int positive(String what, int fan, Init kind) {
    if (fan <= 0) {
      throw new IllegalArgumentException(kind + " needs a positive " + what + ", got " + fan);
    }
    return fan;
  }

  private static void normal(float[] dst, int off, int count, double std, Rng rng) {
    Objects.requireNonNull(rng, "rng");
    for (int i = 0; i < count; i++) {
      dst[off + i] = (float) (rng.nextGaussian() * std);
    }
  }

  private static void uniform(float[] dst, int off, int count, double limit, Rng rng) {
    Objects.requireNonNull(rng, "rng");
    for (int i = 0; i < count; i++) {
      dst[off + i] = (float) ((2.0 * rng.nextDouble() - 1.0) * limit);
    }
  }
}
