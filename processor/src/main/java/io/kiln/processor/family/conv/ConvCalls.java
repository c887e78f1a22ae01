package io.kiln.processor.family.conv;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.dsl.Activation;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.KernelCall;
import javax.lang.model.element.Modifier;

/**
 * Writes the kernel calls of one layer family. Convolutions and pooling: a convolution layer object
 * (direct or a GEMM per sample over packed patches, the runtime's choice by shape), and pooling
 * windows (with a preceding ReLU fused in).
 */
public final class ConvCalls extends GeneratedClassPart {
  public ConvCalls(GeneratedClassPart shared) {
    super(shared);
  }

  public void forward(ForwardCall.ConvForward c, MethodSpec.Builder m) {
    String act = c.activation() == Activation.NONE ? "" : c.activation().name().toLowerCase();
    m.addComment("$L = $L$L ⊛ $L$L$L: $L $L -> $L (direct, or one GEMM per sample over packed patches: the runtime picks by shape; bias and activation fused)",
        c.y().name(), act.isEmpty() ? "" : act + "(", c.x().name(), c.weight().name(), c.bias() == null ? "" : " + " + c.bias().name(),
        act.isEmpty() ? "" : ")", c.x().name(), c.x().shape(), c.y().shape());
    m.addStatement("$L.forward(batch, $L)", layerField(c), ref(c.x()));
  }

  public void forward(ForwardCall.PoolForward p, MethodSpec.Builder m) {
    String node = p.covers().get(p.covers().size() - 1);
    m.addComment("$L = $Lpool($L$L$L): $L -> $L$L", p.y().name(), p.max() ? "max" : "avg", p.relu() ? "relu(" : "", p.x().name(), p.relu() ? ")" : "",
        p.x().shape(), p.y().shape(), p.relu() ? " (" + p.x().name() + "'s ReLU runs here, in the same pass)" : "");
    m.addStatement("$L.forward(batch, $L)", layerField(node), ref(p.x()));
  }

  public void backward(BackwardCall.ConvBackward c, MethodSpec.Builder gradients) {
    gradients.addComment("$L: d $L += $L · colsᵀ$L$L$L", c.covers().get(0), c.weight().name(), c.dz().name(),
        c.bias() == null ? "" : ", d " + c.bias().name() + " += Σ " + c.dz().name(),
        c.dx() == null ? "" : ", " + c.dx().name() + (c.accumulate() ? " += " : " = ") + "col2im(" + c.weight().name() + "ᵀ · " + c.dz().name() + ")", shapes(c.dz(), c.dx()));
    gradients.addStatement("$L.backward(batch, $L)", layerField(forwardOf(c)), ref(c.x()));
  }

  public void backward(BackwardCall.PoolBackward p, MethodSpec.Builder gradients) {
    String node = p.covers().get(p.covers().size() - 1);
    gradients.addComment("$L: $L $L $Lpool backward of $L$L$L", String.join(", ", p.covers()), p.dx().name(), p.accumulate() ? "+=" : "=",
        p.max() ? "max" : "avg", p.dy().name(), p.relu() ? ", times relu'(" + p.x().name() + ")" : "", shapes(p.dy(), p.dx()));
    gradients.addStatement("$L.backward(batch, $L)", layerField(node), p.max() ? ref(p.x()) : CodeBlock.of("null, 0"));
  }

  public void declare(ForwardCall.ConvForward c, TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(CONV2D, layerField(c), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L with its tensors' places, built once: each step calls forward/backward(batch, input).\n", c.covers().get(0)).build());
  }

  public void geometry(ForwardCall.ConvForward c, TypeSpec.Builder type) {
    KernelCall.ConvDims d = c.dims();
    KernelCall.ConvSteps steps = d.steps();
    FieldSpec.Builder field = FieldSpec.builder(CONV_GEOMETRY, geometryConstant(c.covers().get(0)), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL);
    if (steps.isUniform()) {
      field.addJavadoc("$L: [$L, $L, $L] → [$L, $L, $L], kernel $L×$L, stride $L, padding top $L left $L.\n", c.covers().get(0),
              d.channels(), d.height(), d.width(), d.filters(), d.outHeight(), d.outWidth(), d.kernelHeight(), d.kernelWidth(), steps.strideHeight(),
              d.padTop(), d.padLeft())
          .initializer("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", CONV_GEOMETRY, d.channels(), d.height(), d.width(), d.filters(),
              d.kernelHeight(), d.kernelWidth(), steps.strideHeight(), d.padTop(), d.padLeft(), d.outHeight(), d.outWidth());
    } else {
      field.addJavadoc("$L: [$L, $L, $L] → [$L, $L, $L], kernel $L×$L, stride $L×$L, dilation $L×$L, padding top $L left $L.\n", c.covers().get(0),
              d.channels(), d.height(), d.width(), d.filters(), d.outHeight(), d.outWidth(), d.kernelHeight(), d.kernelWidth(), steps.strideHeight(),
              steps.strideWidth(), steps.dilationHeight(), steps.dilationWidth(), d.padTop(), d.padLeft())
          .initializer("new $T($L, $L, $L, $L, $L, $L, new $T($L, $L, $L, $L), $L, $L, $L, $L)", CONV_GEOMETRY, d.channels(), d.height(), d.width(),
              d.filters(), d.kernelHeight(), d.kernelWidth(), CONV_GEOMETRY.nestedClass("Steps"), steps.strideHeight(), steps.strideWidth(),
              steps.dilationHeight(), steps.dilationWidth(), d.padTop(), d.padLeft(), d.outHeight(), d.outWidth());
    }
    type.addField(field.build());
  }

  public void declare(ForwardCall.PoolForward p, TypeSpec.Builder type) {
    String node = p.covers().get(p.covers().size() - 1);
    type.addField(FieldSpec.builder(POOLING, layerField(node), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L with its output's and gradients' places, built once.\n", node).build());
  }

  /** Builds the pooling layer object of {@code p} in the generated constructor. */
  public void initialize(ForwardCall.PoolForward p, MethodSpec.Builder m) {
    String node = p.covers().get(p.covers().size() - 1);
    String kind = p.relu() ? "RELU_MAX" : p.max() ? "MAX" : "AVERAGE";
    BackwardCall.PoolBackward back = backwardOf(BackwardCall.PoolBackward.class, b -> b.covers().get(b.covers().size() - 1).equals(node));
    if (back == null) {
      m.addStatement("this.$L = $T.of($L, $T.Kind.$L, $L)", layerField(node), POOLING, geometryConstant(node), POOLING, kind, at(p.y()));
    } else {
      m.addStatement("this.$L = $T.of($L, $T.Kind.$L, $L, $L, $L, $L)", layerField(node), POOLING, geometryConstant(node), POOLING, kind,
          at(p.y()), at(back.dy()), at(back.dx()), back.accumulate());
    }
  }

  public void geometry(ForwardCall.PoolForward p, TypeSpec.Builder type) {
    KernelCall.PoolDims d = p.dims();
    String node = p.covers().get(p.covers().size() - 1);
    FieldSpec.Builder field = FieldSpec.builder(POOL_GEOMETRY, geometryConstant(node), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL);
    if (d.isSquare()) {
      field.addJavadoc("$L: [$L, $L, $L] → [$L, $L, $L], window $L, stride $L.\n", node,
              d.channels(), d.height(), d.width(), d.channels(), d.outHeight(), d.outWidth(), d.windowHeight(), d.strideHeight())
          .initializer("new $T($L, $L, $L, $L, $L, $L, $L)", POOL_GEOMETRY, d.channels(), d.height(), d.width(), d.windowHeight(),
              d.strideHeight(), d.outHeight(), d.outWidth());
    } else {
      field.addJavadoc("$L: [$L, $L, $L] → [$L, $L, $L], window $L×$L, stride $L×$L.\n", node, d.channels(), d.height(), d.width(),
              d.channels(), d.outHeight(), d.outWidth(), d.windowHeight(), d.windowWidth(), d.strideHeight(), d.strideWidth())
          .initializer("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L)", POOL_GEOMETRY, d.channels(), d.height(), d.width(), d.windowHeight(),
              d.windowWidth(), d.strideHeight(), d.strideWidth(), d.outHeight(), d.outWidth());
    }
    type.addField(field.build());
  }

  /**
   * Builds the layer object of {@code c} in the generated constructor: its weights, bias and
   * activation, output and im2col scratch and, when the model trains, its gradients.
   */
  public void initialize(ForwardCall.ConvForward c, MethodSpec.Builder m) {
    CodeBlock.Builder b = CodeBlock.builder().add("$T.of($L)", CONV2D, geometryConstant(c.covers().get(0)))
        .add("\n.weights($L, $L, $T.$L)", at("params", c.weight()), at("params", c.bias()), ACTIVATION, c.activation())
        .add("\n.output($L, $L)", at(c.y()), at(c.cols()));
    BackwardCall.ConvBackward back = backwardOf(BackwardCall.ConvBackward.class, g -> g.weight().equals(c.weight()));
    if (back != null) {
      b.add("\n.gradients($L, $L, $L)", at(back.dz()), at("grads", c.weight()), at("grads", c.bias()));
      if (back.dx() != null) {
        b.add("\n.inputGradient($L, $L)", at(back.dx()), back.accumulate());
      }
      b.add("\n.backwardScratch($L, $L)", at(back.cols()), at(back.dcols()));
    }
    m.addStatement("this.$L = $L\n.build()", layerField(c), b.build());
  }

  private ForwardCall.ConvForward forwardOf(BackwardCall.ConvBackward back) {
    return forwardOf(ForwardCall.ConvForward.class, c -> c.weight().equals(back.weight()));
  }

  private String layerField(ForwardCall.ConvForward c) {
    return layerField(c.covers().get(0));
  }
}
