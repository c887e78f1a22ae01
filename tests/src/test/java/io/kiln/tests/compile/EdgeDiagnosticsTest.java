package io.kiln.tests.compile;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.kiln.processor.KilnProcessor;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The diagnostics {@link DeclarationSpaceTest} made necessary: declarations at the edge of an
 * attribute's range that used to hang the processor, write Java that does not compile, report an
 * internal error, or compile into a class that threw when it loaded. Each is now one error on its
 * line, and the fix the message gives compiles.
 */
class EdgeDiagnosticsTest {

  private static final List<String> TOKENS = List.of(
      "  @Tokens(maxLength = 6) abstract IntTensor t();",
      "  @Embedding(vocab = 7, dim = 4) abstract Tensor e(IntTensor t);");

  private static List<String> with(List<String> prefix, String... lines) {
    List<String> all = new ArrayList<>(prefix);
    all.addAll(List.of(lines));
    return all;
  }

  private static List<String> repeated(int times) {
    return with(TOKENS,
        "  @Repeat(block = B.class, times = " + times + ") abstract Tensor r(Tensor e);",
        "  @Dense(units = 7) abstract Tensor o(Tensor r);",
        "  @Block abstract static class B {",
        "    @BlockInput abstract Tensor i();",
        "    @Dense(units = 4) abstract Tensor d(Tensor i);",
        "  }");
  }

  @Test
  void aRepeatCountBeyondAThousandIsABadAttributeNotAHang() {
    // times = 1000000 expanded a million copies and never returned.
    NetSnippets.assertOnlyError(NetSnippets.net(repeated(1_000_000)),
        "[Kiln/BadAttribute] r: @Repeat(times = 1000000) is more copies than Kiln expands (at most 1000); each copy is its own layers"
            + " and weights: give the depth you mean, e.g. times = 12",
        "@Repeat");
    NetSnippets.assertCompiles(repeated(12));
  }

  @Test
  void aNormEpsilonNoFloatHoldsIsABadAttribute() {
    // 1e300 and infinity were written into the generated class as "Infinityf", which javac cannot resolve.
    NetSnippets.assertOnlyError(NetSnippets.net(with(TOKENS,
        "  @LayerNorm(epsilon = Double.POSITIVE_INFINITY) abstract Tensor n(Tensor e);",
        "  @Dense(units = 7) abstract Tensor o(Tensor n);")),
        "[Kiln/BadAttribute] n: @LayerNorm(epsilon = Infinity) is outside what a float holds (1.4E-45 to 3.4028235E38), and the model"
            + " computes with floats; the usual value is 1e-5",
        "@LayerNorm");
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Input(shape = 4) abstract Tensor x();",
        "  @BatchNorm(epsilon = 1e300) abstract Tensor n(Tensor x);",
        "  @Dense(units = 2) abstract Tensor o(Tensor n);")),
        "[Kiln/BadAttribute] n: @BatchNorm(epsilon = 1.0E300) is outside what a float holds", "@BatchNorm");
    // Double.MIN_VALUE is positive but a float zero: a division by zero on a constant feature.
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Input(shape = 4) abstract Tensor x();",
        "  @BatchNorm(epsilon = Double.MIN_VALUE) abstract Tensor n(Tensor x);",
        "  @Dense(units = 2) abstract Tensor o(Tensor n);")),
        "[Kiln/BadAttribute] n: @BatchNorm(epsilon = 4.9E-324) is outside what a float holds", "@BatchNorm");
    NetSnippets.assertCompiles(with(TOKENS,
        "  @LayerNorm(epsilon = 1e-5) abstract Tensor n(Tensor e);",
        "  @Dense(units = 7) abstract Tensor o(Tensor n);"));
  }

  @Test
  void aClassNamedLikeTheGeneratedOneIsAModelDeclarationErrorNotAnInternalOne() {
    List<String> nodes = List.of(
        "  @Input(shape = 3) abstract Tensor x();",
        "  @Dense(units = 2) abstract Tensor o(Tensor x);");
    JavaFileObject clash = JavaFileObjects.forSourceLines("test.KilnNet", "package test;", "", "class KilnNet {}");
    JavaFileObject model = NetSnippets.net(nodes);
    Compilation c = Compiler.javac().withProcessors(new KilnProcessor()).compile(model, clash);
    assertThat(c).failed();
    assertThat(c).hadErrorContaining("[Kiln/ModelDeclaration] @Model Net is generated as test.KilnNet, but a class of that name already"
        + " exists; rename that class or the model").inFile(model).onLineContaining("abstract class Net");
    assertThat(c).hadErrorCount(1);
    JavaFileObject renamed = JavaFileObjects.forSourceLines("test.KilnNetHelper", "package test;", "", "class KilnNetHelper {}");
    assertThat(Compiler.javac().withProcessors(new KilnProcessor()).compile(NetSnippets.net(nodes), renamed)).succeeded();
  }

  @Test
  void anExplicitPadAsWideAsTheWindowIsABadAttribute() {
    // The generated class compiled, then threw ExceptionInInitializerError from ConvGeometry when it loaded.
    List<String> image = List.of("  @Input(shape = {1, 8, 8}) abstract Tensor image();");
    NetSnippets.assertOnlyError(NetSnippets.net(with(image,
        "  @Conv(filters = 2, kernel = 1, padding = Padding.EXPLICIT, pad = 5) abstract Tensor c(Tensor image);",
        "  @Flatten abstract Tensor f(Tensor c);",
        "  @Dense(units = 2) abstract Tensor o(Tensor f);")),
        "[Kiln/BadAttribute] c: @Conv(pad = 5) along the height is at least the window's span 1, so the windows at the edges would see"
            + " only padding; use pad below 1 (pad = (kernel − 1) / 2 keeps the size for an odd kernel), or padding = SAME",
        "@Conv");
    NetSnippets.assertOnlyError(NetSnippets.net(with(image,
        "  @Conv(filters = 2, kernel = 3, padding = Padding.EXPLICIT, pad = {1, 3}) abstract Tensor c(Tensor image);",
        "  @Flatten abstract Tensor f(Tensor c);",
        "  @Dense(units = 2) abstract Tensor o(Tensor f);")),
        "c: @Conv(pad = 3) along the width is at least the window's span 3", "@Conv");
    NetSnippets.assertOnlyError(NetSnippets.net(List.of(
        "  @Input(shape = {2, 16}) abstract Tensor s();",
        "  @Conv1d(filters = 2, kernel = 3, padding = Padding.EXPLICIT, pad = 3) abstract Tensor c(Tensor s);",
        "  @Flatten abstract Tensor f(Tensor c);",
        "  @Dense(units = 2) abstract Tensor o(Tensor f);")),
        "[Kiln/BadAttribute] c: @Conv1d(pad = 3) is at least the window's span 3, so the windows", "@Conv1d");
    // A dilated window spans more: pad 3 is fine for kernel 3 at dilation 2 (span 5).
    NetSnippets.assertCompiles(with(image,
        "  @Conv(filters = 2, kernel = 3, dilation = 2, padding = Padding.EXPLICIT, pad = 3) abstract Tensor c(Tensor image);",
        "  @Flatten abstract Tensor f(Tensor c);",
        "  @Dense(units = 2) abstract Tensor o(Tensor f);"));
    NetSnippets.assertCompiles(with(image,
        "  @Conv(filters = 2, kernel = 3, padding = Padding.EXPLICIT, pad = 1) abstract Tensor c(Tensor image);",
        "  @Flatten abstract Tensor f(Tensor c);",
        "  @Dense(units = 2) abstract Tensor o(Tensor f);"));
  }

  @Test
  void aModelDeclaredInsideAMethodIsAnErrorNotSilence() {
    // javac shows processors no local class: nothing was generated and nothing said.
    JavaFileObject local = JavaFileObjects.forSourceLines("test.Outer", "package test;", "import io.kiln.dsl.*;", "class Outer {",
        "  void build() {",
        "    @Model",
        "    abstract class Net {",
        "      @Input(shape = 2) abstract Tensor x();",
        "      @Dense(units = 1) abstract Tensor y(Tensor x);",
        "    }",
        "  }",
        "}");
    NetSnippets.assertOnlyError(local, "[Kiln/ModelDeclaration] @Model class Net is declared inside a method, where annotation processors"
        + " cannot see it, so nothing would be generated; move it out of the method, e.g. to a static nested class", "abstract class Net");
    JavaFileObject nested = JavaFileObjects.forSourceLines("test.Outer", "package test;", "import io.kiln.dsl.*;", "class Outer {",
        "  @Model",
        "  abstract static class Net {",
        "    @Input(shape = 2) abstract Tensor x();",
        "    @Dense(units = 1) abstract Tensor y(Tensor x);",
        "  }",
        "}");
    assertThat(Compiler.javac().withProcessors(new KilnProcessor()).compile(nested)).succeededWithoutWarnings();
  }

  private static List<String> normalizedOnePixel() {
    return List.of(
        "  @Input(shape = {1, 3, 3}) abstract Tensor x();",
        "  @Conv(filters = 2, kernel = 3) abstract Tensor c(Tensor x);",
        "  @BatchNorm abstract Tensor n(Tensor c);",
        "  @Flatten abstract Tensor f(Tensor n);",
        "  @Dense(units = 2) abstract Tensor o(Tensor f);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor y);");
  }

  @Test
  void batchNormOverOneValuePerChannelIsRefusedWhenTheModelTrains() {
    // maxBatch = 1 over a 1×1 map: every trainStep threw "needs more than one value per channel".
    List<String> lines = with(List.of("package test;", "import io.kiln.dsl.*;", "@Model(maxBatch = 1)", "abstract class Net {"),
        normalizedOnePixel().toArray(String[]::new));
    lines.add("}");
    JavaFileObject src = JavaFileObjects.forSourceLines("test.Net", lines);
    NetSnippets.assertOnlyError(src,
        "[Kiln/ShapeMismatch] n: @BatchNorm normalizes each channel of c [B, 2, 1, 1] over the batch and its positions, at most 1 value with"
            + " maxBatch = 1, and training needs at least 2; raise @Model(maxBatch), or normalize a larger map",
        "@BatchNorm");
    // NetSnippets' maxBatch = 4 gives four values per channel.
    NetSnippets.assertCompiles(normalizedOnePixel());
  }

  private static List<String> seq2seq(int targetLength) {
    return List.of(
        "  @Tokens(maxLength = 6) abstract IntTensor source();",
        "  @Tokens(maxLength = " + targetLength + ", decoded = true) abstract IntTensor target();",
        "  @Embedding(vocab = 9, dim = 4) abstract Tensor se(IntTensor source);",
        "  @Embedding(vocab = 9, dim = 4, shares = \"se\") abstract Tensor te(IntTensor target);",
        "  @Gru(units = 6) abstract Tensor enc(Tensor se);",
        "  @Gru(units = 6) abstract Tensor dec(Tensor te, @InitialState Tensor enc);",
        "  @Attention abstract Tensor context(Tensor dec, Tensor enc);",
        "  @Concat abstract Tensor joined(Tensor dec, Tensor context);",
        "  @Dense(units = 9) abstract Tensor o(Tensor joined);",
        "  @Loss(LossKind.SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor o, @Labels IntTensor next);");
  }

  @Test
  void attentionOverSequencesTooLongForItsWeightsIsABadAttribute() {
    // The generated class compiled, then overflowed int sizing its workspace when it loaded.
    NetSnippets.assertOnlyError(NetSnippets.net(seq2seq(1_000_000)),
        "[Kiln/BadAttribute] context: @Attention keeps a weight for every step of dec against every step of enc: 1000000 × 1000000 per"
            + " sample, more than 2^25 floats; lower the maxLength of the longer sequence's @Tokens or @Input",
        "@Attention");
    NetSnippets.assertCompiles(seq2seq(500));
  }
}
