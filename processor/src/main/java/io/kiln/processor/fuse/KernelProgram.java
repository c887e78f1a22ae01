package io.kiln.processor.fuse;

import io.kiln.processor.shape.ShapedGraph;
import java.util.List;
import java.util.Map;

/**
 * The model as runtime kernel calls: the output of fusion and the input of memory planning and
 * emission.
 *
 * @param params learned tensors (the parameter slab; the optimizer updates them)
 * @param state tensors that are saved with the model but not learned (batch-norm running statistics)
 * @param inputs the caller's input arrays, in declaration order
 * @param labels the caller's labels array (null without a loss)
 * @param output the buffer {@code forward} returns
 * @param loss the fused loss call (null without a loss)
 * @param backward the backward calls in execution order (empty without a loss)
 */
public record KernelProgram(
    ShapedGraph shaped,
    List<ParamTensor> params,
    List<ParamTensor> state,
    List<Buffer> inputs,
    Buffer labels,
    Buffer output,
    List<ForwardCall> forward,
    KernelCall.LossForward loss,
    List<BackwardCall> backward) {
  public KernelProgram {
    params = List.copyOf(params);
    state = List.copyOf(state);
    inputs = List.copyOf(inputs);
    forward = List.copyOf(forward);
    backward = List.copyOf(backward);
  }

  /** Every call of a training step in order: forward, the fused loss, backward. */
  public List<KernelCall> trainingSequence() {
    List<KernelCall> all = new java.util.ArrayList<>(forward);
    if (loss != null) {
      all.add(loss);
    }
    all.addAll(backward);
    return all;
  }

  /** The arena buffers any call touches, in first-use order. */
  public List<Buffer> arenaBuffers() {
    java.util.LinkedHashSet<Buffer> set = new java.util.LinkedHashSet<>();
    for (KernelCall c : trainingSequence()) {
      c.writes().stream().filter(Buffer::inArena).forEach(set::add);
      c.reads().stream().filter(Buffer::inArena).forEach(set::add);
    }
    return List.copyOf(set);
  }

  /** Parameters by name. */
  public Map<String, ParamTensor> paramsByName() {
    Map<String, ParamTensor> map = new java.util.LinkedHashMap<>();
    params.forEach(p -> map.put(p.name(), p));
    return map;
  }
}
