package io.kiln.runtime.panama;

import io.kiln.dsl.Activation;
import io.kiln.runtime.CallContexts;
import io.kiln.runtime.Parallelism;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.gemm.GemmBlocking;
import io.kiln.runtime.gemm.GemmKernel;
import io.kiln.runtime.gemm.Layout;
import io.kiln.runtime.gemm.LeadingDimensions;
import io.kiln.runtime.simd.ScalarElementwise;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API GEMM: Goto/BLIS-style blocking around a register-blocked micro-kernel.
 *
 * <ul>
 *   <li>Micro-kernel: {@link #MR} rows × {@link #NR} = 2 vectors of columns of C held in
 *       {@code 2·MR} accumulator registers; per k step it loads two vectors of packed B and
 *       broadcasts MR values of packed A ({@code FloatVector.fma}).
 *   <li>Packing: op(B) for a K block × N block into panels of NR columns, contiguous per k, each
 *       panel right before its first micro-kernels; op(A) for an M block into micro-panels of MR
 *       rows. Packing absorbs the layout (NN, NT, TN), so one micro-kernel serves all three;
 *       ragged edges are zero-padded in the panels and stored through a small tile.
 *   <li>NT with 32 or 64 rows of A and a long k: {@link PanamaGemmTransposed} (Cᵀ = B·Aᵀ); NT with
 *       a long k and a small side: the dot path.
 *   <li>Blocking: K in blocks of at most {@link #KC}, N in blocks of at most {@link #NC}, M in
 *       blocks of at most {@link #MC}; the partial sums of K blocks accumulate in C and the epilogue
 *       (bias, activation) runs on each tile right after its last K block, while it is in L1.
 *   <li>Threads: C is split into a grid of rectangles ({@link GemmTaskGrid}), one task each, and a
 *       task runs all the loops above for its rectangle with its own packed panels. The K
 *       blocking depends only on the shape, so every C element is computed by the same operations
 *       in the same order whatever the thread count.
 *   <li>Small products (few flops) take a direct path without packing or threads.
 * </ul>
 */
final class PanamaGemm implements GemmKernel {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int L = S.length();
  /** Micro-tile rows (broadcast A values per k step). */
  static final int MR = 8;
  /** Micro-tile columns: two vectors. */
  static final int NR = 2 * L;
  /**
   * K block. A B panel (KC × NR floats, 64 KB) no longer fits L1 and streams from L2, which the
   * micro-kernel hides; against 256 this halves the passes over C and the kernel calls: measured
   * 0–4% faster on the cubes and 5–18% on the convolution and dense shapes (docs/benchmarks.md).
   */
  static final int KC = 512;
  /** M block: the packed A block (MC × KC floats) stays in L2. */
  static final int MC = 144;
  /** N block: bounds each thread's packed-B buffer (KC × NC floats). */
  static final int NC = 2048;
  /** Below this many multiply-adds (m·n·k) the direct path runs: no packing, no threads. */
  static final long DIRECT_MAX_MNK = 24L * 24 * 24;
  /** Below this many multiply-adds the blocked path stays on the calling thread. */
  static final long PARALLEL_MIN_MNK = 64L * 64 * 64;

  /**
   * One context per concurrent GEMM call (a model's top-level calls, or the per-sample GEMMs of
   * parallel convolution chunks): reused, so a call allocates nothing after warm-up.
   */
  private static final CallContexts<Call> CALLS = new CallContexts<>(8, Call::new);

  PanamaGemm() {}

  @Override
  public void gemm(Layout layout, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, Epilogue epilogue, LeadingDimensions ld) {
    GemmBlocking.check(layout, m, n, k, a, aOff, b, bOff, c, cOff, epilogue, ld);
    if (m == 0 || n == 0) {
      return;
    }
    multiply(layout, m, n, k, a, aOff, ld.lda(layout, m, k), b, bOff, ld.ldb(layout, n, k), c, cOff, ld.ldc(n), epilogue);
  }

  /** The checked call with its strides resolved. */
  private void multiply(Layout layout, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, Epilogue epilogue) {
    if (k == 0 || (long) m * n * k <= DIRECT_MAX_MNK && !(layout == Layout.NT && useDot(m, n, k))) {
      direct(layout, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, epilogue);
      return;
    }
    Call call = CALLS.take();
    try {
      call.sizeFor(Parallelism.threads());
      if (layout == Layout.NT && PanamaGemv.applies(m, k)) {
        PanamaGemv.nt(n, k, a, aOff, b, bOff, ldb, c, cOff, epilogue, call.scratch().dots);
        return;
      }
      if (layout == Layout.NT && useDot(m, n, k)) {
        dotNT(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, epilogue, call.scratch().dots);
        return;
      }
      call.set(layout, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, epilogue);
      try {
        call.run();
      } finally {
        call.clear();
      }
    } finally {
      CALLS.give(call);
    }
  }

  /** One worker's scratch in a call: the packed A and B blocks and edge tiles. Grown, never shrunk. */
  static final class Scratch {
    float[] packedA = new float[0];
    float[] packedB = new float[0];
    final float[] tile = new float[MR * NR];
    /** {@link PanamaGemmTransposed}'s tile after its transpose. */
    final float[] transposedTile = new float[MR * NR];
    /** {@link PanamaGemmTransposed}'s 8 rows of B packed as an A micro-panel. */
    final float[] rowsOfB = new float[MR * KC];
    /** The dot path's 4×4 accumulators, stored for their lane sums. */
    final float[] dots = new float[DOT * DOT * L];

    float[] packedA(int size) {
      if (packedA.length < size) {
        packedA = new float[size];
      }
      return packedA;
    }

    float[] packedB(int size) {
      if (packedB.length < size) {
        packedB = new float[size];
      }
      return packedB;
    }
  }

  /**
   * One GEMM call's state, taken from {@link #CALLS} for the call (no allocation per call): also the
   * task body handed to {@link Parallelism#forEach}. A task is one rectangle of C that it computes
   * start to end (all K blocks), packing its own panels of A and B into the buffers of the worker
   * that runs it: the threads share nothing but the read-only operands, so there is no barrier
   * between K blocks and no packed panel crosses cores (on this machine a shared packed B cost 25%
   * of two-thread speed).
   */
  static final class Call implements IntConsumer {
    /** Scratch of worker i ({@link Parallelism#workerIndex()}) at index i, made by that worker on first use. */
    private Scratch[] perWorker = new Scratch[0];

    /** Makes room for {@code threads} workers' scratch; on the calling thread, before any task runs. */
    void sizeFor(int threads) {
      if (perWorker.length < threads) {
        perWorker = java.util.Arrays.copyOf(perWorker, threads);
      }
    }

    /** The running worker's scratch: each worker reads and writes only its own slot. */
    Scratch scratch() {
      int i = Parallelism.workerIndex();
      if (i >= perWorker.length) {
        return new Scratch(); // the thread count grew mid-call: a worker beyond those sized for
      }
      Scratch s = perWorker[i];
      if (s == null) {
        s = new Scratch();
        perWorker[i] = s;
      }
      return s;
    }

    Layout layout;
    int m, n, k;
    float[] a, b, c;
    int aOff, lda, bOff, ldb, cOff, ldc;
    Epilogue ep;
    boolean accumulate;
    /** K block: depends only on k, so every element of C sums its K blocks in the same order. */
    int kcBlock;
    /** The task grid: {@code gridN} columns of rectangles, each {@code taskRows × taskCols}. */
    int gridN, taskRows, taskCols;
    /** NT with few rows of A: {@link PanamaGemmTransposed}, tasks are column strips. */
    boolean transposed;

    void set(Layout layout, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
        float[] c, int cOff, int ldc, Epilogue ep) {
      this.layout = layout;
      this.m = m;
      this.n = n;
      this.k = k;
      this.a = a;
      this.aOff = aOff;
      this.lda = lda;
      this.b = b;
      this.bOff = bOff;
      this.ldb = ldb;
      this.c = c;
      this.cOff = cOff;
      this.ldc = ldc;
      this.ep = ep;
      this.accumulate = ep.accumulate();
    }

    void clear() {
      a = b = c = null;
      ep = null;
    }

    void run() {
      kcBlock = GemmBlocking.evenBlock(k, KC, 8);
      // a product inside a parallel task (a convolution's per-sample GEMM) runs its tasks inline:
      // split, each would pack its own panels of the same operand
      int threads = (long) m * n * k >= PARALLEL_MIN_MNK && !Parallelism.inTask() ? Parallelism.threads() : 1;
      transposed = layout == Layout.NT && PanamaGemmTransposed.applies(m, n, k);
      int gridM;
      if (transposed) {
        // column strips of C, as many as threads (each packs all of Aᵀ, which is small)
        gridM = 1;
        gridN = Math.min(threads, GemmBlocking.ceilDiv(n, MR));
        taskRows = m;
        taskCols = GemmBlocking.roundUp(GemmBlocking.ceilDiv(n, gridN), MR);
      } else {
        long grid = GemmTaskGrid.choose(m, n, k, threads);
        gridM = GemmTaskGrid.rows(grid);
        gridN = GemmTaskGrid.cols(grid);
        taskRows = GemmBlocking.roundUp(GemmBlocking.ceilDiv(m, gridM), MR);
        taskCols = GemmBlocking.roundUp(GemmBlocking.ceilDiv(n, gridN), NR);
      }
      gridM = GemmBlocking.ceilDiv(m, taskRows);
      gridN = GemmBlocking.ceilDiv(n, taskCols);
      int tasks = gridM * gridN;
      if (tasks == 1) {
        accept(0);
      } else {
        Parallelism.forEach(tasks, this);
      }
    }

    @Override
    public void accept(int task) {
      int i0 = task / gridN * taskRows;
      int j0 = task % gridN * taskCols;
      if (transposed) {
        PanamaGemmTransposed.columns(this, scratch(), j0, Math.min(taskCols, n - j0));
        return;
      }
      rectangle(i0, Math.min(taskRows, m - i0), j0, Math.min(taskCols, n - j0));
    }

    /** {@code C[i0, i0 + rows) × [j0, j0 + cols)} over all of K: Goto's loops jc, pc, ic, jr, ir. */
    private void rectangle(int i0, int rows, int j0, int cols) {
      Scratch s = scratch();
      int ncBlock = GemmBlocking.evenBlock(cols, NC, NR);
      int mcBlock = GemmBlocking.evenBlock(rows, MC, MR);
      float[] bp = s.packedB(kcBlock * GemmBlocking.roundUp(ncBlock, NR));
      float[] ap = s.packedA(mcBlock * kcBlock);
      for (int jc = j0; jc < j0 + cols; jc += ncBlock) {
        int nc = Math.min(ncBlock, j0 + cols - jc);
        int panels = GemmBlocking.ceilDiv(nc, NR);
        for (int pc = 0; pc < k; pc += kcBlock) {
          int kc = Math.min(kcBlock, k - pc);
          for (int ic = i0; ic < i0 + rows; ic += mcBlock) {
            int mc = Math.min(mcBlock, i0 + rows - ic);
            if (layout == Layout.TN) {
              PanamaGemmPacking.packATransposed(a, aOff + pc * lda + ic, lda, mc, kc, ap);
            } else {
              PanamaGemmPacking.packA(a, aOff + ic * lda + pc, lda, mc, kc, ap);
            }
            block(s, ap, bp, ic, mc, jc, nc, pc, kc, ic == i0);
          }
        }
      }
    }

    /** Packs B panel {@code jp} of the block at column {@code jc}, row {@code pc}. */
    private void packPanel(float[] bp, int jp, int jc, int nc, int pc, int kc) {
      int j = jc + jp * NR;
      int w = Math.min(NR, nc - jp * NR);
      if (layout == Layout.NT) {
        PanamaGemmPacking.packBTransposed(b, bOff + j * ldb + pc, ldb, kc, w, bp, jp * NR * kc);
      } else {
        PanamaGemmPacking.packB(b, bOff + pc * ldb + j, ldb, kc, w, bp, jp * NR * kc);
      }
    }

    /**
     * The packed {@code mc × kc} block of A times the {@code kc × nc} block of B into C[ic..][jc..].
     * The first M block packs each B panel right before its micro-kernels, while it is in L1.
     */
    private void block(Scratch s, float[] ap, float[] bp, int ic, int mc, int jc, int nc, int pc, int kc,
        boolean packB) {
      boolean firstK = pc == 0;
      boolean lastK = pc + kc == k;
      boolean add = accumulate || !firstK;
      // a conv's bias (per row, no activation) goes into the full tiles' stores
      boolean rowBias = lastK && ep.bias() == Epilogue.Bias.PER_ROW && ep.activation() == Activation.NONE;
      // a dense layer's bias (per column, maybe ReLU) likewise
      boolean columnBias = lastK && ep.bias() == Epilogue.Bias.PER_COLUMN
          && (ep.activation() == Activation.NONE || ep.activation() == Activation.RELU);
      int microPanels = GemmBlocking.ceilDiv(mc, MR);
      int panels = GemmBlocking.ceilDiv(nc, NR);
      float[] tile = s.tile;
      for (int jp = 0; jp < panels; jp++) {
        int j = jp * NR; // column within the N block
        int cols = Math.min(NR, nc - j);
        int bi = jp * NR * kc;
        if (packB) {
          packPanel(bp, jp, jc, nc, pc, kc);
        }
        for (int ir = 0; ir < microPanels; ir++) {
          int r0 = ir * MR;
          int rows = Math.min(MR, mc - r0);
          int ci = cOff + (ic + r0) * ldc + jc + j;
          if (rows == MR && cols == NR && rowBias) {
            kernelRowBias(ap, ir * MR * kc, bp, bi, kc, c, ci, ldc, add, ep.biasData(), ep.biasOffset() + ic + r0);
            continue;
          }
          if (rows == MR && cols == NR && columnBias) {
            kernelColumnBias(ap, ir * MR * kc, bp, bi, kc, c, ci, ldc, add, ep.biasData(), ep.biasOffset() + jc + j,
                ep.activation() == Activation.RELU);
            continue;
          }
          if (rows == MR && cols == NR) {
            kernel(ap, ir * MR * kc, bp, bi, kc, c, ci, ldc, add);
          } else {
            kernel(ap, ir * MR * kc, bp, bi, kc, tile, 0, NR, false);
            mergeTile(tile, c, ci, ldc, rows, cols, add);
          }
          if (lastK && !ep.isPlain()) {
            epilogue(ep, c, ci, ldc, rows, cols, ic + r0, jc + j);
          }
        }
      }
    }
  }

  /** {@code C[rows×cols] = (add ? C : 0) + tile}. */
  private static void mergeTile(float[] tile, float[] c, int ci, int ldc, int rows, int cols, boolean add) {
    for (int r = 0; r < rows; r++) {
      int t = r * NR;
      int o = ci + r * ldc;
      if (add) {
        for (int j = 0; j < cols; j++) {
          c[o + j] += tile[t + j];
        }
      } else {
        System.arraycopy(tile, t, c, o, cols);
      }
    }
  }

  /**
   * The micro-kernel: {@code C[MR×NR] (+)= Apanel · Bpanel} over {@code kc} steps, with
   * {@code ap[ai + p·MR + r]} and {@code bp[bi + p·NR + j]}: {@link #kernelStore} or {@link #kernelAdd}.
   * Two methods, not one with an {@code if (add)} before the stores: C2 compiles a branch it has
   * not seen taken as a trap, and the deoptimization sends the kernel back to C1 code, where every
   * vector operation is a boxed call (~100× slower) until C2 recompiles it, a second or more.
   */
  static void kernel(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc, boolean add) {
    if (add) {
      kernelAdd(ap, ai, bp, bi, kc, c, ci, ldc);
    } else {
      kernelStore(ap, ai, bp, bi, kc, c, ci, ldc);
    }
  }

  /** {@code C[MR×NR] = Apanel · Bpanel}. */
  static void kernelStore(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      int ao = ai + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, bp, bo);
      FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
      FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    // rows of the tile in C
    int r0 = ci, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
    c00.intoArray(c, r0);
    c01.intoArray(c, r0 + L);
    c10.intoArray(c, r1);
    c11.intoArray(c, r1 + L);
    c20.intoArray(c, r2);
    c21.intoArray(c, r2 + L);
    c30.intoArray(c, r3);
    c31.intoArray(c, r3 + L);
    c40.intoArray(c, r4);
    c41.intoArray(c, r4 + L);
    c50.intoArray(c, r5);
    c51.intoArray(c, r5 + L);
    c60.intoArray(c, r6);
    c61.intoArray(c, r6 + L);
    c70.intoArray(c, r7);
    c71.intoArray(c, r7 + L);
  }


  /** {@code C[MR×NR] += Apanel · Bpanel}. */
  static void kernelAdd(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      int ao = ai + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, bp, bo);
      FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
      FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    // rows of the tile in C
    int r0 = ci, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
    c00 = c00.add(FloatVector.fromArray(S, c, r0));
    c01 = c01.add(FloatVector.fromArray(S, c, r0 + L));
    c10 = c10.add(FloatVector.fromArray(S, c, r1));
    c11 = c11.add(FloatVector.fromArray(S, c, r1 + L));
    c20 = c20.add(FloatVector.fromArray(S, c, r2));
    c21 = c21.add(FloatVector.fromArray(S, c, r2 + L));
    c30 = c30.add(FloatVector.fromArray(S, c, r3));
    c31 = c31.add(FloatVector.fromArray(S, c, r3 + L));
    c40 = c40.add(FloatVector.fromArray(S, c, r4));
    c41 = c41.add(FloatVector.fromArray(S, c, r4 + L));
    c50 = c50.add(FloatVector.fromArray(S, c, r5));
    c51 = c51.add(FloatVector.fromArray(S, c, r5 + L));
    c60 = c60.add(FloatVector.fromArray(S, c, r6));
    c61 = c61.add(FloatVector.fromArray(S, c, r6 + L));
    c70 = c70.add(FloatVector.fromArray(S, c, r7));
    c71 = c71.add(FloatVector.fromArray(S, c, r7 + L));
    c00.intoArray(c, r0);
    c01.intoArray(c, r0 + L);
    c10.intoArray(c, r1);
    c11.intoArray(c, r1 + L);
    c20.intoArray(c, r2);
    c21.intoArray(c, r2 + L);
    c30.intoArray(c, r3);
    c31.intoArray(c, r3 + L);
    c40.intoArray(c, r4);
    c41.intoArray(c, r4 + L);
    c50.intoArray(c, r5);
    c51.intoArray(c, r5 + L);
    c60.intoArray(c, r6);
    c61.intoArray(c, r6 + L);
    c70.intoArray(c, r7);
    c71.intoArray(c, r7 + L);
  }


  /**
   * The micro-kernel with a per-row bias added before the store (the last K block of a convolution's
   * forward, {@code Epilogue.Bias.PER_ROW} without activation): the same operations in the same order
   * as {@link #kernel} then {@link #epilogue}, without the second pass over the tile.
   */
  static void kernelRowBias(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc, boolean add,
      float[] bias, int bOff) {
    if (add) {
      kernelAddRowBias(ap, ai, bp, bi, kc, c, ci, ldc, bias, bOff);
    } else {
      kernelStoreRowBias(ap, ai, bp, bi, kc, c, ci, ldc, bias, bOff);
    }
  }

  /** {@code C[r][·] = (Apanel · Bpanel)[r][·] + bias[bo + r]}. */
  static void kernelStoreRowBias(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc,
      float[] bias, int bOff) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      int ao = ai + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, bp, bo);
      FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
      FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    // rows of the tile in C, and their biases
    float q0 = bias[bOff], q1 = bias[bOff + 1], q2 = bias[bOff + 2], q3 = bias[bOff + 3];
    float q4 = bias[bOff + 4], q5 = bias[bOff + 5], q6 = bias[bOff + 6], q7 = bias[bOff + 7];
    int r0 = ci, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
    c00.add(q0).intoArray(c, r0);
    c01.add(q0).intoArray(c, r0 + L);
    c10.add(q1).intoArray(c, r1);
    c11.add(q1).intoArray(c, r1 + L);
    c20.add(q2).intoArray(c, r2);
    c21.add(q2).intoArray(c, r2 + L);
    c30.add(q3).intoArray(c, r3);
    c31.add(q3).intoArray(c, r3 + L);
    c40.add(q4).intoArray(c, r4);
    c41.add(q4).intoArray(c, r4 + L);
    c50.add(q5).intoArray(c, r5);
    c51.add(q5).intoArray(c, r5 + L);
    c60.add(q6).intoArray(c, r6);
    c61.add(q6).intoArray(c, r6 + L);
    c70.add(q7).intoArray(c, r7);
    c71.add(q7).intoArray(c, r7 + L);
  }
  /** {@code C[r][·] = (C[r][·] + (Apanel · Bpanel)[r][·]) + bias[bo + r]}. */
  static void kernelAddRowBias(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc,
      float[] bias, int bOff) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      int ao = ai + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, bp, bo);
      FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
      FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    // rows of the tile in C, and their biases
    float q0 = bias[bOff], q1 = bias[bOff + 1], q2 = bias[bOff + 2], q3 = bias[bOff + 3];
    float q4 = bias[bOff + 4], q5 = bias[bOff + 5], q6 = bias[bOff + 6], q7 = bias[bOff + 7];
    int r0 = ci, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
    c00 = c00.add(FloatVector.fromArray(S, c, r0));
    c01 = c01.add(FloatVector.fromArray(S, c, r0 + L));
    c10 = c10.add(FloatVector.fromArray(S, c, r1));
    c11 = c11.add(FloatVector.fromArray(S, c, r1 + L));
    c20 = c20.add(FloatVector.fromArray(S, c, r2));
    c21 = c21.add(FloatVector.fromArray(S, c, r2 + L));
    c30 = c30.add(FloatVector.fromArray(S, c, r3));
    c31 = c31.add(FloatVector.fromArray(S, c, r3 + L));
    c40 = c40.add(FloatVector.fromArray(S, c, r4));
    c41 = c41.add(FloatVector.fromArray(S, c, r4 + L));
    c50 = c50.add(FloatVector.fromArray(S, c, r5));
    c51 = c51.add(FloatVector.fromArray(S, c, r5 + L));
    c60 = c60.add(FloatVector.fromArray(S, c, r6));
    c61 = c61.add(FloatVector.fromArray(S, c, r6 + L));
    c70 = c70.add(FloatVector.fromArray(S, c, r7));
    c71 = c71.add(FloatVector.fromArray(S, c, r7 + L));
    c00.add(q0).intoArray(c, r0);
    c01.add(q0).intoArray(c, r0 + L);
    c10.add(q1).intoArray(c, r1);
    c11.add(q1).intoArray(c, r1 + L);
    c20.add(q2).intoArray(c, r2);
    c21.add(q2).intoArray(c, r2 + L);
    c30.add(q3).intoArray(c, r3);
    c31.add(q3).intoArray(c, r3 + L);
    c40.add(q4).intoArray(c, r4);
    c41.add(q4).intoArray(c, r4 + L);
    c50.add(q5).intoArray(c, r5);
    c51.add(q5).intoArray(c, r5 + L);
    c60.add(q6).intoArray(c, r6);
    c61.add(q6).intoArray(c, r6 + L);
    c70.add(q7).intoArray(c, r7);
    c71.add(q7).intoArray(c, r7 + L);
  }
  /**
   * The micro-kernel with a per-column bias and an optional ReLU applied before the store (the last
   * K block of a dense layer, {@code Epilogue.Bias.PER_COLUMN} with no activation or ReLU): the same
   * operations in the same order as {@link #kernel} then {@link #epilogue}, without the second pass
   * over the tile.
   */
  static void kernelColumnBias(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc, boolean add,
      float[] bias, int bOff, boolean relu) {
    if (add) {
      kernelAddColumnBias(ap, ai, bp, bi, kc, c, ci, ldc, bias, bOff, relu);
    } else {
      kernelStoreColumnBias(ap, ai, bp, bi, kc, c, ci, ldc, bias, bOff, relu);
    }
  }

  /** {@code C[r][j] = max((Apanel · Bpanel)[r][j] + bias[bo + j], floor)}. */
  static void kernelStoreColumnBias(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc,
      float[] bias, int bOff, boolean relu) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      int ao = ai + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, bp, bo);
      FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
      FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    // the tile's two column vectors of bias; floor: 0 for ReLU (v.max(0)), −∞ (no change, NaN kept) otherwise
    FloatVector floor = FloatVector.broadcast(S, relu ? 0f : Float.NEGATIVE_INFINITY);
    FloatVector q0 = FloatVector.fromArray(S, bias, bOff);
    FloatVector q1 = FloatVector.fromArray(S, bias, bOff + L);
    int r0 = ci, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
    c00.add(q0).max(floor).intoArray(c, r0);
    c01.add(q1).max(floor).intoArray(c, r0 + L);
    c10.add(q0).max(floor).intoArray(c, r1);
    c11.add(q1).max(floor).intoArray(c, r1 + L);
    c20.add(q0).max(floor).intoArray(c, r2);
    c21.add(q1).max(floor).intoArray(c, r2 + L);
    c30.add(q0).max(floor).intoArray(c, r3);
    c31.add(q1).max(floor).intoArray(c, r3 + L);
    c40.add(q0).max(floor).intoArray(c, r4);
    c41.add(q1).max(floor).intoArray(c, r4 + L);
    c50.add(q0).max(floor).intoArray(c, r5);
    c51.add(q1).max(floor).intoArray(c, r5 + L);
    c60.add(q0).max(floor).intoArray(c, r6);
    c61.add(q1).max(floor).intoArray(c, r6 + L);
    c70.add(q0).max(floor).intoArray(c, r7);
    c71.add(q1).max(floor).intoArray(c, r7 + L);
  }

  /** {@code C[r][j] = max((C[r][j] + (Apanel · Bpanel)[r][j]) + bias[bo + j], floor)}. */
  static void kernelAddColumnBias(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc,
      float[] bias, int bOff, boolean relu) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      int ao = ai + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, bp, bo);
      FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
      FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    // the tile's two column vectors of bias; floor: 0 for ReLU (v.max(0)), −∞ (no change, NaN kept) otherwise
    FloatVector floor = FloatVector.broadcast(S, relu ? 0f : Float.NEGATIVE_INFINITY);
    FloatVector q0 = FloatVector.fromArray(S, bias, bOff);
    FloatVector q1 = FloatVector.fromArray(S, bias, bOff + L);
    int r0 = ci, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
    c00 = c00.add(FloatVector.fromArray(S, c, r0));
    c01 = c01.add(FloatVector.fromArray(S, c, r0 + L));
    c10 = c10.add(FloatVector.fromArray(S, c, r1));
    c11 = c11.add(FloatVector.fromArray(S, c, r1 + L));
    c20 = c20.add(FloatVector.fromArray(S, c, r2));
    c21 = c21.add(FloatVector.fromArray(S, c, r2 + L));
    c30 = c30.add(FloatVector.fromArray(S, c, r3));
    c31 = c31.add(FloatVector.fromArray(S, c, r3 + L));
    c40 = c40.add(FloatVector.fromArray(S, c, r4));
    c41 = c41.add(FloatVector.fromArray(S, c, r4 + L));
    c50 = c50.add(FloatVector.fromArray(S, c, r5));
    c51 = c51.add(FloatVector.fromArray(S, c, r5 + L));
    c60 = c60.add(FloatVector.fromArray(S, c, r6));
    c61 = c61.add(FloatVector.fromArray(S, c, r6 + L));
    c70 = c70.add(FloatVector.fromArray(S, c, r7));
    c71 = c71.add(FloatVector.fromArray(S, c, r7 + L));
    c00.add(q0).max(floor).intoArray(c, r0);
    c01.add(q1).max(floor).intoArray(c, r0 + L);
    c10.add(q0).max(floor).intoArray(c, r1);
    c11.add(q1).max(floor).intoArray(c, r1 + L);
    c20.add(q0).max(floor).intoArray(c, r2);
    c21.add(q1).max(floor).intoArray(c, r2 + L);
    c30.add(q0).max(floor).intoArray(c, r3);
    c31.add(q1).max(floor).intoArray(c, r3 + L);
    c40.add(q0).max(floor).intoArray(c, r4);
    c41.add(q1).max(floor).intoArray(c, r4 + L);
    c50.add(q0).max(floor).intoArray(c, r5);
    c51.add(q1).max(floor).intoArray(c, r5 + L);
    c60.add(q0).max(floor).intoArray(c, r6);
    c61.add(q1).max(floor).intoArray(c, r6 + L);
    c70.add(q0).max(floor).intoArray(c, r7);
    c71.add(q1).max(floor).intoArray(c, r7 + L);
  }

  /** Bias and activation over a {@code rows × cols} block of C whose top-left is C[i0][j0]. */
  static void epilogue(Epilogue ep, float[] c, int ci, int ldc, int rows, int cols, int i0, int j0) {
    Epilogue.Bias bias = ep.bias();
    float[] bd = ep.biasData();
    int bo = ep.biasOffset();
    int f = ep.activation().ordinal();
    for (int r = 0; r < rows; r++) {
      int row = ci + r * ldc;
      float rowBias = bias == Epilogue.Bias.PER_ROW ? bd[bo + i0 + r] : 0f;
      boolean colBias = bias == Epilogue.Bias.PER_COLUMN;
      // Sigmoid and tanh: bias here, then PanamaMath's in-place kernel over the row (still in
      // L1). Their polynomial stays inside that kernel's loop: passing a vector to a method C2
      // does not inline boxes it, and this method is inlined into big callers.
      boolean transcendental = f == SIGMOID || f == TANH;
      int vf = transcendental ? Activation.NONE.ordinal() : f;
      int j = 0;
      for (; j + L <= cols; j += L) {
        FloatVector v = FloatVector.fromArray(S, c, row + j);
        if (colBias) {
          v = v.add(FloatVector.fromArray(S, bd, bo + j0 + j));
        } else if (bias == Epilogue.Bias.PER_ROW) {
          v = v.add(rowBias);
        }
        // the activation with the scalar twin's semantics, written here (no vector crosses a call):
        // ReLU keeps NaN and maps -0 to 0 (Math.max), step(0) = 1
        if (vf == RELU) {
          v = v.max(0f);
        } else if (vf == STEP) {
          v = FloatVector.zero(S).blend(1f, v.compare(VectorOperators.GE, 0f));
        }
        v.intoArray(c, row + j);
      }
      // ragged tail: scalar, with the scalar twin's formulas (bitwise equal to PanamaMath's)
      Activation act = transcendental ? Activation.NONE : ep.activation();
      for (; j < cols; j++) {
        float v = c[row + j] + (colBias ? bd[bo + j0 + j] : rowBias);
        c[row + j] = ScalarElementwise.apply(act, v);
      }
      if (f == SIGMOID) {
        PanamaMath.sigmoid(c, row, cols);
      } else if (f == TANH) {
        PanamaMath.tanh(c, row, cols);
      }
    }
  }

  private static final int RELU = Activation.RELU.ordinal();
  private static final int SIGMOID = Activation.SIGMOID.ordinal();
  private static final int TANH = Activation.TANH.ordinal();
  private static final int STEP = Activation.STEP.ordinal();


  // ---------------------------------------------------------------------------------------------
  // The dot path (NT with a long k and a small m or n)

  /** Rows of A and rows of B per block of the dot path: a DOT × DOT block of C in 16 accumulators. */
  static final int DOT = 4;
  /** The dot path needs at least this k (its lane sums cost ~L adds per element of C). */
  static final int DOT_MIN_K = 384;

  /**
   * NT products with a long k and at most one micro-tile of rows (m ≤ MR) or of columns (n ≤ NR): a
   * convolution's weight gradient dZ·colsᵀ with few filters or a short patch, a 1-unit dense layer.
   * There the blocked path transposes all of B into panels to fill a fraction of each MR × NR tile,
   * while both operands are already k-contiguous. (At m = 64, n = 288, k = 841 the blocked path is
   * faster.) A single row of A ({@code predict} of one sample through a dense layer) takes it from
   * k = L on, also where the product is small enough for the direct path: one dot product per
   * element either way, but four independent chains instead of one. The choice depends only on the
   * shape.
   */
  static boolean useDot(int m, int n, int k) {
    return (k >= DOT_MIN_K && (m <= MR || n <= NR) || m == 1 && k >= L) && L % 4 == 0;
  }

  /**
   * {@code C (+)= A·Bᵀ}: every element a dot product of a row of A and a row of B, computed in
   * DOT × DOT blocks (8 vector loads per 16 FMAs) with per-lane partial sums, then its lanes summed
   * in a fixed order (4 interleaved partials, then pairwise) plus, if k is no multiple of L, a
   * scalar dot of the ragged rest. (No masked loads: they push the kernel past what C1 compiles, and
   * the interpreter runs vector code ~500× slower until C2 takes over.) Edge blocks repeat the last row/column and drop the copies, so every element
   * is computed by the same operations whatever its position.
   */
  static void dotNT(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c,
      int cOff, int ldc, Epilogue ep, float[] red) {
    boolean add = ep.accumulate();
    int kv = k - k % L; // whole vectors; the ragged rest is a scalar dot added to the lane sum
    for (int i0 = 0; i0 < m; i0 += DOT) {
      int a0 = aOff + i0 * lda;
      int a1 = aOff + Math.min(i0 + 1, m - 1) * lda;
      int a2 = aOff + Math.min(i0 + 2, m - 1) * lda;
      int a3 = aOff + Math.min(i0 + 3, m - 1) * lda;
      int rows = Math.min(DOT, m - i0);
      for (int j0 = 0; j0 < n; j0 += DOT) {
        int b0 = bOff + j0 * ldb;
        int b1 = bOff + Math.min(j0 + 1, n - 1) * ldb;
        int b2 = bOff + Math.min(j0 + 2, n - 1) * ldb;
        int b3 = bOff + Math.min(j0 + 3, n - 1) * ldb;
        if (rows == 1) {
          dot1x4(a, a0, b, b0, b1, b2, b3, kv, red);
        } else {
          dot4x4(a, a0, a1, a2, a3, b, b0, b1, b2, b3, kv, red);
        }
        int cols = Math.min(DOT, n - j0);
        for (int r = 0; r < rows; r++) {
          int ci = cOff + (i0 + r) * ldc + j0;
          int ar = aOff + (i0 + r) * lda;
          for (int q = 0; q < cols; q++) {
            float s = laneSum(red, (r * DOT + q) * L);
            if (kv < k) {
              int bq = bOff + (j0 + q) * ldb;
              float t = 0f;
              for (int p = kv; p < k; p++) {
                t = Math.fma(a[ar + p], b[bq + p], t);
              }
              s += t;
            }
            c[ci + q] = add ? c[ci + q] + s : s;
          }
        }
      }
    }
    if (!ep.isPlain()) {
      epilogue(ep, c, cOff, ldc, m, n, 0, 0);
    }
  }

  /** The lanes of {@code red[o, o + L)} summed in a fixed order. */
  private static float laneSum(float[] red, int o) {
    float s0 = red[o];
    float s1 = red[o + 1];
    float s2 = red[o + 2];
    float s3 = red[o + 3];
    for (int l = 4; l < L; l += 4) {
      s0 += red[o + l];
      s1 += red[o + l + 1];
      s2 += red[o + l + 2];
      s3 += red[o + l + 3];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@link #dot4x4}'s first row alone (a single row of A, e.g. {@code predict} of one sample): the same
   * per-lane partials for row 0, without computing three copies of it.
   */
  private static void dot1x4(float[] a, int a0, float[] b, int b0, int b1, int b2, int b3, int k, float[] red) {
    FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
    for (int p = 0; p < k; p += L) {
      FloatVector x = FloatVector.fromArray(S, a, a0 + p);
      c0 = x.fma(FloatVector.fromArray(S, b, b0 + p), c0);
      c1 = x.fma(FloatVector.fromArray(S, b, b1 + p), c1);
      c2 = x.fma(FloatVector.fromArray(S, b, b2 + p), c2);
      c3 = x.fma(FloatVector.fromArray(S, b, b3 + p), c3);
    }
    c0.intoArray(red, 0);
    c1.intoArray(red, L);
    c2.intoArray(red, 2 * L);
    c3.intoArray(red, 3 * L);
  }

  /** 16 dot products (rows a0..a3 × rows b0..b3, length k, a multiple of L) as per-lane partials into {@code red}. */
  private static void dot4x4(float[] a, int a0, int a1, int a2, int a3, float[] b, int b0, int b1, int b2, int b3,
      int k, float[] red) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    for (int p = 0; p < k; p += L) {
      FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
      FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
      FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
      FloatVector y3 = FloatVector.fromArray(S, b, b3 + p);
      FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
      c00 = x0.fma(y0, c00);
      c01 = x0.fma(y1, c01);
      c02 = x0.fma(y2, c02);
      c03 = x0.fma(y3, c03);
      FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
      c10 = x1.fma(y0, c10);
      c11 = x1.fma(y1, c11);
      c12 = x1.fma(y2, c12);
      c13 = x1.fma(y3, c13);
      FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
      c20 = x2.fma(y0, c20);
      c21 = x2.fma(y1, c21);
      c22 = x2.fma(y2, c22);
      c23 = x2.fma(y3, c23);
      FloatVector x3 = FloatVector.fromArray(S, a, a3 + p);
      c30 = x3.fma(y0, c30);
      c31 = x3.fma(y1, c31);
      c32 = x3.fma(y2, c32);
      c33 = x3.fma(y3, c33);
    }
    c00.intoArray(red, 0);
    c01.intoArray(red, L);
    c02.intoArray(red, 2 * L);
    c03.intoArray(red, 3 * L);
    c10.intoArray(red, 4 * L);
    c11.intoArray(red, 5 * L);
    c12.intoArray(red, 6 * L);
    c13.intoArray(red, 7 * L);
    c20.intoArray(red, 8 * L);
    c21.intoArray(red, 9 * L);
    c22.intoArray(red, 10 * L);
    c23.intoArray(red, 11 * L);
    c30.intoArray(red, 12 * L);
    c31.intoArray(red, 13 * L);
    c32.intoArray(red, 14 * L);
    c33.intoArray(red, 15 * L);
  }

  /** Small products: one pass over C, no packing, no threads. */
  static void direct(Layout layout, int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, Epilogue ep) {
    boolean add = ep.accumulate();
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * ldc;
      if (layout == Layout.NT) {
        int ai = aOff + i * lda;
        for (int j = 0; j < n; j++) {
          int bj = bOff + j * ldb;
          float s = 0f;
          int p = 0;
          if (k >= L) {
            FloatVector acc = FloatVector.zero(S);
            for (; p + L <= k; p += L) {
              acc = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, bj + p), acc);
            }
            // Lanes in order, not reduceLanes(ADD): its order (so rounding) changes once C2 compiles it.
            for (int l = 0; l < L; l++) {
              s += acc.lane(l);
            }
          }
          for (; p < k; p++) {
            s = Math.fma(a[ai + p], b[bj + p], s);
          }
          c[ci + j] = add ? c[ci + j] + s : s;
        }
      } else {
        // op(A)[i][p] = a[ai + p·as]
        int ai = layout == Layout.TN ? aOff + i : aOff + i * lda;
        int as = layout == Layout.TN ? lda : 1;
        int j = 0;
        for (; j + L <= n; j += L) {
          FloatVector acc = FloatVector.zero(S);
          for (int p = 0; p < k; p++) {
            acc = FloatVector.broadcast(S, a[ai + p * as]).fma(FloatVector.fromArray(S, b, bOff + p * ldb + j), acc);
          }
          if (add) {
            acc = acc.add(FloatVector.fromArray(S, c, ci + j));
          }
          acc.intoArray(c, ci + j);
        }
        for (; j < n; j++) {
          float s = 0f;
          for (int p = 0; p < k; p++) {
            s = Math.fma(a[ai + p * as], b[bOff + p * ldb + j], s);
          }
          c[ci + j] = add ? c[ci + j] + s : s;
        }
      }
    }
    if (!ep.isPlain()) {
      epilogue(ep, c, cOff, ldc, m, n, 0, 0);
    }
  }
}
