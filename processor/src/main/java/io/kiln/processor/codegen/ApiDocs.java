package io.kiln.processor.codegen;

import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.KernelCall;
import io.kiln.processor.fuse.KernelProgram;
import io.kiln.processor.fuse.ParamTensor;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.parse.ValueType;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The sentences of the generated Javadoc that depend on the model: how an input's length gives the
 * batch, what the labels hold, what the loss averages, how {@code create} initializes each tensor and
 * what a call rejects. Each is derived from the same facts the emitted code uses, so the two cannot
 * disagree (GeneratedJavadocTest reads them back from a generated class).
 */
public final class ApiDocs {
  private final KernelProgram program;
  private final Graph graph;
  private final Function<Buffer, String> var;
  private final Function<Buffer, String> maxSteps;

  /**
   * @param var the Java name of a caller's array in the generated methods
   * @param maxSteps the name of a sequence input's {@code MAX_STEPS_*} constant
   */
  ApiDocs(KernelProgram program, Graph graph, Function<Buffer, String> var, Function<Buffer, String> maxSteps) {
    this.program = program;
    this.graph = graph;
    this.var = var;
    this.maxSteps = maxSteps;
  }

  private boolean sequential() {
    return program.inputs().stream().anyMatch(Buffer::isSequence);
  }

  private boolean hasDropout() {
    return program.forward().stream().anyMatch(ForwardCall::drawsMasks);
  }

  /** One line per distinct initialization, naming the tensors it fills, in declaration order. */
  public String initDocs() {
    Map<String, List<String>> byInit = new java.util.LinkedHashMap<>();
    for (ParamTensor p : program.params()) {
      byInit.computeIfAbsent(initDoc(p), k -> new java.util.ArrayList<>()).add(p.name());
    }
    for (ParamTensor p : program.state()) {
      byInit.computeIfAbsent(initDoc(p), k -> new java.util.ArrayList<>()).add(p.name() + " (buffer)");
    }
    StringBuilder doc = new StringBuilder();
    byInit.forEach((init, tensors) -> doc.append("  <li>").append(init).append(": ").append(String.join(", ", tensors)).append("\n"));
    return doc.toString();
  }

  /** How {@code Initializers.fill} fills {@code p}, with its fans: what the generated create() calls. */
  public static String initDoc(ParamTensor p) {
    int sum = p.fanIn() + p.fanOut();
    return switch (p.init()) {
      case ZEROS -> "zeros";
      case ONES -> "ones";
      case XAVIER_NORMAL -> p.fanIn() == 1 ? "normal N(0, 1)" : "normal N(0, 1/" + p.fanIn() + ")";
      case HE_NORMAL -> "He normal N(0, 2/" + p.fanIn() + ")";
      // Recurrent layers use fanIn = fanOut = 3·units, which is PyTorch's U(±1/√units).
      case XAVIER_UNIFORM -> sum % 6 == 0 ? "uniform U(±1/√" + sum / 6 + ")" : "uniform U(±√(6/" + sum + "))";
      case HE_UNIFORM -> "He uniform U(±√(6/" + p.fanIn() + "))";
      case DEFAULT -> throw new IllegalStateException("DEFAULT is resolved before emitting: " + p.name());
    };
  }

  /** {@code @param} lines for the public methods' leading parameters: the inputs, then {@code steps}. */
  public String inputDocs() {
    String docs = program.inputs().stream().map(in -> "@param " + var.apply(in) + " " + inputDoc(in) + "\n").collect(Collectors.joining());
    return sequential() ? docs + "@param steps " + stepsDoc() + "\n" : docs;
  }

  /** What one input holds and how its length gives the batch. */
  public String inputDoc(Buffer in) {
    String what = in.kind() == Buffer.Kind.TOKENS ? "token ids" : "";
    if (!in.isSequence()) {
      return in.shape() + " row-major" + (what.isEmpty() ? "" : " " + what) + ", B = length / " + in.perSample();
    }
    String per = in.perStep() == 1 ? "steps" : "(steps × " + in.perStep() + ")";
    return in.shape() + " row-major" + (what.isEmpty() ? "" : " " + what) + " with T = steps, B = length / " + per;
  }

  public String stepsDoc() {
    Buffer first = program.inputs().stream().filter(Buffer::isSequence).findFirst().orElseThrow();
    return "T, the sequence length of this call, in [1, {@link #" + maxSteps.apply(first) + "}]";
  }

  /** The {@code @param} line of the labels. */
  public String labelsDoc() {
    Buffer labels = program.labels();
    KernelCall.LossForward loss = program.loss();
    if (graph.labelsType() == ValueType.INT_TENSOR) {
      return labels.shape() + " class ids in [0, " + loss.perSample() + ")"
          + (loss.ignores() ? ", or " + loss.ignoreIndex() + " (the ignore index) for a position the loss skips" : "");
    }
    return labels.shape() + " row-major finite targets";
  }

  /** What the loss averages over, as the runtime's loss kernels compute it. */
  public String meanOver() {
    KernelCall.LossForward loss = program.loss();
    String rows = loss.input().isSequence() ? "positions (batch × steps)" : "samples";
    return switch (loss.kind()) {
      case SOFTMAX_CROSS_ENTROPY -> loss.ignores()
          ? "the mean over the " + rows + " whose label is not " + loss.ignoreIndex() + " (0 when every one is)"
          : "the mean over the " + rows;
      case SIGMOID_BINARY_CROSS_ENTROPY, MEAN_SQUARED_ERROR -> "the mean over every output value";
      case PERCEPTRON -> "the fraction of output values that differ from their targets";
    };
  }

  /** What a training-mode forward pass changes besides the gradients, for the docs; empty if nothing. */
  public String trainingSideEffects() {
    List<String> moved = new java.util.ArrayList<>();
    if (!program.state().isEmpty()) {
      moved.add("batch-norm running statistics are updated");
    }
    if (hasDropout()) {
      moved.add("dropout masks are drawn from the model's generator");
    }
    return moved.isEmpty() ? "" : " (" + String.join("; ", moved) + ", as in a training step)";
  }

  /** The {@code @throws} line for malformed inputs or labels. */
  public String throwsMalformed() {
    return "@throws IllegalArgumentException if an input is empty, not a whole number of samples or over {@code MAX_BATCH}"
        + sequenceProblems() + ",\n    or if a label is out of range; the message names the model, the method and the value\n";
  }

  /** The ways a sequence model's call can be malformed beyond its batch, for {@code @throws}. */
  public String sequenceProblems() {
    return (sequential() ? ", if {@code steps} is out of range" : "") + (hasTokens() ? ", if a token id is outside the vocabulary" : "");
  }

  public boolean hasTokens() {
    return program.inputs().stream().anyMatch(in -> in.kind() == Buffer.Kind.TOKENS);
  }

  /** The {@code @throws} line of {@code predict} and {@code classify}. */
  public String throwsInference() {
    boolean floats = program.inputs().stream().anyMatch(in -> in.kind() != Buffer.Kind.TOKENS);
    return "@throws IllegalArgumentException if an input is malformed (as for {@code forward})"
        + (floats ? " or holds NaN or ±infinity (naming the first such index)" : "") + "\n";
  }
}
