package io.kiln.runtime.gemm;

import io.kiln.dsl.Activation;
import java.util.Objects;

/**
 * What a GEMM does with each result before storing it: optionally add the old C (accumulate),
 * add a bias per row or per column, then apply an activation. Immutable; build once (e.g. in a
 * generated model's constructor) and reuse, so a call allocates nothing.
 */
public final class Epilogue {
  /** Where a bias vector is broadcast. */
  public enum Bias {
    NONE,
    /** {@code C[i][j] += bias[i]} (length m). */
    PER_ROW,
    /** {@code C[i][j] += bias[j]} (length n): dense layers. */
    PER_COLUMN
  }

  /** {@code C = op(A)·op(B)}. */
  public static final Epilogue NONE = new Epilogue(false, Bias.NONE, null, 0, Activation.NONE);

  /** {@code C += op(A)·op(B)}: gradient accumulation. */
  public static final Epilogue ACCUMULATE = new Epilogue(true, Bias.NONE, null, 0, Activation.NONE);

  private final boolean accumulate;
  private final Bias bias;
  private final float[] biasData;
  private final int biasOffset;
  private final Activation activation;

  private Epilogue(boolean accumulate, Bias bias, float[] biasData, int biasOffset, Activation activation) {
    this.accumulate = accumulate;
    this.bias = Objects.requireNonNull(bias);
    this.biasData = biasData;
    this.biasOffset = biasOffset;
    this.activation = Objects.requireNonNull(activation);
    if (bias != Bias.NONE && biasData == null) {
      throw new IllegalArgumentException("bias " + bias + " needs bias data");
    }
  }

  /** {@code C = f((C if accumulate) + op(A)·op(B) + bias)}. */
  public static Epilogue of(boolean accumulate, Bias bias, float[] biasData, int biasOffset, Activation activation) {
    return new Epilogue(accumulate, bias, biasData, biasOffset, activation);
  }

  /** Dense-layer epilogue: bias per column (may be null for none) and an activation. */
  public static Epilogue biasActivation(float[] biasData, int biasOffset, Activation activation) {
    return new Epilogue(false, biasData == null ? Bias.NONE : Bias.PER_COLUMN, biasData, biasOffset, activation);
  }

  public boolean accumulate() {
    return accumulate;
  }

  public Bias bias() {
    return bias;
  }

  public float[] biasData() {
    return biasData;
  }

  public int biasOffset() {
    return biasOffset;
  }

  public Activation activation() {
    return activation;
  }

  /** True when the epilogue only stores (or accumulates) the product. */
  public boolean isPlain() {
    return bias == Bias.NONE && activation == Activation.NONE;
  }
}
