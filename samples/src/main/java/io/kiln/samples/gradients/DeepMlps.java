package io.kiln.samples.gradients;

import static io.kiln.dsl.Activation.RELU;
import static io.kiln.dsl.Activation.SIGMOID;
import static io.kiln.dsl.Init.HE_NORMAL;
import static io.kiln.dsl.Init.XAVIER_NORMAL;
import static io.kiln.dsl.LossKind.SOFTMAX_CROSS_ENTROPY;

import io.kiln.dsl.BatchNorm;
import io.kiln.dsl.Block;
import io.kiln.dsl.BlockInput;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Input;
import io.kiln.dsl.IntTensor;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.Model;
import io.kiln.dsl.Repeat;
import io.kiln.dsl.Tensor;

/**
 * The deep MLPs of the vanishing-gradient experiment: ten dense layers of {@link #WIDTH} units on a
 * flattened Fashion-MNIST image (h1, then the block repeated as hidden.0 … hidden.8), then ten
 * classes. The small N(0, 0.01) start is the sigmoid model
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
    @Repeat(block = SigmoidLayer.class, times = DEPTH - 1) abstract Tensor hidden(Tensor h1);
    @Dense(units = 10, init = XAVIER_NORMAL) abstract Tensor out(Tensor hidden);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor label);

    /** Hidden layers 2 … {@link DeepMlps#DEPTH}. */
    @Block
    abstract static class SigmoidLayer {
      @BlockInput abstract Tensor x();
      @Dense(units = WIDTH, activation = SIGMOID, init = XAVIER_NORMAL) abstract Tensor h(Tensor x);
    }
  }

  /** ReLU layers with He initialization. */
  @Model(maxBatch = BATCH)
  public abstract static class ReluMlp {
    @Input(shape = 784) abstract Tensor image();
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h1(Tensor image);
    @Repeat(block = ReluLayer.class, times = DEPTH - 1) abstract Tensor hidden(Tensor h1);
    @Dense(units = 10, init = XAVIER_NORMAL) abstract Tensor out(Tensor hidden);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor label);

    /** Hidden layers 2 … {@link DeepMlps#DEPTH}. */
    @Block
    abstract static class ReluLayer {
      @BlockInput abstract Tensor x();
      @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h(Tensor x);
    }
  }

  /** ReLU layers with He initialization, each followed by batch normalization. */
  @Model(maxBatch = BATCH)
  public abstract static class ReluBatchNormMlp {
    @Input(shape = 784) abstract Tensor image();
    @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h1(Tensor image);
    @BatchNorm abstract Tensor bn1(Tensor h1);
    @Repeat(block = ReluBatchNormLayer.class, times = DEPTH - 1) abstract Tensor hidden(Tensor bn1);
    @Dense(units = 10, init = XAVIER_NORMAL) abstract Tensor out(Tensor hidden);
    @Loss(SOFTMAX_CROSS_ENTROPY) abstract Tensor loss(Tensor out, @Labels IntTensor label);

    /** Hidden layers 2 … {@link DeepMlps#DEPTH}. */
    @Block
    abstract static class ReluBatchNormLayer {
      @BlockInput abstract Tensor x();
      @Dense(units = WIDTH, activation = RELU, init = HE_NORMAL) abstract Tensor h(Tensor x);
      @BatchNorm abstract Tensor bn(Tensor h);
    }
  }
}
