package io.kiln.runtime.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Adam update shared by {@link Adam} (L2 decay folded into the gradient) and {@link AdamW}
 * (decay applied to the weights, decoupled from the moments). Follows {@code torch.optim.Adam}
 * and {@code AdamW}, non-AMSGrad, non-fused:
 *
 * <pre>
 *   s = clipping ? min(1, τ / ‖grad‖₂) : 1      (‖·‖ over the whole slab, in double)
 *   g = s · grad
 *   t += 1
 *   AdamW: p = p · (1 − lr · λ)          Adam: g = g + λ · p
 *   m = β1 · m + (1 − β1) · g
 *   v = β2 · v + (1 − β2) · g²
 *   p = p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 *
 * The per-step scalars are computed in double (as PyTorch does in Python) and rounded once.
 */
final class AdamUpdate {
  final String name;
  float lr;
  final float beta1;
  final float beta2;
  final float eps;
  final float weightDecay;
  final boolean decoupled;
  final float clipNorm; // 0: no clipping
  private long t;
  private float[] m;
  private float[] v;
  double lastNorm = Double.NaN;

  static final String EXP_AVG = "exp_avg";
  static final String EXP_AVG_SQ = "exp_avg_sq";

  AdamUpdate(String name, float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
      float clipNorm) {
    this.name = name;
    this.lr = OptimizerArgs.learningRate(name, lr);
    this.beta1 = OptimizerArgs.unitInterval(name, "beta1", beta1);
    this.beta2 = OptimizerArgs.unitInterval(name, "beta2", beta2);
    this.eps = OptimizerArgs.nonNegative(name, "eps", eps);
    this.weightDecay = OptimizerArgs.nonNegative(name, "weight decay", weightDecay);
    this.decoupled = decoupled;
    this.clipNorm = clipNorm;
  }

  void step(float[] params, float[] grads, int count) {
    OptimizerArgs.arrays(name, params, grads, count);
    if (m != null) {
      OptimizerArgs.sameCount(name, m.length, count);
    }
    float s = 1f; // multiplying by 1f is exact: without clipping the update is bitwise the plain one
    if (clipNorm != 0f) {
      lastNorm = GradientClipping.globalNorm(grads, count);
      s = GradientClipping.factor(name, lastNorm, clipNorm);
    }
    if (m == null) {
      m = new float[count];
      v = new float[count];
    }
    t++;
    double bc1 = 1.0 - StrictMath.pow(beta1, t);
    double bc2 = 1.0 - StrictMath.pow(beta2, t);
    float stepSize = (float) (lr / bc1);
    float sqrtBc2 = (float) Math.sqrt(bc2);
    float shrink = decoupled ? (float) (1.0 - (double) lr * weightDecay) : 1f;
    float l2 = decoupled ? 0f : weightDecay;
    float b1 = beta1;
    float b2 = beta2;
    float c1 = 1f - b1;
    float c2 = 1f - b2;
    float e = eps;
    float[] m = this.m;
    float[] v = this.v;
    for (int i = 0; i < count; i++) {
      float p = params[i] * shrink;
      float g = grads[i] * s + l2 * p;
      float mi = b1 * m[i] + c1 * g;
      float vi = b2 * v[i] + c2 * (g * g);
      m[i] = mi;
      v[i] = vi;
      params[i] = p - stepSize * (mi / ((float) Math.sqrt(vi) / sqrtBc2 + e));
    }
  }

  Map<String, String> settings() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("lr", Float.toString(lr));
    out.put("betas", "(" + beta1 + ", " + beta2 + ")");
    out.put("eps", Float.toString(eps));
    out.put("weight_decay", Float.toString(weightDecay));
    out.put("clip_global_norm", Float.toString(clipNorm));
    return out;
  }

  OptimizerState state() {
    Map<String, float[]> buffers = new LinkedHashMap<>();
    if (m != null) {
      buffers.put(EXP_AVG, m);
      buffers.put(EXP_AVG_SQ, v);
    }
    return new OptimizerState(name, t, lr, buffers);
  }

  void restore(OptimizerState state) {
    float[][] buffers = OptimizerArgs.restoredBuffers(name, state, List.of(EXP_AVG, EXP_AVG_SQ));
    lr = state.learningRate();
    t = state.steps();
    m = buffers == null ? null : buffers[0];
    v = buffers == null ? null : buffers[1];
  }

  String clipSuffix() {
    return clipNorm != 0f ? ", clipGlobalNorm=" + clipNorm : "";
  }
}
