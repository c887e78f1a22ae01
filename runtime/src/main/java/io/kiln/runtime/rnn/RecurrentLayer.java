package io.kiln.runtime.rnn;

import io.kiln.runtime.At;
import io.kiln.runtime.Checks;
import java.util.Objects;

/**
 * One recurrent layer of a model, built once: its geometry, where each of its tensors lives and its
 * working memory. A training step then calls {@code layer.forward(batch, steps, x, xOff)} and
 * {@code layer.backward(batch, steps, x, xOff)} instead of {@link Recurrent}'s positional lists of
 * every array and offset (the input sequence is passed per call because it may be the caller's
 * array); the arithmetic is {@link Recurrent}'s. A layer object is not for concurrent use by two
 * threads.
 *
 * <pre>{@code
 * RecurrentLayer lstm = RecurrentLayer.of(geometry)
 *     .weights(new At(params, W_IH), new At(params, W_HH))
 *     .output(new At(arena, Y), At.NONE, At.NONE)
 *     .workspace(workspace)
 *     .weightGradients(new At(grads, W_IH), new At(grads, W_HH))
 *     .outputGradients(new At(arena, DY), At.NONE, At.NONE)
 *     .scratch(scratch)
 *     .build();
 * }</pre>
 *
 * <p>Unset optional tensors are {@link At#NONE}: no bias, zero initial state, no input gradient.
 */
public final class RecurrentLayer {
  private final RecurrentGeometry g;
  private final At weightIh;
  private final At weightHh;
  private final At biasIh;
  private final At biasHh;
  private final At h0;
  private final At c0;
  private final At y;
  private final At hT;
  private final At cT;
  private final float[] workspace;
  private final At dy;
  private final At dhT;
  private final At dcT;
  private final At dx;
  private final boolean accumulateDx;
  private final At dh0;
  private final At dc0;
  private final At dWeightIh;
  private final At dWeightHh;
  private final At dBiasIh;
  private final At dBiasHh;
  private final float[] scratch;
  /** The two directions of a bidirectional layer, which run instead of this one's fields; null otherwise. */
  private final Bidirectional bidirectional;
  /** The embedding table the input rows come from ({@link Builder#embedding}), or {@link At#NONE}. */
  private final At embedding;
  private final int vocab;
  /** The input projection of every table row, {@code [vocab, G·H]}; null without an embedding. */
  private final float[] projectedTable;

  private RecurrentLayer(Builder b) {
    this.g = b.g;
    this.weightIh = Objects.requireNonNull(b.weightIh, "weights");
    this.weightHh = b.weightHh;
    this.biasIh = b.biasIh;
    this.biasHh = b.biasHh;
    this.h0 = b.h0;
    this.c0 = b.c0;
    this.y = b.y;
    this.hT = b.hT;
    this.cT = b.cT;
    this.workspace = Objects.requireNonNull(b.workspace, "workspace");
    this.dy = b.dy;
    this.dhT = b.dhT;
    this.dcT = b.dcT;
    this.dx = b.dx;
    this.accumulateDx = b.accumulateDx;
    this.dh0 = b.dh0;
    this.dc0 = b.dc0;
    this.dWeightIh = b.dWeightIh;
    this.dWeightHh = b.dWeightHh;
    this.dBiasIh = b.dBiasIh;
    this.dBiasHh = b.dBiasHh;
    this.scratch = b.scratch;
    this.bidirectional = b.reverse == null ? null : new Bidirectional(b, b.reverse, b.maxBatch, b.maxSteps);
    this.embedding = b.embedding;
    this.vocab = b.vocab;
    this.projectedTable = b.embedding == At.NONE || bidirectional != null ? null : new float[b.vocab * g.gateWidth()];
  }

  /** A builder for a layer of geometry {@code g}. */
  public static Builder of(RecurrentGeometry g) {
    return new Builder(Objects.requireNonNull(g, "geometry"));
  }

  /** The layer over {@code steps} time steps of {@code batch} sequences {@code x [B, T, F]} (see {@link Recurrent#forward}). */
  public void forward(int batch, int steps, float[] x, int xOff) {
    if (bidirectional != null) {
      bidirectional.forward(batch, steps, x, xOff);
      return;
    }
    run(batch, steps, x, xOff, false);
  }

  /**
   * {@link #forward} of an input whose rows are rows of the {@linkplain Builder#embedding embedding
   * table}: {@code x[p] = table[tokens[p]]} for every position p (the caller's embedding lookup wrote
   * x). When the batch has more positions than the table has rows, the input projection is computed
   * once per table row and copied per position instead of once per position: the same products, so
   * the same bits. x is still the input of {@link #backward}.
   */
  public void forward(int batch, int steps, float[] x, int xOff, int[] tokens, int tokensOff) {
    if (projectedTable == null || (long) batch * steps <= vocab) {
      forward(batch, steps, x, xOff);
      return;
    }
    Embedding.check("tokens", batch, steps, vocab, g.input(), tokens, tokensOff);
    Checks.range("workspace", workspace, 0, g.workspaceFloats(batch, steps));
    Recurrent.projectTable(g, vocab, embedding.array(), embedding.offset(), weightIh.array(), weightIh.offset(),
        biasIh.array(), biasIh.offset(), projectedTable);
    Recurrent.gatherProjection(g, batch, steps, tokens, tokensOff, projectedTable, workspace, 0);
    run(batch, steps, x, xOff, true);
  }

  /** One direction's {@link Recurrent#forward} over this layer's tensors; {@code inputProjected}: step 1 is in the workspace. */
  private void run(int batch, int steps, float[] x, int xOff, boolean inputProjected) {
    Recurrent.forward(g, batch, steps, x, xOff, weightIh.array(), weightIh.offset(), weightHh.array(), weightHh.offset(),
        biasIh.array(), biasIh.offset(), biasHh.array(), biasHh.offset(), h0.array(), h0.offset(), c0.array(), c0.offset(),
        y.array(), y.offset(), hT.array(), hT.offset(), cT.array(), cT.offset(), workspace, 0, inputProjected);
  }

  /** Backpropagation through time for the last {@link #forward} over input {@code x} (see {@link Recurrent#backward}). */
  public void backward(int batch, int steps, float[] x, int xOff) {
    if (dWeightIh == null || scratch == null) {
      throw new IllegalStateException("a recurrent layer built without weight gradients and scratch cannot run backward");
    }
    if (bidirectional != null) {
      bidirectional.backward(batch, steps, x, xOff);
      return;
    }
    Recurrent.backward(g, batch, steps, x, xOff, weightIh.array(), weightIh.offset(), weightHh.array(), weightHh.offset(),
        h0.array(), h0.offset(), c0.array(), c0.offset(), dy.array(), dy.offset(), dhT.array(), dhT.offset(), dcT.array(), dcT.offset(),
        dx.array(), dx.offset(), accumulateDx, dh0.array(), dh0.offset(), dc0.array(), dc0.offset(),
        dWeightIh.array(), dWeightIh.offset(), dWeightHh.array(), dWeightHh.offset(), dBiasIh.array(), dBiasIh.offset(),
        dBiasHh.array(), dBiasHh.offset(), workspace, 0, scratch, 0);
  }

  /** Collects where a layer's tensors live; every optional one defaults to {@link At#NONE}. */
  public static final class Builder {
    final RecurrentGeometry g;
    At weightIh;
    At weightHh;
    At biasIh = At.NONE;
    At biasHh = At.NONE;
    At h0 = At.NONE;
    At c0 = At.NONE;
    At y = At.NONE;
    At hT = At.NONE;
    At cT = At.NONE;
    float[] workspace;
    At dy = At.NONE;
    At dhT = At.NONE;
    At dcT = At.NONE;
    At dx = At.NONE;
    boolean accumulateDx;
    At dh0 = At.NONE;
    At dc0 = At.NONE;
    At dWeightIh;
    At dWeightHh;
    At dBiasIh = At.NONE;
    At dBiasHh = At.NONE;
    float[] scratch;
    /** The reverse direction's weights and their gradients, null for a one-directional layer. */
    Builder reverse;
    int maxBatch;
    int maxSteps;
    At embedding = At.NONE;
    int vocab;

    private Builder(RecurrentGeometry g) {
      this.g = g;
    }

    /** {@code weight_ih [G·H, F]} and {@code weight_hh [G·H, H]}. */
    public Builder weights(At ih, At hh) {
      this.weightIh = ih;
      this.weightHh = hh;
      return this;
    }

    /** {@code bias_ih} and {@code bias_hh [G·H]}. */
    public Builder biases(At ih, At hh) {
      this.biasIh = ih;
      this.biasHh = hh;
      return this;
    }

    /** {@code [B, H]} initial hidden and (LSTM) cell states; {@link At#NONE} starts from zeros. */
    public Builder initialState(At h0, At c0) {
      this.h0 = h0;
      this.c0 = c0;
      return this;
    }

    /** Every step's hidden state {@code [B, T, H]}, the final hidden state and (LSTM) cell state {@code [B, H]}. */
    public Builder output(At y, At hT, At cT) {
      this.y = y;
      this.hT = hT;
      this.cT = cT;
      return this;
    }

    /** {@link RecurrentGeometry#workspaceFloats(int, int)} floats kept from forward for backward. */
    public Builder workspace(float[] workspace) {
      this.workspace = workspace;
      return this;
    }

    /** ∂L/∂y, ∂L/∂hT and ∂L/∂cT, each {@link At#NONE} when nothing reads that output. */
    public Builder outputGradients(At dy, At dhT, At dcT) {
      this.dy = dy;
      this.dhT = dhT;
      this.dcT = dcT;
      return this;
    }

    /** ∂L/∂x, written or (with {@code accumulate}) added to. */
    public Builder inputGradient(At dx, boolean accumulate) {
      this.dx = dx;
      this.accumulateDx = accumulate;
      return this;
    }

    /** ∂L/∂h0 and ∂L/∂c0, written. */
    public Builder initialStateGradients(At dh0, At dc0) {
      this.dh0 = dh0;
      this.dc0 = dc0;
      return this;
    }

    /** Accumulated ({@code +=}) weight gradients. */
    public Builder weightGradients(At ih, At hh) {
      this.dWeightIh = ih;
      this.dWeightHh = hh;
      return this;
    }

    /** Accumulated ({@code +=}) bias gradients. */
    public Builder biasGradients(At ih, At hh) {
      this.dBiasIh = ih;
      this.dBiasHh = hh;
      return this;
    }

    /** {@link RecurrentGeometry#backwardScratchFloats(int, int)} floats of backward working memory. */
    public Builder scratch(float[] scratch) {
      this.scratch = scratch;
      return this;
    }

    /**
     * Makes the layer bidirectional (PyTorch's {@code bidirectional = True}): a reverse direction with
     * these weights ({@code weight_ih_l0_reverse}, …; biases {@link At#NONE} without) reads the sequence
     * from its last step back, and the output set by {@link #output} is both directions' side by side,
     * {@code y [B, T, 2H]} or the last states {@code hT [B, 2H]} (not both; no initial or cell state).
     * The layer keeps the reverse direction's working memory for up to {@code maxBatch} sequences of
     * {@code maxSteps} steps.
     */
    public Builder reverse(At weightIh, At weightHh, At biasIh, At biasHh, int maxBatch, int maxSteps) {
      this.reverse = new Builder(g).weights(weightIh, weightHh).biases(biasIh, biasHh);
      this.maxBatch = maxBatch;
      this.maxSteps = maxSteps;
      return this;
    }

    /** The reverse direction's accumulated ({@code +=}) weight and bias gradients; after {@link #reverse}. */
    public Builder reverseWeightGradients(At ih, At hh, At biasIh, At biasHh) {
      Objects.requireNonNull(reverse, "reverseWeightGradients needs reverse(...) first");
      reverse.weightGradients(ih, hh).biasGradients(biasIh, biasHh);
      return this;
    }

    /**
     * The input is an embedding lookup in {@code table [vocab, F]}: {@link RecurrentLayer#forward(int,
     * int, float[], int, int[], int)} may project the table's rows instead of the input's. Ignored by
     * a bidirectional layer.
     */
    public Builder embedding(At table, int vocab) {
      Checks.positive("vocab", vocab);
      this.embedding = Objects.requireNonNull(table, "table");
      this.vocab = vocab;
      return this;
    }

    public RecurrentLayer build() {
      return new RecurrentLayer(this);
    }
  }
}
