package io.kiln.processor.parse;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Padding;
import java.util.Arrays;
import java.util.List;

/** The layer annotation of a node, with its attribute values as written. */
public sealed interface Layer {
  /** The annotation as users write it, e.g. {@code @Dense}. */
  String annotation();

  /** Whether the layer has learned parameters, so gradients must reach it. */
  boolean learns();

  /** The {@link #arity} of a layer that joins two or more nodes. */
  int TWO_OR_MORE = -1;

  /** How many nodes the layer reads: 0 for the caller's data, 1 for most, {@link #TWO_OR_MORE} for joins. */
  default int arity() {
    return 1;
  }

  /** Whether the node is data the caller passes ({@code @Input}, {@code @Tokens}). */
  default boolean isInput() {
    return false;
  }

  /** Whether the node holds token ids (ints), which only an {@code @Embedding} reads; every other node computes floats. */
  default boolean holdsIds() {
    return false;
  }

  /** Whether the node is the loss, which the training methods minimize and no node may read. */
  default boolean isLoss() {
    return false;
  }

  /** Whether the node is a view of its input: it shares its input's memory, forward and backward. */
  default boolean isView() {
    return false;
  }

  /**
   * The layer as the generated class's shape legend shows it, e.g. {@code @Dense(120, RELU) of
   * flat}, given the nodes it reads.
   */
  String describe(List<String> inputs);

  /** {@code " of a, b"}, or "" for a node that reads nothing. */
  private static String of(List<String> inputs) {
    return inputs.isEmpty() ? "" : " of " + String.join(", ", inputs);
  }

  /** {@code @Input(shape)}: a float input, one sample's shape. */
  record Input(int[] shape) implements Layer {
    public Input {
      shape = shape.clone();
    }

    @Override
    public int[] shape() {
      return shape.clone();
    }

    @Override
    public int arity() {
      return 0;
    }

    @Override
    public boolean isInput() {
      return true;
    }

    @Override
    public String annotation() {
      return "@Input";
    }

    @Override
    public boolean learns() {
      return false;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@Input";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Input other && Arrays.equals(shape, other.shape);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
      return "Input" + Arrays.toString(shape);
    }
  }

  /** {@code @Dense(units, activation, bias, init)}. */
  record Dense(int units, Activation activation, boolean bias, Init init) implements Layer {
    @Override
    public String annotation() {
      return "@Dense";
    }

    @Override
    public boolean learns() {
      return true;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@Dense(" + units() + (activation() != Activation.NONE ? ", " + activation() : "") + (bias() ? "" : ", no bias") + ")" + of(inputs);
    }
  }

  /** {@code @Flatten}: a view of a sample as one vector, row-major. */
  record Flatten() implements Layer {
    @Override
    public String annotation() {
      return "@Flatten";
    }

    @Override
    public boolean learns() {
      return false;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@Flatten" + of(inputs);
    }

    @Override
    public boolean isView() {
      return true;
    }
  }

  /** {@code @Loss(kind, ignoreIndex)}; {@code ignoreIndex} is {@code Loss.NO_IGNORE} when not given. */
  record Loss(LossKind kind, int ignoreIndex) implements Layer {
    public Loss(LossKind kind) {
      this(kind, io.kiln.dsl.Loss.NO_IGNORE);
    }

    public boolean ignores() {
      return ignoreIndex != io.kiln.dsl.Loss.NO_IGNORE;
    }

    @Override
    public boolean isLoss() {
      return true;
    }

    @Override
    public String annotation() {
      return "@Loss";
    }

    @Override
    public boolean learns() {
      return false;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@Loss(" + kind() + (ignores() ? ", ignoreIndex " + ignoreIndex() : "") + ")" + of(inputs);
    }
  }

  /**
   * {@code @Conv} as written: {@code kernel} or {@code kernelHeight}/{@code kernelWidth} (0 when
   * not given); the shape pass checks that exactly one form is used.
   */
  record Conv(int filters, int kernel, int kernelHeight, int kernelWidth, int stride, Padding padding, int pad,
      Activation activation, boolean bias, Init init) implements Layer {
    @Override
    public String annotation() {
      return "@Conv";
    }

    @Override
    public boolean learns() {
      return true;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@Conv(" + filters() + ", " + kh() + "×" + kw() + (stride() != 1 ? ", stride " + stride() : "")
          + ", " + padding() + (activation() != Activation.NONE ? ", " + activation() : "") + ")" + of(inputs);
    }

    /** The kernel's height, from whichever form was written. */
    public int kh() {
      return kernel > 0 ? kernel : kernelHeight;
    }

    public int kw() {
      return kernel > 0 ? kernel : kernelWidth;
    }
  }

  /** {@code @MaxPool} or {@code @AvgPool}; {@code stride} 0 means "same as size". */
  record Pool(boolean max, int size, int stride) implements Layer {
    @Override
    public String annotation() {
      return max ? "@MaxPool" : "@AvgPool";
    }

    @Override
    public boolean learns() {
      return false;
    }

    @Override
    public String describe(List<String> inputs) {
      return annotation() + "(" + size() + (effectiveStride() != size() ? ", stride " + effectiveStride() : "") + ")" + of(inputs);
    }

    public int effectiveStride() {
      return stride == 0 ? size : stride;
    }
  }

  /** {@code @Dropout(rate)}. */
  record Dropout(double rate) implements Layer {
    @Override
    public String annotation() {
      return "@Dropout";
    }

    @Override
    public boolean learns() {
      return false;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@Dropout(" + rate() + ")" + of(inputs);
    }
  }

  /** {@code @BatchNorm(momentum, epsilon)}. */
  record BatchNorm(double momentum, double epsilon) implements Layer {
    @Override
    public String annotation() {
      return "@BatchNorm";
    }

    @Override
    public boolean learns() {
      return true;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@BatchNorm" + of(inputs);
    }
  }

  /** {@code @Tokens(maxLength, decoded)}: an input of token-id sequences. */
  record Tokens(int maxLength, boolean decoded) implements Layer {
    public Tokens(int maxLength) {
      this(maxLength, false);
    }

    @Override
    public int arity() {
      return 0;
    }

    @Override
    public boolean isInput() {
      return true;
    }

    @Override
    public boolean holdsIds() {
      return true;
    }

    @Override
    public String annotation() {
      return "@Tokens";
    }

    @Override
    public boolean learns() {
      return false;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@Tokens(maxLength " + maxLength() + (decoded() ? ", decoded" : "") + ")";
    }
  }

  /** {@code @Embedding(vocab, dim, shares)}; {@code shares} is "" for an embedding with its own table. */
  record Embedding(int vocab, int dim, String shares) implements Layer {
    public Embedding(int vocab, int dim) {
      this(vocab, dim, "");
    }

    @Override
    public String annotation() {
      return "@Embedding";
    }

    @Override
    public boolean learns() {
      return true;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@Embedding(" + vocab() + " → " + dim() + (shares().isEmpty() ? "" : ", " + shares() + "'s table") + ")" + of(inputs);
    }
  }

  /** {@code @Rnn}, {@code @Lstm} or {@code @Gru}. */
  record Recurrent(Cell cell, int units, Activation activation, boolean returnSequences, boolean bias) implements Layer {
    /** The recurrent cells, with their gate counts (PyTorch's order). */
    public enum Cell {
      RNN(1, "@Rnn"),
      LSTM(4, "@Lstm"),
      GRU(3, "@Gru");

      private final int gates;
      private final String annotation;

      Cell(int gates, String annotation) {
        this.gates = gates;
        this.annotation = annotation;
      }

      public int gates() {
        return gates;
      }
    }

    @Override
    public String annotation() {
      return cell.annotation;
    }

    @Override
    public boolean learns() {
      return true;
    }

    @Override
    public String describe(List<String> inputs) {
      return annotation() + "(" + units() + (cell() == Cell.RNN ? ", " + activation() : "") + (returnSequences() ? "" : ", last state") + ")" + of(inputs);
    }
  }

  /** {@code @Attention(score, units)}: decoder states (first input) attend over encoder states (second). */
  record Attention(io.kiln.dsl.Score score, int units) implements Layer {
    @Override
    public int arity() {
      return 2;
    }

    @Override
    public String annotation() {
      return "@Attention";
    }

    @Override
    public boolean learns() {
      return score() != io.kiln.dsl.Score.DOT;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@Attention(" + score() + (units() > 0 ? ", " + units() : "") + ") of " + inputs.get(0) + " over " + inputs.get(1);
    }
  }

  /** {@code @Concat}: inputs joined along the feature axis. */
  record Concat() implements Layer {
    @Override
    public int arity() {
      return TWO_OR_MORE;
    }

    @Override
    public String annotation() {
      return "@Concat";
    }

    @Override
    public boolean learns() {
      return false;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@Concat" + of(inputs);
    }
  }

  /** {@code @Add}: element-wise sum of the inputs (a residual connection). */
  record Add() implements Layer {
    @Override
    public int arity() {
      return TWO_OR_MORE;
    }

    @Override
    public String annotation() {
      return "@Add";
    }

    @Override
    public boolean learns() {
      return false;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@Add" + of(inputs);
    }
  }

  /** {@code @LayerNorm(epsilon)} over the last axis. */
  record LayerNorm(double epsilon) implements Layer {
    @Override
    public String annotation() {
      return "@LayerNorm";
    }

    @Override
    public boolean learns() {
      return true;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@LayerNorm" + of(inputs);
    }
  }

  /** {@code @MultiHeadAttention(heads, causal)}: self-attention with Q, K, V and output projections. */
  record MultiHeadAttention(int heads, boolean causal) implements Layer {
    @Override
    public String annotation() {
      return "@MultiHeadAttention";
    }

    @Override
    public boolean learns() {
      return true;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@MultiHeadAttention(" + heads() + " heads" + (causal() ? ", causal" : "") + ")" + of(inputs);
    }
  }

  /** {@code @PositionEmbedding(maxLength)}; {@code maxLength} 0 means the input's longest sequence. */
  record PositionEmbedding(int maxLength) implements Layer {
    @Override
    public String annotation() {
      return "@PositionEmbedding";
    }

    @Override
    public boolean learns() {
      return true;
    }

    @Override
    public String describe(List<String> inputs) {
      return "@PositionEmbedding" + of(inputs);
    }
  }
}
