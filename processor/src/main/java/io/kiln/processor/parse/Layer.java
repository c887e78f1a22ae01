package io.kiln.processor.parse;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Padding;
import java.util.Arrays;
import java.util.List;

/**
 * The layer annotation of a node, with its attribute values as written; each record reads its own
 * annotation ({@code from}), so an attribute is added in one place.
 */
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

  /** Whether greedy decoding feeds each prediction back into this input (a decoded {@code @Tokens}). */
  default boolean decoded() { return false; }

  /**
   * The layer as the generated class's shape legend shows it, e.g. {@code @Dense(120, RELU) of
   * flat}, given the nodes it reads.
   */
  String describe(List<String> inputs);

  /** {@code " of a, b"}, or "" for a node that reads nothing. */
  private static String of(List<String> inputs) {
    return inputs.isEmpty() ? "" : " of " + String.join(", ", inputs);
  }

  /**
   * {@code @Input(shape, maxLength)}: a float input, one sample's shape; with {@code maxLength > 0}
   * a sequence of up to that many steps, each of {@code shape}.
   */
  record Input(int[] shape, int maxLength) implements Layer {
    static Input from(io.kiln.dsl.Input a) {
      return new Input(a.shape(), a.maxLength());
    }

    public Input {
      shape = shape.clone();
    }

    /** An input without a time axis. */
    public Input(int[] shape) {
      this(shape, 0);
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

    @Override public String annotation() { return "@Input"; }

    @Override public boolean learns() { return false; }

    @Override
    public String describe(List<String> inputs) {
      return "@Input";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Input other && Arrays.equals(shape, other.shape) && maxLength == other.maxLength;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(shape) * 31 + maxLength;
    }

    @Override
    public String toString() {
      return "Input" + Arrays.toString(shape) + (maxLength > 0 ? " ≤ " + maxLength + " steps" : "");
    }
  }

  /** {@code @Dense(units, activation, bias, init)}. */
  record Dense(int units, Activation activation, boolean bias, Init init) implements Layer {
    static Dense from(io.kiln.dsl.Dense a) {
      return new Dense(a.units(), a.activation(), a.bias(), a.init());
    }

    @Override public String annotation() { return "@Dense"; }

    @Override public boolean learns() { return true; }

    @Override
    public String describe(List<String> inputs) {
      return "@Dense(" + units() + (activation() != Activation.NONE ? ", " + activation() : "") + (bias() ? "" : ", no bias") + ")" + of(inputs);
    }
  }

  /** {@code @Flatten}: a view of a sample as one vector, row-major. */
  record Flatten() implements Layer {
    static Flatten from(io.kiln.dsl.Flatten a) {
      return new Flatten();
    }

    @Override public String annotation() { return "@Flatten"; }

    @Override public boolean learns() { return false; }

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
    static Loss from(io.kiln.dsl.Loss a) {
      return new Loss(a.value(), a.ignoreIndex());
    }

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

    @Override public String annotation() { return "@Loss"; }

    @Override public boolean learns() { return false; }

    @Override
    public String describe(List<String> inputs) {
      return "@Loss(" + kind() + (ignores() ? ", ignoreIndex " + ignoreIndex() : "") + ")" + of(inputs);
    }
  }

  /**
   * {@code @Conv} or {@code @Conv1d} as written: {@code kernel} or {@code kernelHeight}/{@code
   * kernelWidth} (0 when not given); {@code stride}, {@code pad} and {@code dilation} hold one value
   * for both axes or one per axis (the shape pass checks that exactly one kernel form is used and
   * that no list is longer than the axes). A {@code @Conv1d} ({@code axes} 1) reads {@code [C, T]}
   * and is read as a 1 × kernel convolution.
   */
  record Conv(int filters, int kernel, int kernelHeight, int kernelWidth, List<Integer> stride, Padding padding, List<Integer> pad,
      List<Integer> dilation, Activation activation, boolean bias, Init init, int axes) implements Layer {
    static Conv from(io.kiln.dsl.Conv a) {
      return new Conv(a.filters(), a.kernel(), a.kernelHeight(), a.kernelWidth(), list(a.stride()), a.padding(), list(a.pad()),
          list(a.dilation()), a.activation(), a.bias(), a.init(), 2);
    }

    static Conv from(io.kiln.dsl.Conv1d a) {
      return new Conv(a.filters(), a.kernel(), 0, 0, List.of(a.stride()), a.padding(), List.of(a.pad()), List.of(a.dilation()),
          a.activation(), a.bias(), a.init(), 1);
    }

    @Override
    public String annotation() {
      return axes == 1 ? "@Conv1d" : "@Conv";
    }

    @Override public boolean learns() { return true; }

    @Override
    public String describe(List<String> inputs) {
      return annotation() + "(" + filters() + ", " + (axes == 1 ? kw() : kh() + "×" + kw())
          + (strideH() != 1 || strideW() != 1 ? ", stride " + perAxis(strideH(), strideW()) : "")
          + (dilationH() != 1 || dilationW() != 1 ? ", dilation " + perAxis(dilationH(), dilationW()) : "")
          + ", " + padding() + (activation() != Activation.NONE ? ", " + activation() : "") + ")" + of(inputs);
    }

    /** The kernel's height, from whichever form was written (1 for {@code @Conv1d}). */
    public int kh() {
      return axes == 1 ? 1 : kernel > 0 ? kernel : kernelHeight;
    }

    public int kw() {
      return kernel > 0 ? kernel : kernelWidth;
    }

    public int strideH() {
      return axes == 1 ? 1 : first(stride);
    }

    public int strideW() {
      return last(stride);
    }

    /** Zeros above and below (none for {@code @Conv1d}). */
    public int padH() {
      return axes == 1 ? 0 : first(pad);
    }

    public int padW() {
      return last(pad);
    }

    public int dilationH() {
      return axes == 1 ? 1 : first(dilation);
    }

    public int dilationW() {
      return last(dilation);
    }

    /** The rows a dilated window spans: {@code (kh − 1)·dilationH + 1}. */
    public long spanH() {
      return (long) (kh() - 1) * dilationH() + 1;
    }

    public long spanW() {
      return (long) (kw() - 1) * dilationW() + 1;
    }
  }

  /**
   * {@code @MaxPool}/{@code @AvgPool} ({@code axes} 2), {@code @MaxPool1d}/{@code @AvgPool1d}
   * ({@code axes} 1) or {@code @GlobalAvgPool} ({@code global}: one window over whatever plane it
   * reads, no size); {@code size} and {@code stride} hold one value for both axes or one per axis,
   * a stride of 0 meaning "same as size".
   */
  record Pool(boolean max, List<Integer> size, List<Integer> stride, int axes, boolean global) implements Layer {
    static Pool from(io.kiln.dsl.MaxPool a) {
      return new Pool(true, list(a.size()), list(a.stride()), 2, false);
    }

    static Pool from(io.kiln.dsl.AvgPool a) {
      return new Pool(false, list(a.size()), list(a.stride()), 2, false);
    }

    static Pool from(io.kiln.dsl.MaxPool1d a) {
      return new Pool(true, List.of(a.size()), List.of(a.stride()), 1, false);
    }

    static Pool from(io.kiln.dsl.AvgPool1d a) {
      return new Pool(false, List.of(a.size()), List.of(a.stride()), 1, false);
    }

    static Pool from(io.kiln.dsl.GlobalAvgPool a) {
      return new Pool(false, List.of(), List.of(), 0, true);
    }

    @Override
    public String annotation() {
      return global ? "@GlobalAvgPool" : (max ? "@MaxPool" : "@AvgPool") + (axes == 1 ? "1d" : "");
    }

    @Override public boolean learns() { return false; }

    @Override
    public String describe(List<String> inputs) {
      if (global) {
        return annotation() + of(inputs);
      }
      String window = axes == 1 ? String.valueOf(sizeW()) : perAxis(sizeH(), sizeW());
      boolean touching = strideH() == sizeH() && strideW() == sizeW();
      return annotation() + "(" + window + (touching ? "" : ", stride " + (axes == 1 ? String.valueOf(strideW()) : perAxis(strideH(), strideW()))) + ")"
          + of(inputs);
    }

    /** The window's rows (1 for a 1-D pool). */
    public int sizeH() {
      return axes == 1 ? 1 : first(size);
    }

    public int sizeW() {
      return last(size);
    }

    /** The rows between windows: as written, or the window's rows when 0. */
    public int strideH() {
      return axes == 1 ? 1 : first(stride) == 0 ? sizeH() : first(stride);
    }

    public int strideW() {
      return last(stride) == 0 ? sizeW() : last(stride);
    }
  }

  /** {@code @Dropout(rate)}. */
  record Dropout(double rate) implements Layer {
    static Dropout from(io.kiln.dsl.Dropout a) {
      return new Dropout(a.rate());
    }

    @Override public String annotation() { return "@Dropout"; }

    @Override public boolean learns() { return false; }

    @Override
    public String describe(List<String> inputs) {
      return "@Dropout(" + rate() + ")" + of(inputs);
    }
  }

  /** {@code @BatchNorm(momentum, epsilon)}. */
  record BatchNorm(double momentum, double epsilon) implements Layer {
    static BatchNorm from(io.kiln.dsl.BatchNorm a) {
      return new BatchNorm(a.momentum(), a.epsilon());
    }

    @Override public String annotation() { return "@BatchNorm"; }

    @Override public boolean learns() { return true; }

    @Override
    public String describe(List<String> inputs) {
      return "@BatchNorm" + of(inputs);
    }
  }

  /** {@code @Tokens(maxLength, decoded)}: an input of token-id sequences. */
  record Tokens(int maxLength, boolean decoded) implements Layer {
    static Tokens from(io.kiln.dsl.Tokens a) {
      return new Tokens(a.maxLength(), a.decoded());
    }

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

    @Override public String annotation() { return "@Tokens"; }

    @Override public boolean learns() { return false; }

    @Override
    public String describe(List<String> inputs) {
      return "@Tokens(maxLength " + maxLength() + (decoded() ? ", decoded" : "") + ")";
    }
  }

  /** {@code @Embedding(vocab, dim, shares)}; {@code shares} is "" for an embedding with its own table. */
  record Embedding(int vocab, int dim, String shares) implements Layer {
    static Embedding from(io.kiln.dsl.Embedding a) {
      return new Embedding(a.vocab(), a.dim(), a.shares());
    }

    public Embedding(int vocab, int dim) {
      this(vocab, dim, "");
    }

    @Override public String annotation() { return "@Embedding"; }

    @Override public boolean learns() { return true; }

    @Override
    public String describe(List<String> inputs) {
      return "@Embedding(" + vocab() + " → " + dim() + (shares().isEmpty() ? "" : ", " + shares() + "'s table") + ")" + of(inputs);
    }
  }

  /** {@code @Rnn}, {@code @Lstm} or {@code @Gru}. */
  record Recurrent(Cell cell, int units, Activation activation, boolean returnSequences, boolean bias, boolean bidirectional)
      implements Layer {
    static Recurrent from(io.kiln.dsl.Rnn a) {
      return new Recurrent(Cell.RNN, a.units(), a.activation(), a.returnSequences(), a.bias(), a.bidirectional());
    }

    static Recurrent from(io.kiln.dsl.Lstm a) {
      return new Recurrent(Cell.LSTM, a.units(), Activation.TANH, a.returnSequences(), a.bias(), a.bidirectional());
    }

    static Recurrent from(io.kiln.dsl.Gru a) {
      return new Recurrent(Cell.GRU, a.units(), Activation.TANH, a.returnSequences(), a.bias(), a.bidirectional());
    }

    /** Features per step (or of the last state): both directions' side by side when bidirectional. */
    public int outputWidth() {
      return bidirectional ? 2 * units : units;
    }

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

    @Override public boolean learns() { return true; }

    @Override
    public String describe(List<String> inputs) {
      return annotation() + "(" + units() + (cell() == Cell.RNN ? ", " + activation() : "") + (returnSequences() ? "" : ", last state") + ")" + of(inputs);
    }
  }

  /** {@code @Attention(score, units)}: decoder states (first input) attend over encoder states (second). */
  record Attention(io.kiln.dsl.Score score, int units) implements Layer {
    static Attention from(io.kiln.dsl.Attention a) {
      return new Attention(a.score(), a.units());
    }

    @Override
    public int arity() {
      return 2;
    }

    @Override public String annotation() { return "@Attention"; }

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
    static Concat from(io.kiln.dsl.Concat a) {
      return new Concat();
    }

    @Override
    public int arity() {
      return TWO_OR_MORE;
    }

    @Override public String annotation() { return "@Concat"; }

    @Override public boolean learns() { return false; }

    @Override
    public String describe(List<String> inputs) {
      return "@Concat" + of(inputs);
    }
  }

  /** {@code @Add}: element-wise sum of the inputs (a residual connection). */
  record Add() implements Layer {
    static Add from(io.kiln.dsl.Add a) {
      return new Add();
    }

    @Override
    public int arity() {
      return TWO_OR_MORE;
    }

    @Override public String annotation() { return "@Add"; }

    @Override public boolean learns() { return false; }

    @Override
    public String describe(List<String> inputs) {
      return "@Add" + of(inputs);
    }
  }

  /** {@code @LayerNorm(epsilon)} over the last axis. */
  record LayerNorm(double epsilon) implements Layer {
    static LayerNorm from(io.kiln.dsl.LayerNorm a) {
      return new LayerNorm(a.epsilon());
    }

    @Override public String annotation() { return "@LayerNorm"; }

    @Override public boolean learns() { return true; }

    @Override
    public String describe(List<String> inputs) {
      return "@LayerNorm" + of(inputs);
    }
  }

  /** {@code @MultiHeadAttention(heads, causal)}: self-attention with Q, K, V and output projections. */
  record MultiHeadAttention(int heads, boolean causal) implements Layer {
    static MultiHeadAttention from(io.kiln.dsl.MultiHeadAttention a) {
      return new MultiHeadAttention(a.heads(), a.causal());
    }

    @Override public String annotation() { return "@MultiHeadAttention"; }

    @Override public boolean learns() { return true; }

    @Override
    public String describe(List<String> inputs) {
      return "@MultiHeadAttention(" + heads() + " heads" + (causal() ? ", causal" : "") + ")" + of(inputs);
    }
  }

  /** {@code @PositionEmbedding(maxLength)}; {@code maxLength} 0 means the input's longest sequence. */
  record PositionEmbedding(int maxLength) implements Layer {
    static PositionEmbedding from(io.kiln.dsl.PositionEmbedding a) {
      return new PositionEmbedding(a.maxLength());
    }

    @Override public String annotation() { return "@PositionEmbedding"; }

    @Override public boolean learns() { return true; }

    @Override
    public String describe(List<String> inputs) {
      return "@PositionEmbedding" + of(inputs);
    }
  }

  /** A per-axis attribute's height value: its first, or its only one. */
  private static int first(List<Integer> values) {
    return values.isEmpty() ? 0 : values.get(0);
  }

  /** A per-axis attribute's width value: its last, or its only one. */
  private static int last(List<Integer> values) {
    return values.isEmpty() ? 0 : values.get(values.size() - 1);
  }

  private static String perAxis(int height, int width) {
    return height == width ? String.valueOf(height) : "(" + height + ", " + width + ")";
  }

  /** An annotation's {@code int[]} attribute (one value for every axis, or one per axis) as a list. */
  private static List<Integer> list(int[] values) {
    return java.util.Arrays.stream(values).boxed().toList();
  }
}
