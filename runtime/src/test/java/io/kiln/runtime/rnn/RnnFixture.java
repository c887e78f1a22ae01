package io.kiln.runtime.rnn;

import static io.kiln.runtime.rnn.RnnTestArrays.OFF;
import static io.kiln.runtime.rnn.RnnTestArrays.nans;
import static io.kiln.runtime.rnn.RnnTestArrays.random;
import static io.kiln.runtime.rnn.RnnTestArrays.zeros;

import java.util.Random;

/**
 * One recurrent layer's arguments, all at offset {@link RnnTestArrays#OFF} with NaN guards, and
 * calls of the fast kernels and of the reference on them.
 */
final class RnnFixture {
  final RecurrentGeometry g;
  final int batch;
  final int steps;
  final boolean lstm;
  float[] x;
  float[] wIh;
  float[] wHh;
  float[] bIh;
  float[] bHh;
  float[] h0;
  float[] c0;
  // outputs
  float[] y;
  float[] hT;
  float[] cT;
  // upstream gradients
  float[] dy;
  float[] dhT;
  float[] dcT;
  // gradient outputs (pre-filled to check += / =)
  float[] dx;
  float[] dh0;
  float[] dc0;
  float[] dWIh;
  float[] dWHh;
  float[] dBIh;
  float[] dBHh;
  boolean accumulateDx;
  final float[] workspace;
  final float[] scratch;

  RnnFixture(RecurrentGeometry g, int batch, int steps, boolean withState, boolean withBias, long seed) {
    this.g = g;
    this.batch = batch;
    this.steps = steps;
    this.lstm = g.kind() == CellKind.LSTM;
    Random r = new Random(seed);
    int gh = g.gateWidth();
    int state = g.stateSize(batch);
    // PyTorch's init scale 1/sqrt(H), a little larger so the nonlinearities are exercised
    double ws = 1.5 / Math.sqrt(g.hidden());
    x = random(r, g.inputSize(batch, steps), 1.0);
    wIh = random(r, g.weightIhSize(), 1.5 / Math.sqrt(g.input()));
    wHh = random(r, g.weightHhSize(), ws);
    bIh = withBias ? random(r, gh, 0.5) : null;
    bHh = withBias ? random(r, gh, 0.5) : null;
    h0 = withState ? random(r, state, 0.8) : null;
    c0 = withState && lstm ? random(r, state, 0.8) : null;
    y = nans(g.outputSize(batch, steps));
    hT = nans(state);
    cT = lstm ? nans(state) : null;
    dy = random(r, g.outputSize(batch, steps), 1.0);
    dhT = random(r, state, 1.0);
    dcT = lstm ? random(r, state, 1.0) : null;
    accumulateDx = withBias;
    dx = accumulateDx ? random(r, g.inputSize(batch, steps), 1.0) : nans(g.inputSize(batch, steps));
    dh0 = nans(state);
    dc0 = lstm ? nans(state) : null;
    dWIh = random(r, g.weightIhSize(), 0.1);
    dWHh = random(r, g.weightHhSize(), 0.1);
    dBIh = withBias ? random(r, gh, 0.1) : null;
    dBHh = withBias ? random(r, gh, 0.1) : null;
    workspace = nans(g.workspaceFloats(batch, steps));
    scratch = nans(g.backwardScratchFloats(batch, steps));
  }

  static RnnFixture copyOf(RnnFixture f) {
    RnnFixture c = new RnnFixture(f.g, f.batch, f.steps, f.h0 != null, f.bIh != null, 0);
    c.x = f.x.clone();
    c.wIh = f.wIh.clone();
    c.wHh = f.wHh.clone();
    c.bIh = RnnTestArrays.copy(f.bIh);
    c.bHh = RnnTestArrays.copy(f.bHh);
    c.h0 = RnnTestArrays.copy(f.h0);
    c.c0 = RnnTestArrays.copy(f.c0);
    c.y = RnnTestArrays.copy(f.y);
    c.hT = RnnTestArrays.copy(f.hT);
    c.cT = RnnTestArrays.copy(f.cT);
    c.dy = RnnTestArrays.copy(f.dy);
    c.dhT = RnnTestArrays.copy(f.dhT);
    c.dcT = RnnTestArrays.copy(f.dcT);
    c.dx = RnnTestArrays.copy(f.dx);
    c.dh0 = RnnTestArrays.copy(f.dh0);
    c.dc0 = RnnTestArrays.copy(f.dc0);
    c.dWIh = f.dWIh.clone();
    c.dWHh = f.dWHh.clone();
    c.dBIh = RnnTestArrays.copy(f.dBIh);
    c.dBHh = RnnTestArrays.copy(f.dBHh);
    c.accumulateDx = f.accumulateDx;
    return c;
  }

  void forward() {
    Recurrent.forward(g, batch, steps, x, OFF, wIh, OFF, wHh, OFF, bIh, OFF, bHh, OFF, h0, OFF, c0, OFF,
        y, OFF, hT, OFF, cT, OFF, workspace, OFF);
  }

  void referenceForward() {
    RecurrentReference.forward(g, batch, steps, x, OFF, wIh, OFF, wHh, OFF, bIh, OFF, bHh, OFF, h0, OFF, c0, OFF,
        y, OFF, hT, OFF, cT, OFF);
  }

  void backward() {
    Recurrent.backward(g, batch, steps, x, OFF, wIh, OFF, wHh, OFF, h0, OFF, c0, OFF, dy, OFF, dhT, OFF, dcT, OFF,
        dx, OFF, accumulateDx, dh0, OFF, dc0, OFF, dWIh, OFF, dWHh, OFF, dBIh, OFF, dBHh, OFF, workspace, OFF,
        scratch, OFF);
  }

  void referenceBackward() {
    RecurrentReference.backward(g, batch, steps, x, OFF, wIh, OFF, wHh, OFF, bIh, OFF, bHh, OFF, h0, OFF, c0, OFF,
        dy, OFF, dhT, OFF, dcT, OFF, dx, OFF, accumulateDx, dh0, OFF, dc0, OFF, dWIh, OFF, dWHh, OFF, dBIh, OFF,
        dBHh, OFF);
  }

  /** The test loss {@code Σ dy·y + Σ dhT·hT (+ Σ dcT·cT)} in double, after a forward call. */
  double loss() {
    double l = RnnTestArrays.dot(dy, y, g.outputSize(batch, steps)) + RnnTestArrays.dot(dhT, hT, g.stateSize(batch));
    if (lstm) {
      l += RnnTestArrays.dot(dcT, cT, g.stateSize(batch));
    }
    return l;
  }

  /** Zeroes the accumulated gradients (for finite-difference checks). */
  void zeroGradients() {
    dWIh = zeros(g.weightIhSize());
    dWHh = zeros(g.weightHhSize());
    dBIh = bIh == null ? null : zeros(g.gateWidth());
    dBHh = bHh == null ? null : zeros(g.gateWidth());
    accumulateDx = false;
  }
}
