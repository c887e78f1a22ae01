package io.kiln.runtime.rnn;

import io.kiln.runtime.Parallelism;
import io.kiln.runtime.gemm.LeadingDimensions;
import java.util.function.IntConsumer;

/**
 * What the forward and backward step loops of {@link Recurrent} share: the layer's workspace
 * layout, the weights the step products read, and the split of the batch into {@link RowChunks},
 * each run as one {@link Parallelism#forEach} task over every time step (forward, a single
 * sequence may instead split its units: {@link UnitChunks}). A loop object holds one
 * call's arguments; the subclasses keep a few of them for reuse, so a call allocates nothing.
 */
abstract sealed class StepLoop implements IntConsumer permits ForwardSteps, BackwardSteps {
  CellKind kind;
  int batch;
  int steps;
  int h;
  int gh;
  /** The forward workspace; {@code acts}, {@code hprev}, {@code extra}: its regions (see {@code Recurrent.forward}). */
  float[] ws;
  int acts;
  int hprev;
  int extra;
  /** W_hh packed by {@code RecurrentCells.pack}, or −1: the step products are general GEMM calls. */
  int packed;
  float[] wHh;
  int wHhOff;
  /** Step t's rows for the general GEMM (null with packed products). */
  LeadingDimensions stepRows;
  float[] c0;
  int c0Off;
  private int chunks;

  /** Sets what both loops read; the subclass's own arguments are set by the caller, then {@link #run}. */
  final void layer(RecurrentGeometry g, int batch, int steps, float[] ws, int wsOff, int packed, float[] wHh,
      int wHhOff, LeadingDimensions stepRows, float[] c0, int c0Off) {
    this.kind = g.kind();
    this.batch = batch;
    this.steps = steps;
    this.h = g.hidden();
    this.gh = g.gateWidth();
    this.ws = ws;
    this.acts = wsOff;
    this.hprev = acts + batch * steps * gh;
    this.extra = hprev + batch * steps * h;
    this.packed = packed;
    this.wHh = wHh;
    this.wHhOff = wHhOff;
    this.stepRows = stepRows;
    this.c0 = c0;
    this.c0Off = c0Off;
  }

  /** Runs the loop's {@link #tasks()} in parallel, then drops the call's array references. */
  final void run() {
    try {
      Parallelism.forEach(tasks(), this);
    } finally {
      ws = null;
      wHh = null;
      stepRows = null;
      c0 = null;
      clear();
    }
  }

  /** The call's tasks: by default one per chunk of rows, each running {@link #rows}. */
  int tasks() {
    chunks = RowChunks.count(batch);
    return chunks;
  }

  @Override
  public void accept(int chunk) {
    rows(RowChunks.start(chunk, batch, chunks), RowChunks.start(chunk + 1, batch, chunks));
  }

  /** Every time step for batch rows {@code [b0, b1)}. */
  abstract void rows(int b0, int b1);

  /** Drops the subclass's own array references. */
  abstract void clear();
}
