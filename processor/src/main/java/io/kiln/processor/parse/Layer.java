package io.kiln.processor.parse;

import io.kiln.dsl.Activation;
import io.kiln.dsl.Init;
import io.kiln.dsl.LossKind;
import io.kiln.dsl.Padding;
import java.util.Arrays;

/** The layer annotation of a node, with its attribute values as written. */
public sealed interface Layer {
  /** The annotation as users write it, e.g. {@code @Dense}. */
  String annotation();

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
    public String annotation() {
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
  }

  /** {@code @Flatten}: a view of a sample as one vector, row-major. */
  record Flatten() implements Layer {
    @Override
    public String annotation() {
      return "@Flatten";
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
    public String annotation() {
      return "@Loss";
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
  }

  /** {@code @BatchNorm(momentum, epsilon)}. */
  record BatchNorm(double momentum, double epsilon) implements Layer {
    @Override
    public String annotation() {
      return "@BatchNorm";
    }
  }

  /** {@code @Tokens(maxLength, decoded)}: an input of token-id sequences. */
  record Tokens(int maxLength, boolean decoded) implements Layer {
    public Tokens(int maxLength) {
      this(maxLength, false);
    }

    @Override
    public String annotation() {
      return "@Tokens";
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
  }

  /** {@code @Attention(score, units)}: decoder states (first input) attend over encoder states (second). */
  record Attention(io.kiln.dsl.Score score, int units) implements Layer {
    @Override
    public String annotation() {
      return "@Attention";
    }
  }

  /** {@code @Concat}: inputs joined along the feature axis. */
  record Concat() implements Layer {
    @Override
    public String annotation() {
      return "@Concat";
    }
  }

  /** {@code @Add}: element-wise sum of the inputs (a residual connection). */
  record Add() implements Layer {
    @Override
    public String annotation() {
      return "@Add";
    }
  }

  /** {@code @LayerNorm(epsilon)} over the last axis. */
  record LayerNorm(double epsilon) implements Layer {
    @Override
    public String annotation() {
      return "@LayerNorm";
    }
  }

  /** {@code @MultiHeadAttention(heads, causal)}: self-attention with Q, K, V and output projections. */
  record MultiHeadAttention(int heads, boolean causal) implements Layer {
    @Override
    public String annotation() {
      return "@MultiHeadAttention";
    }
  }

  /** {@code @PositionEmbedding(maxLength)}; {@code maxLength} 0 means the input's longest sequence. */
  record PositionEmbedding(int maxLength) implements Layer {
    @Override
    public String annotation() {
      return "@PositionEmbedding";
    }
  }
}
