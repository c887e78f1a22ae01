package io.kiln.bench;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_full;

/**
 * OpenBLAS {@code cblas_sgemm} (bytedeco's bundled build) on off-heap buffers, for a same-run
 * comparison. Loaded by name only when {@code --openblas} is given, so the rest of the harness
 * never links JavaCPP.
 */
final class OpenBlasSgemm implements AutoCloseable {
  private final FloatPointer a;
  private final FloatPointer b;
  private final FloatPointer c;

  OpenBlasSgemm(float[] a, float[] b, int cSize) {
    this.a = new FloatPointer(a);
    this.b = new FloatPointer(b);
    this.c = new FloatPointer((long) cSize);
  }

  static String version() {
    return openblas_full.openblas_get_config().getString() + " (core " + openblas_full.openblas_get_corename().getString() + ")";
  }

  static void setThreads(int n) {
    openblas_full.openblas_set_num_threads(n);
  }

  /** {@code C = op(A)·op(B)} row-major, layout as in Kiln ("NN", "NT", "TN"). */
  void sgemm(String layout, int m, int n, int k) {
    int ta = layout.charAt(0) == 'T' ? openblas_full.CblasTrans : openblas_full.CblasNoTrans;
    int tb = layout.charAt(1) == 'T' ? openblas_full.CblasTrans : openblas_full.CblasNoTrans;
    int lda = ta == openblas_full.CblasTrans ? m : k;
    int ldb = tb == openblas_full.CblasTrans ? k : n;
    openblas_full.cblas_sgemm(openblas_full.CblasRowMajor, ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
  }

  @Override
  public void close() {
    a.close();
    b.close();
    c.close();
  }
}
