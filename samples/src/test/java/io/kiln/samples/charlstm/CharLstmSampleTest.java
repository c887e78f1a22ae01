package io.kiln.samples.charlstm;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.samples.text.TextCorpus;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharLstmSampleTest {
  @TempDir Path out;

  @Test
  void aShortRunOnTheDefaultCorpusLearnsJava() throws Exception {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    String corpus = TextCorpus.defaultText(quiet);
    CharLstmSample.Result r = CharLstmSample.train(corpus, 2, 90, 2e-3f, 0.8f, 1, out, quiet);
    System.out.println("charlstm, 180 steps: held-out perplexity " + r.perplexity() + ", sample:\n" + r.sample());
    // a uniform guess over 96 characters has perplexity 96; unigram frequencies alone give about 25
    assertThat(r.perplexity().get(1)).isLessThan(10.5);
    assertThat(r.sample()).startsWith("public final class ");
  }
}
