package io.kiln.samples.gpt;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.samples.text.TextCorpus;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptSampleTest {
  @TempDir Path out;

  @Test
  void aShortRunOnTheDefaultCorpusLearnsJava() throws Exception {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    String corpus = TextCorpus.defaultText(quiet);
    GptSample.Result r = GptSample.train(corpus, 2, 60, 1e-3f, 0.8f, 1, out, quiet);
    System.out.println("gpt, 120 steps: held-out perplexity " + r.perplexity() + ", train loss " + r.trainLoss()
        + " after " + r.seconds() + " s, sample:\n" + r.sample());
    // a uniform guess over 96 characters has perplexity 96 (loss 4.56); unigram frequencies alone give about 25
    // (measured on the shipped corpus: perplexity 14.7 then 12.3, training loss 2.89 then 2.48; same bits on any
    // thread count and with the scalar kernels)
    assertThat(r.perplexity().get(1)).isLessThan(15.0);
    assertThat(r.trainLoss().get(1)).isLessThan(2.7);
    assertThat(r.trainLoss().get(1)).isLessThan(r.trainLoss().get(0));
    assertThat(r.sample()).startsWith("public final class ");
  }
}
