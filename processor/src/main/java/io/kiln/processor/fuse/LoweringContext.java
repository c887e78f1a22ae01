package io.kiln.processor.fuse;

import io.kiln.processor.ir.Node;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapedGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a layer family's lowering sees and adds to: the shapes, the parameter and buffer tables, the
 * forward calls in program order (each also under the nodes it covers, since a node's backward
 * reads what its forward kept), and one lowering object per family, shared by forward and backward.
 */
public final class LoweringContext {
  public final ShapedGraph shaped;
  public final Parameters parameters;
  public final Buffers buffers;
  /** The forward call that computes each node (a fused call appears under each node it covers). */
  public final Map<String, ForwardCall> forwardCalls = new HashMap<>();
  /** The caller's input arrays, in declaration order. */
  private final List<Buffer> inputs = new ArrayList<>();
  private final List<ForwardCall> program = new ArrayList<>();
  private final Map<Class<?>, FamilyLowering> families = new HashMap<>();
  /** The loss call (null for a model without a loss): evaluated alone until the backward folds the loss gradient into it. */
  private KernelCall.LossForward loss;

  public LoweringContext(ShapedGraph shaped, Parameters parameters, Buffers buffers) {
    this.shaped = shaped;
    this.parameters = parameters;
    this.buffers = buffers;
  }

  /** The family's lowering, made on first use: its state (e.g. recurrent state gradients) lives until the backward. */
  public <T extends FamilyLowering> T family(Class<T> type, Function<LoweringContext, T> create) {
    FamilyLowering lowering = families.get(type);
    if (lowering == null) {
      lowering = create.apply(this);
      families.put(type, lowering);
    }
    return type.cast(lowering);
  }

  public Shape shape(Node n) {
    return shaped.shape(n);
  }

  /** A new activation buffer holding {@code n}'s output. */
  public Buffer output(Node n) {
    Buffer out = Buffers.of(n.name(), Buffer.Kind.ACTIVATION, shaped.shape(n));
    buffers.activation.put(n.name(), out);
    return out;
  }

  /** Declares {@code n} as one of the caller's input arrays. */
  public void input(Node n, Buffer.Kind kind) {
    Buffer in = Buffers.of(n.name(), kind, shaped.shape(n));
    inputs.add(in);
    buffers.activation.put(n.name(), in);
  }

  /** {@code n} is a view: its output is its input's memory. */
  public void view(Node n) {
    buffers.activation.put(n.name(), buffers.activation.get(n.input()));
  }

  /** Appends {@code n}'s forward call to the program. */
  public void add(Node n, ForwardCall call) {
    program.add(call);
    forwardCalls.put(n.name(), call);
  }

  /** Declares the loss call; a model whose scored node has no parameters upstream evaluates it but trains nothing. */
  public void loss(KernelCall.LossForward call) {
    loss = call;
  }

  /** The loss gradient folds into the loss call: one pass computes the loss and {@code d input}. */
  public void lossGradient(String input) {
    loss = new KernelCall.LossForward(loss.covers(), loss.kind(), loss.input(), loss.labels(), buffers.gradient.get(input), loss.perSample(),
        loss.ignoreIndex());
  }

  /** The caller's input arrays, in declaration order. */
  public List<Buffer> inputs() {
    return inputs;
  }

  /** The loss call, with its gradient once the backward has folded it in; null for a model without a loss. */
  public KernelCall.LossForward loss() {
    return loss;
  }

  /** The forward calls so far, for a lowering that puts a call of its own before the node's. */
  public List<ForwardCall> program() {
    return program;
  }
}
