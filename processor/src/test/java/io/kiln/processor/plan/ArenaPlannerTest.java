package io.kiln.processor.plan;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static io.kiln.dsl.Activation.NONE;
import static io.kiln.dsl.Activation.RELU;
import static io.kiln.dsl.Activation.STEP;
import static io.kiln.dsl.Activation.TANH;
import static io.kiln.dsl.LossKind.MEAN_SQUARED_ERROR;
import static io.kiln.dsl.LossKind.PERCEPTRON;
import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;
import static io.kiln.processor.Specs.INT_TENSOR;
import static io.kiln.processor.Specs.TENSOR;
import static io.kiln.processor.Specs.dense;
import static io.kiln.processor.Specs.flatten;
import static io.kiln.processor.Specs.input;
import static io.kiln.processor.Specs.loss;
import static io.kiln.processor.Specs.model;

import io.kiln.dsl.Init;
import io.kiln.processor.Specs;
import io.kiln.processor.diag.SourceRef;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.KernelCall;
import io.kiln.processor.fuse.KernelProgram;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;
import io.kiln.processor.parse.Layer;
import io.kiln.processor.parse.ModelSpec;
import io.kiln.processor.parse.ValueType;
import io.kiln.processor.pass.BackwardDerivation;
import io.kiln.processor.pass.Fusion;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapedGraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArenaPlannerTest {

  private static ModelSpec deepMlp() {
    return Specs.mlp(32, 10, 64, 64, 64, 64, 64, 64);
  }

  private static ModelSpec flattenModel() {
    return model(16,
        input("image", 4, 4),
        flatten("f0", "image"),
        dense("h", 12, RELU, "f0"),
        flatten("flat", "h"),
        dense("h2", 12, TANH, "flat"),
        dense("y", 3, "h2"),
        loss("loss", SOFTMAX_CROSS_ENTROPY, "y", "label", INT_TENSOR));
  }

  private static List<ModelSpec> models() {
    return List.of(
        Specs.mlp(4, 3, 8),
        Specs.mlp(784, 10, 128, 64),
        deepMlp(),
        flattenModel(),
        model(input("x", 2), dense("y", 1, STEP, "x"), loss("loss", PERCEPTRON, "y", "t", TENSOR)),
        model(5, input("x", 7), dense("a", 33, RELU, "x"), dense("b", 5, NONE, "a"), dense("c", 9, TANH, "b"), dense("d", 2, "c")),
        model(input("x", 3), loss("loss", SOFTMAX_CROSS_ENTROPY, "x", "label", INT_TENSOR)));
  }

  /** Live intervals recomputed independently of the planner: first to last call touching a buffer. */
  private static Map<String, int[]> intervals(KernelProgram program) {
    Map<String, int[]> live = new LinkedHashMap<>();
    List<KernelCall> seq = program.trainingSequence();
    for (int i = 0; i < seq.size(); i++) {
      List<Buffer> touched = new ArrayList<>(seq.get(i).reads());
      touched.addAll(seq.get(i).writes());
      for (Buffer b : touched) {
        if (b.inArena()) {
          int at = i;
          live.computeIfAbsent(b.name(), k -> new int[] {at, at});
          live.get(b.name())[1] = at;
        }
      }
    }
    // forward() returns a view of the output: it must outlive every forward call
    Buffer out = program.output();
    if (out.inArena()) {
      int[] iv = live.get(out.name());
      iv[1] = Math.max(iv[1], program.forward().size() - 1);
    }
    return live;
  }

  private static Map<String, Buffer> arenaBuffers(KernelProgram program) {
    Map<String, Buffer> map = new LinkedHashMap<>();
    program.arenaBuffers().forEach(b -> map.put(b.name(), b));
    return map;
  }

  /** No two buffers alive at the same call share a float; all fit in the arena; offsets aligned. */
  private static void assertSound(MemoryPlan plan) {
    KernelProgram program = plan.program();
    Map<String, int[]> live = intervals(program);
    Map<String, Buffer> buffers = arenaBuffers(program);
    assertThat(plan.arenaOffsets().keySet()).containsExactlyElementsIn(buffers.keySet());
    List<String> names = new ArrayList<>(buffers.keySet());
    for (String name : names) {
      int off = plan.offset(buffers.get(name));
      long floats = (long) buffers.get(name).perSample() * plan.maxBatch();
      assertWithMessage("%s offset", name).that(off % 16).isEqualTo(0);
      assertWithMessage("%s fits", name).that(off + floats).isAtMost((long) plan.arenaFloats());
    }
    for (int i = 0; i < names.size(); i++) {
      for (int j = i + 1; j < names.size(); j++) {
        String a = names.get(i);
        String b = names.get(j);
        int[] la = live.get(a);
        int[] lb = live.get(b);
        boolean timeOverlap = la[0] <= lb[1] && lb[0] <= la[1];
        if (!timeOverlap) {
          continue;
        }
        long aStart = plan.offset(buffers.get(a));
        long aEnd = aStart + (long) buffers.get(a).perSample() * plan.maxBatch();
        long bStart = plan.offset(buffers.get(b));
        long bEnd = bStart + (long) buffers.get(b).perSample() * plan.maxBatch();
        assertWithMessage("%s [%s, %s) live %s-%s overlaps %s [%s, %s) live %s-%s",
            a, aStart, aEnd, la[0], la[1], b, bStart, bEnd, lb[0], lb[1])
            .that(aStart < bEnd && bStart < aEnd).isFalse();
      }
    }
    assertThat(plan.arenaFloats()).isAtMost(plan.naiveFloats());
  }

  /** Every arena buffer's first use is a write: nothing reads memory another tensor left behind. */
  private static void assertWrittenBeforeRead(KernelProgram program) {
    List<String> written = new ArrayList<>();
    for (KernelCall c : program.trainingSequence()) {
      for (Buffer b : c.reads()) {
        if (b.inArena()) {
          assertWithMessage("%s read by %s before any write", b.name(), c).that(written).contains(b.name());
        }
      }
      c.writes().forEach(b -> written.add(b.name()));
    }
  }

  @Test
  void noTwoLiveBuffersShareMemory() {
    for (ModelSpec spec : models()) {
      MemoryPlan plan = Specs.plan(spec);
      assertSound(plan);
      assertWrittenBeforeRead(plan.program());
    }
  }

  @Test
  void noTwoLiveBuffersShareMemoryAtAnyBatch() {
    for (int maxBatch : new int[] {1, 3, 17, 64}) {
      ModelSpec base = deepMlp();
      ModelSpec spec = new ModelSpec(base.packageName(), base.declaredName(), base.generatedName(), maxBatch, base.nodes(), base.ref());
      assertSound(Specs.plan(spec));
    }
  }

  @Test
  void fanOutPlanIsSound() {
    // A hand-built graph where h feeds two denses (see BackwardDerivationTest#fanOutAccumulatesOnTheSecondConsumer).
    Node x = node("x", new Layer.Input(new int[] {4}));
    Node h = node("h", denseLayer(8, TANH), "x");
    Node a = node("a", denseLayer(3, NONE), "h");
    Node v = node("v", new Layer.Flatten(), "h");
    Node b = node("b", denseLayer(3, RELU), "v");
    Node l = new Node("loss", new Layer.Loss(MEAN_SQUARED_ERROR), List.of("a"), "t", SourceRef.NONE);
    Graph g = new Graph(model(), List.of(x, h, a, v, b, l), a, l, ValueType.TENSOR);
    ShapedGraph shaped = new ShapedGraph(g, Map.of(
        "x", Shape.of(4), "h", Shape.of(8), "a", Shape.of(3), "v", Shape.of(8), "b", Shape.of(3), "loss", Shape.of()));
    KernelProgram program = new Fusion().fuse(shaped, new BackwardDerivation().derive(shaped));
    BackwardCall.InputGrad second = program.backward().stream()
        .filter(c -> c instanceof BackwardCall.InputGrad ig && ig.accumulate()).map(BackwardCall.InputGrad.class::cast)
        .findFirst().orElseThrow();
    assertThat(second.reads()).contains(second.dx()); // += reads what the first consumer wrote
    MemoryPlan plan = new ArenaPlanner().plan(program, 8);
    assertSound(plan);
    // d_h stays alive from the first consumer's write to h's own backward
    Map<String, int[]> live = intervals(program);
    int firstWrite = program.trainingSequence().indexOf(program.backward().stream()
        .filter(c -> c instanceof BackwardCall.InputGrad ig && !ig.accumulate()).findFirst().orElseThrow());
    assertThat(live.get("d_h")[0]).isEqualTo(firstWrite);
    assertThat(live.get("d_h")[1]).isGreaterThan(program.trainingSequence().indexOf(second));
  }

  @Test
  void arenaIsSmallerThanNaiveForADeepMlp() {
    MemoryPlan plan = Specs.plan(deepMlp());
    assertThat(plan.arenaFloats()).isLessThan(plan.naiveFloats());
    // naive: 6 hidden activations + 6 gradients of 64, logits and d_logits of 10 (16 after alignment)
    int b = plan.maxBatch();
    assertThat(plan.naiveFloats()).isEqualTo(12 * 64 * b + 2 * align(10 * b));
    // forward activations must all survive into backward (tanh and dW need them), but gradients of
    // different layers are never alive together beyond a neighbour: at least some of them share.
    assertThat(plan.arenaFloats()).isAtMost(plan.naiveFloats() - 3 * 64 * b);
  }

  @Test
  void inferenceOnlyMlpReusesMemoryAcrossLayers() {
    MemoryPlan plan = Specs.plan(model(input("x", 8), dense("a", 32, RELU, "x"), dense("b", 32, RELU, "a"),
        dense("c", 32, RELU, "b"), dense("d", 32, "c")));
    // only two layers are ever alive at once: ping-pong between two buffers
    assertThat(plan.arenaFloats()).isEqualTo(2 * 32 * plan.maxBatch());
    assertThat(plan.naiveFloats()).isEqualTo(4 * 32 * plan.maxBatch());
    assertSound(plan);
  }

  @Test
  void offsetsAndSizesAreAlignedTo16Floats() {
    MemoryPlan plan = Specs.plan(model(3, input("x", 5), dense("h", 7, TANH, "x"), dense("y", 3, "h"),
        loss("loss", SOFTMAX_CROSS_ENTROPY, "y", "label", INT_TENSOR)));
    for (int off : plan.arenaOffsets().values()) {
      assertThat(off % ArenaPlanner.ALIGN).isEqualTo(0);
    }
    assertThat(plan.arenaFloats() % 16).isEqualTo(0);
    assertThat(ArenaPlanner.size(new Buffer("h", Buffer.Kind.ACTIVATION, 7, "[B, 7]"), 3)).isEqualTo(32);
    assertThat(ArenaPlanner.size(new Buffer("h", Buffer.Kind.ACTIVATION, 16, "[B, 16]"), 1)).isEqualTo(16);
  }

  @Test
  void parameterOffsetsAreContiguousInDeclarationOrder() {
    MemoryPlan plan = Specs.plan(model(
        input("x", 4),
        dense("first", 8, RELU, "x"),
        Specs.denseNoBias("second", 5, TANH, "first"),
        dense("third", 3, "second"),
        loss("loss", SOFTMAX_CROSS_ENTROPY, "third", "label", INT_TENSOR)));
    List<ParamTensor> params = plan.program().params();
    assertThat(params.stream().map(ParamTensor::name).toList())
        .containsExactly("first.weight", "first.bias", "second.weight", "third.weight", "third.bias").inOrder();
    int expected = 0;
    for (ParamTensor p : params) {
      assertWithMessage(p.name()).that(plan.offset(p)).isEqualTo(expected);
      expected += p.size();
    }
    assertThat(plan.paramFloats()).isEqualTo(expected);
    assertThat(expected).isEqualTo(8 * 4 + 8 + 5 * 8 + 3 * 5 + 3);
  }

  @Test
  void outputBufferIsAliveThroughTheEndOfForward() {
    // The output is written by the first forward call of the inference model below and must not be
    // reused by the later calls before forward() returns it.
    for (ModelSpec spec : models()) {
      MemoryPlan plan = Specs.plan(spec);
      KernelProgram p = plan.program();
      Buffer out = p.output();
      if (!out.inArena()) {
        continue;
      }
      long outStart = plan.offset(out);
      long outEnd = outStart + (long) out.perSample() * plan.maxBatch();
      int written = -1;
      for (int i = 0; i < p.forward().size(); i++) {
        KernelCall c = p.forward().get(i);
        if (c.writes().contains(out)) {
          written = i;
          continue;
        }
        if (written < 0) {
          continue;
        }
        for (Buffer w : c.writes()) {
          if (w.inArena()) {
            long s = plan.offset(w);
            long e = s + (long) w.perSample() * plan.maxBatch();
            assertWithMessage("%s overwrites output %s", w.name(), out.name()).that(s < outEnd && outStart < e).isFalse();
          }
        }
      }
    }
  }

  @Test
  void outputThatIsNotTheLastForwardCallSurvives() {
    // The IR always makes the output the result of the last forward call; hand the planner a
    // program whose output is an earlier buffer to check its own extension of the output's life.
    KernelProgram p = Specs.program(model(input("x", 4), dense("a", 8, "x"), dense("b", 8, "a"), dense("c", 8, "b")));
    KernelProgram early = new KernelProgram(p.shaped(), p.params(), p.state(), p.inputs(), null,
        ((ForwardCall.DenseForward) p.forward().get(0)).y(), p.forward(), null, List.of());
    MemoryPlan plan = new ArenaPlanner().plan(early, 8);
    assertSound(plan); // the checker extends a's interval to the last forward call
  }

  @Test
  void noArenaWithoutArenaBuffers() {
    MemoryPlan plan = Specs.plan(model(input("x", 3), loss("loss", SOFTMAX_CROSS_ENTROPY, "x", "label", INT_TENSOR)));
    assertThat(plan.arenaFloats()).isEqualTo(0);
    assertThat(plan.naiveFloats()).isEqualTo(0);
    assertThat(plan.paramFloats()).isEqualTo(0);
  }

  private static int align(int floats) {
    return (floats + 15) / 16 * 16;
  }

  private static Layer.Dense denseLayer(int units, io.kiln.dsl.Activation activation) {
    return new Layer.Dense(units, activation, true, Init.DEFAULT);
  }

  private static Node node(String name, Layer layer, String... inputs) {
    return new Node(name, layer, List.of(inputs), null, SourceRef.NONE);
  }
}
