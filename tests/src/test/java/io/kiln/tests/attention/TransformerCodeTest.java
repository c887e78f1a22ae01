package io.kiln.tests.attention;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.kiln.processor.KilnProcessor;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * What the processor writes for the tiny GPT of the reference notes: every residual add runs inside
 * the layer norm that reads it, attention is the flash kernel with no T×T tensor in the memory plan,
 * and the repeated block's weights carry PyTorch's names.
 */
class TransformerCodeTest {

  private static String generatedGpt() throws IOException {
    JavaFileObject src = JavaFileObjects.forSourceLines("test.Gpt",
        "package test;",
        "import io.kiln.dsl.*;",
        "@Model(maxBatch = 32)",
        "abstract class Gpt {",
        "  @Tokens(maxLength = 64, decoded = true) abstract IntTensor text();",
        "  @Embedding(vocab = 96, dim = 128) abstract Tensor e(IntTensor text);",
        "  @PositionEmbedding abstract Tensor p(Tensor e);",
        "  @Repeat(block = Layer.class, times = 2) abstract Tensor b(Tensor p);",
        "  @LayerNorm abstract Tensor n(Tensor b);",
        "  @Dense(units = 96) abstract Tensor o(Tensor n);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);",
        "  @Block abstract static class Layer {",
        "    @BlockInput abstract Tensor x();",
        "    @LayerNorm abstract Tensor norm1(Tensor x);",
        "    @MultiHeadAttention(heads = 4, causal = true) abstract Tensor self_attn(Tensor norm1);",
        "    @Add abstract Tensor r1(Tensor x, Tensor self_attn);",
        "    @LayerNorm abstract Tensor norm2(Tensor r1);",
        "    @Dense(units = 512, activation = Activation.RELU) abstract Tensor linear1(Tensor norm2);",
        "    @Dense(units = 128) abstract Tensor linear2(Tensor linear1);",
        "    @Add abstract Tensor r2(Tensor r1, Tensor linear2);",
        "  }",
        "}");
    Compilation c = Compiler.javac().withProcessors(new KilnProcessor()).compile(src);
    assertThat(c).succeededWithoutWarnings();
    return c.generatedSourceFile("test.KilnGpt").orElseThrow().getCharContent(true).toString();
  }

  private static int count(String text, String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void residualAddsRunInsideTheirLayerNorms() throws IOException {
    String code = generatedGpt();
    // norm1 of block 0 normalizes p; every add is read by a layer norm (b.0.r2 by b.1.norm1, b.1.r2 by n).
    assertThat(count(code, "= LayerNorm\\.of\\(")).isEqualTo(5);
    assertThat(count(code, "(norm1|norm2|\\bn)Layer\\.forward\\(")).isEqualTo(5);
    assertThat(count(code, "Combine\\.add\\(")).isEqualTo(0);
    assertThat(code).contains("// b.0.r1 = p + b.0.self_attn and b.0.norm2 = layernorm(b.0.r1) in one pass");
  }

  @Test
  void attentionIsFlashWithNoTimeByTimeTensor() throws IOException {
    String code = generatedGpt();
    assertThat(count(code, "= MultiHeadAttention\\.of\\(")).isEqualTo(2);
    assertThat(count(code, "self_attnLayer\\.forward\\(batch, steps, steps\\)")).isEqualTo(2);
    assertThat(count(code, "self_attnLayer\\.backward\\(batch, steps, steps\\)")).isEqualTo(2);
    // Every planned tensor is [B, T, n] or smaller per sample: none holds T × T scores.
    Matcher shapes = Pattern.compile("in the arena[^\\n]*|\\[B(, [0-9T]+)*\\]").matcher(code);
    while (shapes.find()) {
      assertThat(shapes.group()).doesNotContain("T, T");
    }
    assertThat(code).doesNotContain("64, 64]");
  }

  @Test
  void repeatedBlocksHavePyTorchNames() throws IOException {
    String code = generatedGpt();
    for (String name : new String[] {"b.0.self_attn.in_proj_weight", "b.1.self_attn.out_proj.bias", "b.1.linear1.weight", "b.0.norm2.bias",
        "p.weight", "n.weight"}) {
      assertThat(code).contains("\"" + name + "\"");
    }
  }
}
