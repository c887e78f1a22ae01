package io.kiln.runtime.rnn;

import com.sun.management.ThreadMXBean;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.gemm.LeadingDimensions;
import io.kiln.runtime.simd.RecurrentCells;
import io.kiln.runtime.simd.Vectorization;
import java.lang.management.ManagementFactory;
import java.util.Random;

/**
 * Not a test: charlstm-size LSTM timings (B 32, T 64, F 64, H 256), run by hand with
 * {@code java --add-modules jdk.incubator.vector -cp ... io.kiln.runtime.rnn.RnnBench [threads]}.
 * Prints forward and forward+backward ms per call, and the same call's phases replayed one by one
 * (GEMMs vs fused passes), all interleaved in rounds so load on a shared machine hits each alike.
 */
public final class RnnBench {
  static final int B = 32;
  static final int T = 64;
  static final int F = 64;
  static final int H = 256;
  static final RecurrentGeometry G = new RecurrentGeometry(CellKind.LSTM, F, H);
  static final int GH = G.gateWidth();
  static final Random R = new Random(1);
  static final float[] X = fill(B * T * F);
  static final float[] DX = new float[B * T * F];
  static final float[] WIH = fill(G.weightIhSize());
  static final float[] WHH = fill(G.weightHhSize());
  static final float[] BIH = fill(GH);
  static final float[] BHH = fill(GH);
  static final float[] DWIH = new float[G.weightIhSize()];
  static final float[] DWHH = new float[G.weightHhSize()];
  static final float[] DBIH = new float[GH];
  static final float[] DBHH = new float[GH];
  static final float[] Y = new float[B * T * H];
  static final float[] DY = fill(B * T * H);
  static final float[] HT = new float[B * H];
  static final float[] CT = new float[B * H];
  static final float[] WS = new float[G.workspaceFloats(B, T)];
  static final float[] SC = new float[G.backwardScratchFloats(B, T)];
  static final Epilogue BIAS = Epilogue.biasActivation(BIH, 0, io.kiln.dsl.Activation.NONE);
  static final Epilogue ACC_BIAS = Epilogue.of(true, Epilogue.Bias.PER_COLUMN, BHH, 0, io.kiln.dsl.Activation.NONE);
  /** Step t's rows of the [B, T, ·] workspace and of dGates. */
  static final LeadingDimensions STEP_ROWS = new LeadingDimensions(T * H, 0, T * GH);
  static final LeadingDimensions STEP_GRADS = new LeadingDimensions(T * GH, 0, 0);
  static final GemmKernel GEMM = Vectorization.provider().gemm();
  static final RecurrentCells CELLS = Vectorization.provider().recurrentCells();

  private RnnBench() {}

  static float[] fill(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (R.nextGaussian() * 0.06);
    }
    return a;
  }

  static void forward() {
    Recurrent.forward(G, B, T, X, 0, WIH, 0, WHH, 0, BIH, 0, BHH, 0, null, 0, null, 0, Y, 0, HT, 0, CT, 0, WS, 0);
  }

  static void backward() {
    Recurrent.backward(G, B, T, X, 0, WIH, 0, WHH, 0, null, 0, null, 0, DY, 0, null, 0, null, 0, DX, 0, false,
        null, 0, null, 0, DWIH, 0, DWHH, 0, DBIH, 0, DBHH, 0, WS, 0, SC, 0);
  }

  // the phases of forward + backward, replayed with the same shapes
  static void fwdInputGemm() {
    GEMM.gemm(Layout.NT, B * T, GH, F, X, 0, WIH, 0, WS, 0, BIAS);
  }

  static void fwdStepGemms() {
    int hprev = B * T * GH;
    int packed = WS.length - G.packedRecurrentWeights();
    if (!CELLS.packsSteps()) {
      for (int t = 0; t < T; t++) {
        GEMM.gemm(Layout.NT, B, GH, H, WS, hprev + t * H, WHH, 0, WS, t * GH, ACC_BIAS, STEP_ROWS);
      }
      return;
    }
    CELLS.pack(true, WHH, 0, H, GH, WS, packed);
    for (int t = 0; t < T; t++) {
      CELLS.multiplyPacked(B, GH, H, WS, hprev + t * H, T * H, packed, t * GH, T * GH, true, BHH, 0);
    }
  }

  /** The general GEMM for the forward step products, for comparison. */
  static void fwdStepGeneralGemms() {
    int hprev = B * T * GH;
    for (int t = 0; t < T; t++) {
      GEMM.gemm(Layout.NT, B, GH, H, WS, hprev + t * H, WHH, 0, WS, t * GH, ACC_BIAS, STEP_ROWS);
    }
  }

  static void fwdCells() {
    int hprev = B * T * GH;
    int cs = hprev + B * T * H;
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        int row = b * T + t;
        // re-activating activations is the same work as activating pre-activations
        CELLS.lstmForward(WS, row * GH, t == 0 ? null : WS, cs + (row - 1) * H, WS, cs + row * H, Y, row * H, H, H);
      }
    }
  }

  static void bwdCells() {
    int hprev = B * T * GH;
    int cs = hprev + B * T * H;
    for (int t = T - 1; t >= 0; t--) {
      for (int b = 0; b < B; b++) {
        int row = b * T + t;
        CELLS.lstmBackward(WS, row * GH, cs + row * H, t == 0 ? null : WS, cs + (row - 1) * H, SC,
            B * T * GH + b * H, DY, row * H, B * T * GH + B * H + b * H, row * GH, H);
      }
    }
  }

  static void bwdStepGemms() {
    int packed = SC.length - G.packedRecurrentWeightsBackward();
    if (!CELLS.packsSteps()) {
      for (int t = T - 1; t >= 0; t--) {
        GEMM.gemm(Layout.NN, B, H, GH, SC, t * GH, WHH, 0, SC, B * T * GH, Epilogue.NONE, STEP_GRADS);
      }
      return;
    }
    CELLS.pack(false, WHH, 0, GH, H, SC, packed);
    for (int t = T - 1; t >= 0; t--) {
      CELLS.multiplyPacked(B, H, GH, SC, t * GH, T * GH, packed, B * T * GH, H, false, null, 0);
    }
  }

  static void bwdFinalGemms() {
    int hprev = B * T * GH;
    GEMM.gemm(Layout.TN, GH, H, B * T, SC, 0, WS, hprev, DWHH, 0, Epilogue.ACCUMULATE);
    GEMM.gemm(Layout.TN, GH, F, B * T, SC, 0, X, 0, DWIH, 0, Epilogue.ACCUMULATE);
    GEMM.gemm(Layout.NN, B * T, F, GH, SC, 0, WIH, 0, DX, 0, Epilogue.NONE);
  }

  static double time(Runnable r, int reps) {
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      r.run();
    }
    return (System.nanoTime() - t0) / 1e6 / reps;
  }

  public static void main(String[] args) {
    if (args.length > 0) {
      Parallelism.setThreads(Integer.parseInt(args[0]));
    }
    System.out.println("threads " + Parallelism.threads() + ", cells " + CELLS.getClass().getSimpleName());
    ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 30; i++) {
      long a0 = mx.getCurrentThreadAllocatedBytes();
      forward();
      backward();
      long a = mx.getCurrentThreadAllocatedBytes() - a0;
      if (i >= 25) {
        System.out.println("warm-up call " + i + ": allocated " + a + " bytes");
      }
    }
    Runnable[] phases = {RnnBench::fwdInputGemm, RnnBench::fwdStepGemms, RnnBench::fwdCells,
        RnnBench::bwdCells, RnnBench::bwdStepGemms, RnnBench::bwdFinalGemms, RnnBench::fwdStepGeneralGemms};
    String[] names = {"fwd input GEMM", "fwd step GEMMs", "fwd cell passes", "bwd cell passes", "bwd step GEMMs",
        "bwd final GEMMs (dWhh, dWih, dX)",
        "(not in the call) fwd step products by general GEMM"};
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    double[] sum = new double[phases.length];
    double fwd = 0;
    double both = 0;
    for (int round = 0; round < rounds; round++) {
      fwd += time(RnnBench::forward, 5);
      both += time(() -> {
        forward();
        backward();
      }, 5);
      for (int p = 0; p < phases.length; p++) {
        sum[p] += time(phases[p], 5);
      }
    }
    System.out.printf("forward           %8.2f ms%n", fwd / rounds);
    System.out.printf("forward+backward  %8.2f ms%n", both / rounds);
    double total = 0;
    for (int p = 0; p < phases.length - 1; p++) {
      total += sum[p];
    }
    for (int p = 0; p < phases.length; p++) {
      System.out.printf("  %-52s %8.2f ms  %5.1f%%%n", names[p], sum[p] / rounds, 100 * sum[p] / total);
    }
    System.out.printf("  %-52s %8.2f ms%n", "sum of phases", total / rounds);
  }
}
