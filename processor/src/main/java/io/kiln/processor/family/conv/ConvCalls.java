package io.kiln.processor.family.conv;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.dsl.Activation;
import io.kiln.processor.emit.GeneratedClassPart;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.KernelCall;
import javax.lang.model.element.Modifier;

/**
 * Writes the kernel calls of one layer family. Convolutions and pooling: a GEMM per sample over
 * packed patches, and pooling windows (with a preceding ReLU fused in).
 */
public final class ConvCalls extends GeneratedClassPart {
  public ConvCalls(GeneratedClassPart shared) {
    super(shared);
  }

  public void forward(ForwardCall.ConvForward c, MethodSpec.Builder m) {
    String act = c.activation() == Activation.NONE ? "" : c.activation().name().toLowerCase();
    m.addComment("$L = $L$L ⊛ $L$L$L: $L $L -> $L (one GEMM per sample over packed patches, bias and activation fused)",
        c.y().name(), act.isEmpty() ? "" : act + "(", c.x().name(), c.weight().name(), c.bias() == null ? "" : " + " + c.bias().name(),
        act.isEmpty() ? "" : ")", c.x().name(), c.x().shape(), c.y().shape());
    m.addStatement("$T.forward($L, batch, $L, params, $L, $L, $L, $L)", CONV2D, geometryConstant(c.covers().get(0)), ref(c.x()),
        paramConstant(c.weight()), epilogueField(c), ref(c.y()), ref(c.cols()));
  }

  public void forward(ForwardCall.PoolForward p, MethodSpec.Builder m) {
    String node = p.covers().get(p.covers().size() - 1);
    m.addComment("$L = $Lpool($L$L$L): $L -> $L$L", p.y().name(), p.max() ? "max" : "avg", p.relu() ? "relu(" : "", p.x().name(), p.relu() ? ")" : "",
        p.x().shape(), p.y().shape(), p.relu() ? " (" + p.x().name() + "'s ReLU runs here, in the same pass)" : "");
    m.addStatement("$T.$L($L, batch, $L, $L)", POOLING, p.relu() ? "reluMaxForward" : p.max() ? "maxForward" : "avgForward",
        geometryConstant(node), ref(p.x()), ref(p.y()));
  }

  public void backward(BackwardCall.ConvBackward c, MethodSpec.Builder gradients) {
    gradients.addComment("$L: d $L += $L · colsᵀ$L$L$L", c.covers().get(0), c.weight().name(), c.dz().name(),
        c.bias() == null ? "" : ", d " + c.bias().name() + " += Σ " + c.dz().name(),
        c.dx() == null ? "" : ", " + c.dx().name() + (c.accumulate() ? " += " : " = ") + "col2im(" + c.weight().name() + "ᵀ · " + c.dz().name() + ")", shapes(c.dz(), c.dx()));
    gradients.addStatement("$T.backward($L, batch, $L, params, $L, $L, grads, $L, $L, $L, $L, $L, $L)", CONV2D, geometryConstant(c.covers().get(0)),
        ref(c.x()), paramConstant(c.weight()), ref(c.dz()), paramConstant(c.weight()),
        paramOrNull("grads", c.bias()),
        orNull(c.dx()), c.accumulate(), ref(c.cols()), ref(c.dcols()));
  }

  public void backward(BackwardCall.PoolBackward p, MethodSpec.Builder gradients) {
    String node = p.covers().get(p.covers().size() - 1);
    gradients.addComment("$L: $L $L $Lpool backward of $L$L$L", String.join(", ", p.covers()), p.dx().name(), p.accumulate() ? "+=" : "=",
        p.max() ? "max" : "avg", p.dy().name(), p.relu() ? ", times relu'(" + p.x().name() + ")" : "", shapes(p.dy(), p.dx()));
    if (p.max()) {
      gradients.addStatement("$T.$L($L, batch, $L, $L, $L, $L)", POOLING, p.relu() ? "reluMaxBackward" : "maxBackward", geometryConstant(node),
          ref(p.x()), ref(p.dy()), ref(p.dx()), p.accumulate());
    } else {
      gradients.addStatement("$T.avgBackward($L, batch, $L, $L, $L)", POOLING, geometryConstant(node), ref(p.dy()), ref(p.dx()), p.accumulate());
    }
  }

  public void declare(ForwardCall.ConvForward c, TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(EPILOGUE, epilogueField(c), Modifier.PRIVATE, Modifier.FINAL).build());
  }

  public void geometry(ForwardCall.ConvForward c, TypeSpec.Builder type) {
    KernelCall.ConvDims d = c.dims();
    type.addField(FieldSpec.builder(CONV_GEOMETRY, geometryConstant(c.covers().get(0)), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("$L: [$L, $L, $L] → [$L, $L, $L], kernel $L×$L, stride $L, padding top $L left $L.\n", c.covers().get(0),
            d.channels(), d.height(), d.width(), d.filters(), d.outHeight(), d.outWidth(), d.kernelHeight(), d.kernelWidth(), d.stride(), d.padTop(), d.padLeft())
        .initializer("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", CONV_GEOMETRY, d.channels(), d.height(), d.width(), d.filters(),
            d.kernelHeight(), d.kernelWidth(), d.stride(), d.padTop(), d.padLeft(), d.outHeight(), d.outWidth())
        .build());
  }

  public void geometry(ForwardCall.PoolForward p, TypeSpec.Builder type) {
    KernelCall.PoolDims d = p.dims();
    String node = p.covers().get(p.covers().size() - 1);
    type.addField(FieldSpec.builder(POOL_GEOMETRY, geometryConstant(node), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("$L: [$L, $L, $L] → [$L, $L, $L], window $L, stride $L.\n", node,
            d.channels(), d.height(), d.width(), d.channels(), d.outHeight(), d.outWidth(), d.size(), d.stride())
        .initializer("new $T($L, $L, $L, $L, $L, $L, $L)", POOL_GEOMETRY, d.channels(), d.height(), d.width(), d.size(), d.stride(),
            d.outHeight(), d.outWidth())
        .build());
  }

  public void initialize(ForwardCall.ConvForward c, MethodSpec.Builder m) {
    m.addStatement("this.$L = $T.epilogue($L, $T.$L)", epilogueField(c), CONV2D,
        paramOrNull("params", c.bias()), ACTIVATION, c.activation());
  }
}
