package io.kiln.processor.family.sequence;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.dsl.Activation;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.family.Probing;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.parse.Layer;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Writes the kernel calls of one layer family. Embeddings and recurrent layers: table lookups and
 * backpropagation through time.
 */
public final class SequenceCalls extends GeneratedClassPart {
  public SequenceCalls(GeneratedClassPart shared) {
    super(shared);
  }

  public void forward(ForwardCall.EmbeddingForward e, MethodSpec.Builder m) {
    m.addComment("$L = $L[$L]: $L -> $L", e.y().name(), e.table().name(), e.ids().name(), e.ids().shape(), e.y().shape());
    m.addStatement("$T.forward($S, batch, steps, $L, $L, $L, params, $L, $L)", EMBEDDING, e.ids().name(), e.vocab(), e.dim(),
        ref(e.ids()), paramConstant(e.table()), ref(e.y()));
  }

  public void forward(ForwardCall.RecurrentForward r, MethodSpec.Builder m) {
    Layer.Recurrent l = r.layer();
    String projection = r.embedding() == null ? "input projection of all steps in one GEMM"
        : "input projection of all steps in one GEMM, or of the " + r.embedding().vocab() + " rows of "
            + r.embedding().table().name() + " when the batch has more positions";
    m.addComment("$L = $L over $L: $L -> $L ($L; per step one GEMM for all gates and one fused cell update)",
        r.y().name(), l.annotation(), r.x().name(), r.x().shape(), r.y().shape(), projection);
    if (r.h0() != null) {
      m.addComment("$L starts from $L's final state", r.covers().get(0), r.h0().name().replace("hT_", ""));
    }
    if (r.embedding() != null) {
      m.addStatement("$L.forward(batch, steps, $L, $L)", layerField(r), ref(r.x()), ref(r.embedding().ids()));
    } else {
      m.addStatement("$L.forward(batch, steps, $L)", layerField(r), ref(r.x()));
    }
  }

  public void backward(BackwardCall.EmbeddingBackward e, MethodSpec.Builder gradients) {
    gradients.addComment("$L: d $L[$L] += $L$L", e.covers().get(0), e.table().name(), e.ids().name(), e.dy().name(), shapes(e.dy(), null));
    gradients.addStatement("$T.backward(batch, steps, $L, $L, $L, $L, grads, $L)", EMBEDDING, e.vocab(), e.dim(), ref(e.ids()), ref(e.dy()),
        paramConstant(e.table()));
  }

  public void backward(BackwardCall.RecurrentBackward r, MethodSpec.Builder gradients) {
    ForwardCall.RecurrentForward f = r.forward();
    gradients.addComment("$L: backpropagation through time from $L$L$L", r.covers().get(0),
        java.util.stream.Stream.of(r.dy(), r.dhT(), r.dcT()).filter(java.util.Objects::nonNull).map(Buffer::name).collect(Collectors.joining(", ")),
        r.dx() == null ? "" : " into " + r.dx().name() + (r.accumulate() ? " (+=)" : ""), shapes(r.dy() != null ? r.dy() : r.dhT(), r.dx()));
    gradients.addStatement("$L.backward(batch, steps, $L)", layerField(f), ref(f.x()));
  }

  public void declare(ForwardCall.RecurrentForward r, TypeSpec.Builder type) {
    String steps = maxSteps();
    type.addField(FieldSpec.builder(FLOATS, workspace(r), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L's gate activations and states, kept from forward for backpropagation through time.\n", r.covers().get(0))
        .initializer("new float[$L.workspaceFloats(MAX_BATCH, $L)]", geometry(r), steps).build());
    if (trains()) {
      type.addField(FieldSpec.builder(FLOATS, scratch(r), Modifier.PRIVATE, Modifier.FINAL)
          .initializer("new float[$L.backwardScratchFloats(MAX_BATCH, $L)]", geometry(r), steps).build());
    }
    type.addField(FieldSpec.builder(RECURRENT_LAYER, layerField(r), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L with its tensors' places, built once: each step calls forward/backward(batch, steps, input).\n", r.covers().get(0)).build());
  }

  /**
   * Builds the layer object of {@code r} in the generated constructor: where its input, weights,
   * states and outputs live and, when the model trains, its gradients and scratch.
   */
  public void initialize(ForwardCall.RecurrentForward r, MethodSpec.Builder m) {
    CodeBlock.Builder b = CodeBlock.builder().add("$T.of($L)", RECURRENT_LAYER, geometry(r))
        .add("\n.weights($L, $L)", at("params", r.weightIh()), at("params", r.weightHh()));
    if (r.biasIh() != null) {
      b.add("\n.biases($L, $L)", at("params", r.biasIh()), at("params", r.biasHh()));
    }
    ForwardCall.RecurrentForward.Reverse reverse = r.reverse();
    if (reverse != null) {
      b.add("\n.reverse($L, $L, $L, $L, MAX_BATCH, $L)", at("params", reverse.weightIh()), at("params", reverse.weightHh()),
          at("params", reverse.biasIh()), at("params", reverse.biasHh()), maxSteps());
    }
    if (r.h0() != null) {
      b.add("\n.initialState($L, $L)", at(r.h0()), at(r.c0()));
    }
    boolean sequence = r.layer().returnSequences();
    b.add("\n.output($L, $L, $L)", sequence ? at(r.y()) : at((Buffer) null), sequence ? at(r.hT()) : at(r.y()), at(r.cT()))
        .add("\n.workspace($L)", workspace(r));
    if (r.embedding() != null) {
      b.add("\n.embedding($L, $L)", at("params", r.embedding().table()), r.embedding().vocab());
    }
    BackwardCall.RecurrentBackward back = backwardOf(r);
    if (back != null) {
      b.add("\n.outputGradients($L, $L, $L)", at(back.dy()), at(back.dhT()), at(back.dcT()));
      if (back.dx() != null) {
        b.add("\n.inputGradient($L, $L)", at(back.dx()), back.accumulate());
      }
      if (back.dh0() != null) {
        b.add("\n.initialStateGradients($L, $L)", at(back.dh0()), at(back.dc0()));
      }
      b.add("\n.weightGradients($L, $L)", at("grads", r.weightIh()), at("grads", r.weightHh()));
      if (r.biasIh() != null) {
        b.add("\n.biasGradients($L, $L)", at("grads", r.biasIh()), at("grads", r.biasHh()));
      }
      if (reverse != null) {
        b.add("\n.reverseWeightGradients($L, $L, $L, $L)", at("grads", reverse.weightIh()), at("grads", reverse.weightHh()),
            at("grads", reverse.biasIh()), at("grads", reverse.biasHh()));
      }
      b.add("\n.scratch($L)", scratch(r));
    }
    m.addStatement("this.$L = $L\n.build()", layerField(r), b.build());
  }

  /**
   * A recurrent layer's probe: the output's statistics, the gate activations after forward, and
   * ‖∂L/∂h_t‖ per step after its backward, from the gate gradients that backward leaves in its
   * scratch; a bidirectional layer's, only the output's.
   */
  public Probing probing(ForwardCall.RecurrentForward r) {
    Layer.Recurrent l = r.layer();
    Activation activation = l.cell() == Layer.Recurrent.Cell.RNN ? l.activation() : Activation.NONE;
    if (r.reverse() != null) {
      // A bidirectional layer's probe is a plain node's (output statistics and gradient norm): its
      // gates and per-step gradients are two directions' in opposite step orders.
      return Probing.saturating(activation);
    }
    return new Probing() {
      @Override
      public CodeBlock probe(String node) {
        return CodeBlock.of("$T.recurrent($S, $T.$L, $L, MAX_BATCH, $L)", NODE_PROBE, node, SATURATION, Probing.saturation(activation),
            geometry(r), maxSteps());
      }

      @Override
      public CodeBlock afterForward(int probe) {
        return CodeBlock.of("introspection.node($L).recordGates($L, batch, steps);\n", probe, workspace(r));
      }

      @Override
      public CodeBlock afterBackward(BackwardCall call, int probe) {
        if (!(call instanceof BackwardCall.RecurrentBackward back) || back.forward() != r) {
          return CodeBlock.of("");
        }
        return CodeBlock.of("introspection.node($L).recordStepGradients(batch, steps, params, $L, $L, $L, $L, $L);\n", probe,
            paramConstant(r.weightHh()), orNull(back.dy()), orNull(back.dhT()), workspace(r), scratch(r));
      }
    };
  }

  /** The longest sequence the model's sequence input takes. */
  private String maxSteps() {
    return maxSteps(program.inputs().stream().filter(Buffer::isSequence).findFirst().orElseThrow());
  }

  private BackwardCall.RecurrentBackward backwardOf(ForwardCall.RecurrentForward r) {
    return backwardOf(BackwardCall.RecurrentBackward.class, back -> back.forward() == r);
  }

  private String layerField(ForwardCall.RecurrentForward r) {
    return layerField(r.covers().get(0));
  }

  public void geometry(ForwardCall.RecurrentForward r, TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(RECURRENT_GEOMETRY, geometry(r), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("$L: $L $L → $L units.\n", r.covers().get(0), r.layer().annotation(), r.input(), r.layer().units())
        .initializer("new $T($T.$L, $L, $L)", RECURRENT_GEOMETRY, CELL_KIND, cellKind(r.layer()), r.input(), r.layer().units()).build());
  }

  public void checkInputs(ForwardCall.EmbeddingForward e, MethodSpec.Builder m, String method) {
    if (!e.ids().inArena()) {
      m.addStatement("$T.tokenIds(MODEL_NAME, $S, $S, $L, batch, $L, $L)", CHECKS, method, e.ids().name(), var(e.ids()),
          e.ids().isSequence() ? "steps" : "1", e.vocab());
    }
  }

  private String geometry(ForwardCall.RecurrentForward r) {
    return geometryConstant(r.covers().get(0));
  }

  /** The runtime's {@code CellKind}: a plain RNN's activation is part of its cell. */
  private static String cellKind(Layer.Recurrent r) {
    return switch (r.cell()) {
      case RNN -> r.activation() == Activation.RELU ? "RNN_RELU" : "RNN_TANH";
      case LSTM -> "LSTM";
      case GRU -> "GRU";
    };
  }
}
