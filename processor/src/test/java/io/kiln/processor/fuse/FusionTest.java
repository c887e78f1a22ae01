package io.kiln.processor.fuse;

import static com.google.common.truth.Truth.assertThat;
import static io.kiln.dsl.Activation.NONE;
import static io.kiln.dsl.Activation.RELU;
import static io.kiln.dsl.Activation.SIGMOID;
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
import static io.kiln.processor.Specs.node;
import static io.kiln.processor.Specs.program;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.processor.Specs;
import io.kiln.processor.parse.Layer;
import java.util.List;
import org.junit.jupiter.api.Test;

class FusionTest {

  private static <T> List<T> calls(List<? extends KernelCall> calls, Class<T> type) {
    return calls.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void denseForwardCarriesBiasAndActivationInOneCall() {
    KernelProgram p = program(Specs.mlp(4, 3, 8, 5));
    assertThat(p.forward()).hasSize(3); // one call per dense: h1, h2, logits; no separate bias/activation
    List<ForwardCall.DenseForward> dense = calls(p.forward(), ForwardCall.DenseForward.class);
    assertThat(dense).hasSize(3);
    ForwardCall.DenseForward h1 = dense.get(0);
    assertThat(h1.covers()).containsExactly("h1");
    assertThat(h1.activation()).isEqualTo(TANH);
    assertThat(h1.bias().name()).isEqualTo("h1.bias");
    assertThat(h1.weight().name()).isEqualTo("h1.weight");
    assertThat(h1.in()).isEqualTo(4);
    assertThat(h1.out()).isEqualTo(8);
    assertThat(h1.x().kind()).isEqualTo(Buffer.Kind.INPUT);
    assertThat(h1.y()).isEqualTo(new Buffer("h1", Buffer.Kind.ACTIVATION, 8, "[B, 8]"));
    assertThat(dense.get(1).x()).isSameInstanceAs(h1.y()); // h2 reads h1's buffer
    assertThat(dense.get(2).activation()).isEqualTo(NONE);
    assertThat(p.output()).isSameInstanceAs(dense.get(2).y());
  }

  @Test
  void noneAndStepActivationBackwardAreElided() {
    KernelProgram mlp = program(model(
        input("x", 4),
        dense("h", 8, RELU, "x"),
        dense("logits", 3, NONE, "h"),
        loss("loss", SOFTMAX_CROSS_ENTROPY, "logits", "label", INT_TENSOR)));
    List<BackwardCall.ActivationBackward> act = calls(mlp.backward(), BackwardCall.ActivationBackward.class);
    assertThat(act).hasSize(1);
    assertThat(act.get(0).covers()).containsExactly("h");
    assertThat(act.get(0).activation()).isEqualTo(RELU);
    assertThat(act.get(0).y().name()).isEqualTo("h");
    assertThat(act.get(0).grad().name()).isEqualTo("d_h");

    KernelProgram perceptron = program(model(input("x", 2), dense("y", 1, STEP, "x"), loss("loss", PERCEPTRON, "y", "t", TENSOR)));
    assertThat(calls(perceptron.backward(), BackwardCall.ActivationBackward.class)).isEmpty();
    assertThat(perceptron.backward()).hasSize(2); // BiasGrad, WeightGrad
    assertThat(perceptron.backward().get(0)).isInstanceOf(BackwardCall.BiasGrad.class);
    assertThat(perceptron.backward().get(1)).isInstanceOf(BackwardCall.WeightGrad.class);
  }

  @Test
  void backwardCallsOfAnMlpInOrder() {
    KernelProgram p = program(Specs.mlp(4, 3, 8));
    assertThat(p.backward().stream().map(c -> c.getClass().getSimpleName() + ":" + c.covers().get(0)).toList())
        .containsExactly("BiasGrad:logits", "WeightGrad:logits", "InputGrad:logits",
            "ActivationBackward:h1", "BiasGrad:h1", "WeightGrad:h1")
        .inOrder();
    BackwardCall.InputGrad g = calls(p.backward(), BackwardCall.InputGrad.class).get(0);
    assertThat(g.dx().name()).isEqualTo("d_h1");
    assertThat(g.dz().name()).isEqualTo("d_logits");
    assertThat(g.weight().name()).isEqualTo("logits.weight");
    assertThat(g.accumulate()).isFalse();
    assertThat(g.reads()).containsExactly(g.dz()); // a write, not an accumulation: dx is not read
    BackwardCall.WeightGrad w = calls(p.backward(), BackwardCall.WeightGrad.class).get(1);
    assertThat(w.x().kind()).isEqualTo(Buffer.Kind.INPUT);
    assertThat(w.out()).isEqualTo(8);
    assertThat(w.in()).isEqualTo(4);
  }

  @Test
  void flattenHasNoKernelAndSharesItsInputsBuffer() {
    KernelProgram p = program(model(
        input("image", 2, 3),
        flatten("f0", "image"),
        dense("h", 4, RELU, "f0"),
        flatten("flat", "h"),
        dense("y", 2, "flat"),
        loss("loss", MEAN_SQUARED_ERROR, "y", "t", TENSOR)));
    assertThat(p.trainingSequence().stream().flatMap(c -> c.covers().stream()).toList()).containsNoneOf("f0", "flat");
    List<ForwardCall.DenseForward> dense = calls(p.forward(), ForwardCall.DenseForward.class);
    assertThat(dense).hasSize(2);
    assertThat(dense.get(0).x()).isSameInstanceAs(p.inputs().get(0)); // f0 is the caller's image array
    assertThat(dense.get(0).in()).isEqualTo(6);
    assertThat(dense.get(1).x()).isSameInstanceAs(dense.get(0).y()); // flat is h's memory
    BackwardCall.InputGrad g = calls(p.backward(), BackwardCall.InputGrad.class).get(0);
    assertThat(g.dx().name()).isEqualTo("d_h"); // flat's gradient is h's
    assertThat(p.arenaBuffers().stream().map(Buffer::name).toList()).containsNoneOf("flat", "d_flat", "f0");
  }

  @Test
  void lossCallIsFusedWithItsGradient() {
    KernelProgram p = program(Specs.mlp(4, 3, 8));
    KernelCall.LossForward l = p.loss();
    assertThat(l.covers()).containsExactly("loss");
    assertThat(l.kind()).isEqualTo(SOFTMAX_CROSS_ENTROPY);
    assertThat(l.input().name()).isEqualTo("logits");
    assertThat(l.dInput()).isEqualTo(new Buffer("d_logits", Buffer.Kind.GRADIENT, 3, "[B, 3]"));
    assertThat(l.labels()).isEqualTo(new Buffer("label", Buffer.Kind.LABELS, 1, "[B]"));
    assertThat(l.perSample()).isEqualTo(3);
    assertThat(p.labels()).isSameInstanceAs(l.labels());
    assertThat(p.trainingSequence()).containsExactlyElementsIn(
        concat(p.forward(), List.of(l), p.backward())).inOrder();
  }

  @Test
  void lossWithNothingToTrainHasNoGradientBuffer() {
    KernelProgram p = program(model(input("x", 3), loss("loss", SOFTMAX_CROSS_ENTROPY, "x", "label", INT_TENSOR)));
    assertThat(p.loss()).isNotNull();
    assertThat(p.loss().dInput()).isNull();
    assertThat(p.loss().writes()).isEmpty();
    assertThat(p.backward()).isEmpty();
    assertThat(p.params()).isEmpty();
  }

  @Test
  void inferenceOnlyProgramHasNoLossOrBackward() {
    KernelProgram p = program(model(input("x", 4), dense("h", 8, TANH, "x"), dense("y", 2, "h")));
    assertThat(p.loss()).isNull();
    assertThat(p.labels()).isNull();
    assertThat(p.backward()).isEmpty();
    assertThat(p.forward()).hasSize(2);
    assertThat(p.output().name()).isEqualTo("y");
    assertThat(p.arenaBuffers().stream().map(Buffer::kind).distinct().toList()).containsExactly(Buffer.Kind.ACTIVATION);
  }

  @Test
  void defaultInitIsResolvedFromTheActivation() {
    assertThat(Parameters.resolve(Init.DEFAULT, RELU)).isEqualTo(Init.HE_NORMAL);
    assertThat(Parameters.resolve(Init.DEFAULT, STEP)).isEqualTo(Init.ZEROS);
    for (Activation a : List.of(NONE, SIGMOID, TANH)) {
      assertThat(Parameters.resolve(Init.DEFAULT, a)).isEqualTo(Init.XAVIER_NORMAL);
    }
    assertThat(Parameters.resolve(Init.HE_UNIFORM, TANH)).isEqualTo(Init.HE_UNIFORM); // explicit wins
    assertThat(Parameters.resolve(Init.XAVIER_UNIFORM, RELU)).isEqualTo(Init.XAVIER_UNIFORM);

    KernelProgram p = program(model(
        input("x", 4),
        dense("r", 8, RELU, "x"),
        node("u", new Layer.Dense(8, TANH, true, Init.XAVIER_UNIFORM), "r"),
        dense("y", 2, SIGMOID, "u"),
        loss("loss", MEAN_SQUARED_ERROR, "y", "t", TENSOR)));
    assertThat(p.paramsByName().get("r.weight").init()).isEqualTo(Init.HE_NORMAL);
    assertThat(p.paramsByName().get("u.weight").init()).isEqualTo(Init.XAVIER_UNIFORM);
    assertThat(p.paramsByName().get("y.weight").init()).isEqualTo(Init.XAVIER_NORMAL);
    assertThat(p.paramsByName().get("r.bias").init()).isEqualTo(Init.ZEROS); // biases start at zero
  }

  @Test
  void parametersAreNamedAndShapedAsPyTorch() {
    KernelProgram p = program(model(
        input("image", 2, 5),
        flatten("flat", "image"),
        dense("fc1", 7, RELU, "flat"),
        Specs.denseNoBias("fc2", 3, NONE, "fc1"),
        loss("loss", SOFTMAX_CROSS_ENTROPY, "fc2", "label", INT_TENSOR)));
    assertThat(p.params().stream().map(ParamTensor::toString).toList())
        .containsExactly("fc1.weight[7, 10]", "fc1.bias[7]", "fc2.weight[3, 7]").inOrder();
    ParamTensor w = p.paramsByName().get("fc1.weight");
    assertThat(w.shape()).asList().containsExactly(7, 10).inOrder(); // [out, in]
    assertThat(w.fanIn()).isEqualTo(10);
    assertThat(w.fanOut()).isEqualTo(7);
    assertThat(w.size()).isEqualTo(70);
    assertThat(w.node()).isEqualTo("fc1");
    // fc2 has no bias: its forward call says so and no BiasGrad is emitted for it
    assertThat(calls(p.forward(), ForwardCall.DenseForward.class).get(1).bias()).isNull();
    assertThat(calls(p.backward(), BackwardCall.BiasGrad.class).stream().map(b -> b.covers().get(0)).toList()).containsExactly("fc1");
  }

  @SafeVarargs
  private static <T> List<T> concat(List<? extends T>... lists) {
    return java.util.Arrays.stream(lists).<T>flatMap(List::stream).toList();
  }
}
