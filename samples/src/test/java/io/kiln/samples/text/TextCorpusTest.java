package io.kiln.samples.text;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.init.Rng;
import org.junit.jupiter.api.Test;

class TextCorpusTest {
  @Test
  void encodingRoundTripsPrintableAscii() {
    for (char c = ' '; c <= '~'; c++) {
      assertThat(TextCorpus.decode(TextCorpus.encode(c))).isEqualTo(c);
    }
    assertThat(TextCorpus.decode(TextCorpus.encode('\n'))).isEqualTo('\n');
    assertThat(TextCorpus.encode('é')).isEqualTo(TextCorpus.encode(' '));
    assertThrows(IllegalArgumentException.class, () -> TextCorpus.decode(TextCorpus.VOCAB));
  }

  @Test
  void samplingFollowsTheLogitsAndSeesOnlyTheWindow() {
    // a "model" that puts all its mass on the character after the last one it is shown
    int[] seenSteps = new int[1];
    TextCorpus.LanguageModel next = (ids, steps) -> {
      seenSteps[0] = Math.max(seenSteps[0], steps);
      float[] logits = new float[steps * TextCorpus.VOCAB];
      int last = ids[steps - 1];
      logits[(steps - 1) * TextCorpus.VOCAB + (last + 1) % TextCorpus.VOCAB] = 100f;
      return logits;
    };
    assertThat(TextCorpus.sample(next, 4, "a", 5, 0.8f, new Rng(1))).isEqualTo("abcdef");
    assertThat(seenSteps[0]).isEqualTo(4);
    assertThrows(IllegalArgumentException.class, () -> TextCorpus.sample(next, 4, "a", 1, 0f, new Rng(1)));
  }
}
