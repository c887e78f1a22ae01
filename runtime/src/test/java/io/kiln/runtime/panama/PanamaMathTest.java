package io.kiln.runtime.panama;

import static com.google.common.truth.Truth.assertWithMessage;

import io.kiln.dsl.Activation;
import io.kiln.runtime.gemm.Epilogue;
import io.kiln.runtime.simd.FastMath;
import io.kiln.runtime.simd.ScalarElementwise;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * PanamaMath gives exactly FastMath's bits, lane for lane, in every form (vector methods and the
 * array kernels that repeat the polynomial), so the Vector API kernels and their scalar twins
 * agree bitwise on activations, GEMM epilogues and every exp/log1p term of the losses.
 */
class PanamaMathTest {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  interface FloatFn {
    float apply(float x);
  }

  /** Specials, edges and a stride over all bit patterns; length a multiple of 16 plus a tail of 5. */
  static float[] inputs() {
    float[] specials = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
        -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 0.625f, -0.625f, 88.7228317f,
        88.72284f, -87.33655f, -103.3f, -104f, -104.1f, 89f, 89.1f, 0.5f, 2f, 1e-30f, -1e-30f, 9.01f, -9.01f};
    int strided = 1 << 17;
    float[] x = new float[specials.length + strided + 2 * 16 * 40 + 5];
    System.arraycopy(specials, 0, x, 0, specials.length);
    int at = specials.length;
    for (int i = 0; i < strided; i++) {
      x[at++] = Float.intBitsToFloat(i * 32771 + 12345);
    }
    SplittableRandom r = new SplittableRandom(7);
    while (at < x.length) {
      x[at++] = (float) (r.nextGaussian() * 30);
    }
    return x;
  }

  private static void assertSameBits(String what, float[] expected, float[] actual, float[] in) {
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
        assertWithMessage("%s(%s) at %s", what, in[i], i).that(actual[i]).isEqualTo(expected[i]);
      }
    }
  }

  private static float[] scalar(float[] in, FloatFn f) {
    float[] out = new float[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = f.apply(in[i]);
    }
    return out;
  }

  private static float[] vector(float[] in, UnaryOperator<FloatVector> f) {
    float[] out = new float[in.length];
    int i = 0;
    for (; i < S.loopBound(in.length); i += S.length()) {
      f.apply(FloatVector.fromArray(S, in, i)).intoArray(out, i);
    }
    for (; i < in.length; i++) {
      out[i] = f.apply(FloatVector.broadcast(S, in[i])).lane(0);
    }
    return out;
  }

  @Test
  void vectorMethodsMatchFastMathBitwise() {
    float[] x = inputs();
    assertSameBits("exp", scalar(x, FastMath::exp), vector(x, PanamaMathReference::exp), x);
    assertSameBits("tanh", scalar(x, FastMath::tanh), vector(x, PanamaMathReference::tanh), x);
    assertSameBits("sigmoid", scalar(x, FastMath::sigmoid), vector(x, PanamaMathReference::sigmoid), x);
    assertSameBits("log", scalar(x, FastMath::log), vector(x, PanamaMathReference::log), x);
    assertSameBits("log1p", scalar(x, FastMath::log1p), vector(x, PanamaMathReference::log1p), x);
  }

  @Test
  void arrayKernelsMatchFastMathBitwise() {
    float[] x = inputs();
    for (int off : new int[] {0, 3}) {
      int n = x.length - off;
      float[] s = x.clone();
      PanamaMath.sigmoid(s, off, n);
      float[] t = x.clone();
      PanamaMath.tanh(t, off, n);
      float[] e = new float[x.length];
      PanamaMath.expShifted(e, off, x, off, n, 1.5f);
      float[] es = new float[x.length];
      float[] et = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        es[i] = i < off ? x[i] : FastMath.sigmoid(x[i]);
        et[i] = i < off ? x[i] : FastMath.tanh(x[i]);
        e[i] = i < off ? 0f : e[i];
      }
      float[] ee = new float[x.length];
      for (int i = off; i < x.length; i++) {
        ee[i] = FastMath.exp(x[i] - 1.5f);
      }
      assertSameBits("sigmoid[] off=" + off, es, s, x);
      assertSameBits("tanh[] off=" + off, et, t, x);
      assertSameBits("expShifted off=" + off, ee, e, x);
    }
  }

  @Test
  void bceTermsAndGradientsMatchTheScalarFormulasBitwise() {
    float[] z = inputs();
    float[] t = new float[z.length];
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < t.length; i++) {
      t[i] = r.nextInt(2);
    }
    int bound = S.loopBound(z.length);
    float invN = 1f / z.length;
    float[] d = new float[z.length];
    double total = PanamaMath.sigmoidBceTerms(d, 0, z, 0, t, 0, bound, invN);
    float[] dRef = new float[z.length];
    for (int i = 0; i < bound; i++) {
      dRef[i] = (FastMath.sigmoid(z[i]) - t[i]) * invN;
    }
    assertSameBits("bce gradient", dRef, d, z);
    // The sum is lane-wise; check one vector's worth of terms exactly.
    float[] one = new float[S.length()];
    float[] oneT = new float[S.length()];
    for (int i = 0; i < one.length; i++) {
      one[i] = (float) r.nextGaussian() * 10;
      oneT[i] = r.nextInt(2);
    }
    // Only one non-zero lane at a time: the lane sum is then that term exactly.
    for (int lane = 0; lane < one.length; lane++) {
      float[] zz = new float[one.length];
      float[] tt = new float[one.length];
      zz[lane] = one[lane];
      tt[lane] = oneT[lane];
      float got = (float) PanamaMath.sigmoidBceTerms(null, 0, zz, 0, tt, 0, one.length, 1f);
      float term = Math.max(zz[lane], 0f) - zz[lane] * tt[lane] + FastMath.log1p(FastMath.exp(-Math.abs(zz[lane])));
      float zeroTerm = FastMath.log1p(FastMath.exp(-0f)); // the other lanes: z = 0, t = 0
      float expected = (float) ((double) term + (one.length - 1) * (double) zeroTerm);
      assertWithMessage("lane %s", lane).that(Math.abs(got - expected)).isAtMost(Math.ulp(expected) * 4);
    }
    assertWithMessage("a NaN logit makes the total NaN").that(Double.isNaN(total)).isTrue();
  }

  @Test
  void elementwiseActivationsAndGemmEpilogueMatchTheScalarTwinBitwise() {
    float[] x = inputs();
    PanamaElementwise vec = new PanamaElementwise();
    ScalarElementwise ref = new ScalarElementwise();
    for (Activation f : Activation.values()) {
      float[] a = x.clone();
      float[] b = x.clone();
      vec.activate(f, a, 1, x.length - 1);
      ref.activate(f, b, 1, x.length - 1);
      assertSameBits("activate " + f, b, a, x);
    }
    // The GEMM epilogue on a C block with a column bias against ScalarElementwise.apply.
    int rows = 7;
    int cols = 3 * S.length() + 5;
    int ldc = cols + 2;
    SplittableRandom r = new SplittableRandom(11);
    float[] bias = new float[cols];
    for (int j = 0; j < cols; j++) {
      bias[j] = (float) r.nextGaussian();
    }
    for (Activation f : new Activation[] {Activation.SIGMOID, Activation.TANH}) {
      float[] c = new float[rows * ldc];
      for (int i = 0; i < c.length; i++) {
        c[i] = x[(i * 7919) % x.length];
      }
      float[] expected = c.clone();
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          expected[i * ldc + j] = ScalarElementwise.apply(f, c[i * ldc + j] + bias[j]);
        }
      }
      PanamaGemm.epilogue(Epilogue.biasActivation(bias, 0, f), c, 0, ldc, rows, cols, 0, 0);
      assertSameBits("epilogue " + f, expected, c, c);
    }
  }
}
