package io.kiln.samples.gradients;

import static io.kiln.dsl.Activation.RELU;
import static io.kiln.dsl.Activation.SIGMOID;
import static io.kiln.dsl.Init.HE_NORMAL;
import static io.kiln.dsl.Init.XAVIER_NORMAL;
import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;

import io.kiln.dsl.BatchNorm;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/**
 * The deep MLPs of the vanishing-gradient experiment: ten dense layers of {@link #WIDTH} units on a
 * flattened Fashion-MNIST image, then ten classes. The small N(0, 0.01) start is the sigmoid model
 * with its weights overwritten after {@code create} (the DSL's initializers are the remedies).
 */
public final class DeepMlps {
  /** Units per hidden layer. */
  public static final int WIDTH = 64;
  /** Hidden layers: h1 … h10. */
  public static final int DEPTH = 10;
  static final int BATCH = 64;

  private DeepMlps() {}

  /** Sigmoid layers, Xavier-initialized (the variant the small start overwrites). */
  @Model(maxBatch = BATCH)
  public abstract static class SigmoidMlp {
    @Input(shape = 784) abstract Tensor image();
    @Dense(units = WIDTH, activation = SIGMOID, init = XAVIER_NORMAL) abstract Tensor h1(Tensor image);
    @Dense(units = WIDTH, activation = SIGMOID, init = XAVIER_NORMAL) abstract Tensor h2(Tensor h1);
    @Dense(units = WIDTH, activation = SIGMOID, init = XAVIER_NORMAL) abstract Tensor h3(Tensor h2);
    @Dense(units = WIDTH, activation = SIGMOID, init = XAVIER_NORMAL) abstract Tensor h4(Tensor h3);
    @Dense(units = WIDTH, activation = SIGMOID, init = XAVIER_NORMAL) abstract Tensor h5(Tensor h4);
    @Dense(units = WIDTH, activation = SIGMOID, init = XAVIER_NORMAL) abstract Tensor h6(Tensor h5);
    @Dense(units = WIDTH, activation = SIGMOID, init = XAVIER_NORMAL) abstract Tensor h7(Tensor h6);
    @Dense(units = WIDTH, activation = SIGMOID, init = XAVIER_NORMAL) abstract Tensor h8(Tensor h7);
    @Dense(units = WIDTH, activation = SIGMOID, init = XAVIER_NORMAL) abstract Tensor h9(Tensor h8);
    @Dense(units = WIDTH, activation = SIGMOID, init = XAVIER_NORMAL) abstract Tensor h10(Tensor h9);
    @Dense(units = 10, init = XAVIER_NORMAL) abstract Tensor out(Tensor h10);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor label);
  }

  /** ReLU layers with He initialization. */
  @Model(maxBatch = BATCH)
  public abstract static class ReluMlp {
    @Input(shape = 784) abstract Tensor image();
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h1(Tensor image);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h2(Tensor h1);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h3(Tensor h2);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h4(Tensor h3);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h5(Tensor h4);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h6(Tensor h5);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h7(Tensor h6);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h8(Tensor h7);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h9(Tensor h8);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h10(Tensor h9);
    @Dense(units = 10, init = XAVIER_NORMAL) abstract Tensor out(Tensor h10);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor label);
  }

  /** ReLU layers with He initialization, each followed by batch normalization. */
  @Model(maxBatch = BATCH)
  public abstract static class ReluBatchNormMlp {
    @Input(shape = 784) abstract Tensor image();
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h1(Tensor image);
    @BatchNorm abstract Tensor bn1(Tensor h1);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h2(Tensor bn1);
    @BatchNorm abstract Tensor bn2(Tensor h2);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h3(Tensor bn2);
    @BatchNorm abstract Tensor bn3(Tensor h3);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h4(Tensor bn3);
    @BatchNorm abstract Tensor bn4(Tensor h4);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h5(Tensor bn4);
    @BatchNorm abstract Tensor bn5(Tensor h5);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h6(Tensor bn5);
    @BatchNorm abstract Tensor bn6(Tensor h6);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h7(Tensor bn6);
    @BatchNorm abstract Tensor bn7(Tensor h7);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h8(Tensor bn7);
    @BatchNorm abstract Tensor bn8(Tensor h8);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h9(Tensor bn8);
    @BatchNorm abstract Tensor bn9(Tensor h9);
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h10(Tensor bn9);
    @BatchNorm abstract Tensor bn10(Tensor h10);
    @Dense(units = 10, init = XAVIER_NORMAL) abstract Tensor out(Tensor bn10);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor label);
  }
}
