package io.kiln.tests.recurrent;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.samples.gpt.KilnTinyGpt;
import io.kiln.samples.seq2seq.KilnSeq2Seq;
import io.kiln.tests.models.KilnTinyDecoder;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * greedyDecode against its definition, computed here with forward() alone: positions before
 * {@code given} are taken from the caller, the input at t ≥ given is the argmax of the output at
 * t − 1, and the result is the argmax of every output of the final pass.
 */
class GreedyDecodeTest {

  @Test
  void aLanguageModelFeedsEachPredictionBack() {
    KilnTinyDecoder model = KilnTinyDecoder.create(3);
    int batch = 3;
    int steps = 7;
    int[] text = {1, 2, 0, 0, 0, 0, 0, 4, 4, 3, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0};
    for (int given = 1; given <= steps; given++) {
      int[] expected = reference(text, batch, steps, given, 5, in -> model.forward(in, steps).toArray());
      assertThat(model.greedyDecode(text.clone(), steps, given)).isEqualTo(expected);
    }
  }

  @Test
  void tokensFromGivenOnAreNotRead() {
    KilnTinyDecoder model = KilnTinyDecoder.create(4);
    int[] a = {3, 1, 0, 0, 0};
    int[] b = {3, 1, 4, 2, 4};
    assertThat(model.greedyDecode(a, 5, 2)).isEqualTo(model.greedyDecode(b, 5, 2));
    // and with everything given, nothing is fed back: the argmax of forward() on the input itself
    assertThat(model.greedyDecode(b.clone(), 5, 5)).isEqualTo(argmax(model.forward(b, 5).toArray(), 5));
  }

  @Test
  void theDecoderInputOfSeq2SeqIsFedBackNotTheSource() {
    KilnSeq2Seq model = KilnSeq2Seq.create(5);
    int batch = 2;
    int steps = 9;
    int[] source = new int[batch * steps];
    for (int i = 0; i < source.length; i++) {
      source[i] = 3 + (i * 7) % 29;
    }
    int[] target = new int[batch * steps];
    target[0] = 1;
    target[steps] = 1;
    int[] expected = reference(target, batch, steps, 1, 32, in -> model.forward(source, in, steps).toArray());
    int[] sourceCopy = source.clone();
    assertThat(model.greedyDecode(source, target.clone(), steps, 1)).isEqualTo(expected);
    assertThat(source).isEqualTo(sourceCopy);
  }

  @Test
  void theGptDecodesItsText() {
    KilnTinyGpt model = KilnTinyGpt.create(6);
    int steps = 6;
    int[] text = {40, 66, 0, 0, 0, 0};
    int[] expected = reference(text, 1, steps, 2, 96, in -> model.forward(in, steps).toArray());
    assertThat(model.greedyDecode(text.clone(), steps, 2)).isEqualTo(expected);
  }

  /** greedyDecode by its definition, with {@code forward} mapping a decoded input to logits [batch, steps, vocab]. */
  static int[] reference(int[] input, int batch, int steps, int given, int vocab, Function<int[], float[]> forward) {
    int[] in = input.clone();
    for (int t = given; t < steps; t++) {
      int[] p = argmax(forward.apply(in), vocab);
      for (int b = 0; b < batch; b++) {
        in[b * steps + t] = p[b * steps + t - 1];
      }
    }
    return argmax(forward.apply(in), vocab);
  }

  static int[] argmax(float[] logits, int vocab) {
    int[] p = new int[logits.length / vocab];
    for (int r = 0; r < p.length; r++) {
      int best = 0;
      for (int c = 1; c < vocab; c++) {
        if (logits[r * vocab + c] > logits[r * vocab + best]) {
          best = c;
        }
      }
      p[r] = best;
    }
    return p;
  }

  @Test
  void referenceIsItselfSane() {
    // a "model" whose output at t is one-hot at (input[t] + 1) % 4: decoding from 2 counts upwards
    Function<int[], float[]> plusOne = in -> {
      float[] out = new float[in.length * 4];
      for (int i = 0; i < in.length; i++) {
        out[i * 4 + (in[i] + 1) % 4] = 1f;
      }
      return out;
    };
    assertThat(reference(new int[] {2, 0, 0, 0}, 1, 4, 1, 4, plusOne)).isEqualTo(new int[] {3, 0, 1, 2});
    assertThat(Arrays.toString(reference(new int[] {2, 2, 0, 0}, 1, 4, 2, 4, plusOne))).isEqualTo("[3, 3, 0, 1]");
  }
}
