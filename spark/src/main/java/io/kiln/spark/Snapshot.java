package io.kiln.spark;

import io.kiln.runtime.Parameter;
import io.kiln.runtime.TrainableModel;
import io.kiln.runtime.train.OptimizerState;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the driver broadcasts before a step or a round: the weights, the non-learned state
 * (batch-norm statistics), and for local SGD the optimizer's state and the learning rates of the
 * round's steps (computed on the driver, so schedules need not be serializable). Tasks only read
 * it, so a retried task starts from exactly the same place.
 */
record Snapshot(String modelName, float[] params, float[] state, OptimizerSnapshot optimizer, float[] learningRates)
    implements Serializable {

  /** The model's current weights and state, copied. */
  static Snapshot of(TrainableModel model, OptimizerSnapshot optimizer, float[] learningRates) {
    return new Snapshot(model.modelName(), model.parameterSlab().clone(), state(model), optimizer, learningRates);
  }

  /**
   * Overwrites {@code model}'s weights and state with these.
   *
   * @throws IllegalArgumentException if the model is another model or has another size
   */
  void loadInto(TrainableModel model) {
    if (!model.modelName().equals(modelName) || model.parameterSlab().length != params.length) {
      throw new IllegalArgumentException("the model factory made " + model.modelName() + " with "
          + model.parameterSlab().length + " parameters on this executor but the driver's model is " + modelName
          + " with " + params.length + "; the factory must make the same model everywhere");
    }
    System.arraycopy(params, 0, model.parameterSlab(), 0, params.length);
    setState(model, state);
  }

  /** The model's buffers (batch-norm running statistics), concatenated in order; empty if none. */
  static float[] state(TrainableModel model) {
    List<Parameter> buffers = model.buffers();
    int n = 0;
    for (Parameter b : buffers) {
      n += b.size();
    }
    float[] out = new float[n];
    int at = 0;
    for (Parameter b : buffers) {
      float[] v = b.toArray();
      System.arraycopy(v, 0, out, at, v.length);
      at += v.length;
    }
    return out;
  }

  /** Writes {@link #state} back, from {@code flat[from ..]}. */
  static void setState(TrainableModel model, float[] flat, int from) {
    int at = from;
    for (Parameter b : model.buffers()) {
      float[] v = new float[b.size()];
      System.arraycopy(flat, at, v, 0, v.length);
      b.copyFrom(v);
      at += v.length;
    }
  }

  static void setState(TrainableModel model, float[] flat) {
    setState(model, flat, 0);
  }

  /** An {@link OptimizerState} in a form Java serialization can ship. */
  record OptimizerSnapshot(String kind, long steps, float learningRate, String[] names, float[][] buffers)
      implements Serializable {

    static OptimizerSnapshot of(OptimizerState s) {
      String[] names = s.buffers().keySet().toArray(new String[0]);
      float[][] buffers = new float[names.length][];
      for (int i = 0; i < names.length; i++) {
        buffers[i] = s.buffers().get(names[i]).clone();
      }
      return new OptimizerSnapshot(s.kind(), s.steps(), s.learningRate(), names, buffers);
    }

    OptimizerState toState() {
      Map<String, float[]> m = new LinkedHashMap<>();
      for (int i = 0; i < names.length; i++) {
        m.put(names[i], buffers[i]);
      }
      return new OptimizerState(kind, steps, learningRate, m);
    }
  }
}
