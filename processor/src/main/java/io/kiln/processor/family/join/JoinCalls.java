package io.kiln.processor.family.join;

import com.palantir.javapoet.MethodSpec;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.fuse.BackwardCall;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes the kernel calls of one layer family. Joins: concatenation and addition of several
 * inputs, and the zeroing that lets a gradient be accumulated.
 */
public final class JoinCalls extends GeneratedClassPart {
  public JoinCalls(GeneratedClassPart shared) {
    super(shared);
  }

  public void forward(ForwardCall.ConcatForward c, MethodSpec.Builder m) {
    m.addComment("$L = [$L]: $L", c.y().name(), c.inputs().stream().map(Buffer::name).collect(Collectors.joining(", ")), c.y().shape());
    int total = c.widths().stream().mapToInt(Integer::intValue).sum();
    int column = 0;
    for (int i = 0; i < c.inputs().size(); i++) {
      m.addStatement("$T.concatInto($L, $L, $L, $L, $L, $L)", COMBINE, rows(c.y()), c.widths().get(i), total, column, ref(c.inputs().get(i)), ref(c.y()));
      column += c.widths().get(i);
    }
  }

  public void forward(ForwardCall.AddForward a, MethodSpec.Builder m) {
    m.addComment("$L = $L: $L", a.y().name(), a.inputs().stream().map(Buffer::name).collect(Collectors.joining(" + ")), a.y().shape());
    m.addStatement("$T.add($L, $L, $L, $L)", COMBINE, count(a.y()), ref(a.inputs().get(0)), ref(a.inputs().get(1)), ref(a.y()));
    for (int i = 2; i < a.inputs().size(); i++) {
      m.addStatement("$T.addInto($L, $L, $L)", COMBINE, count(a.y()), ref(a.inputs().get(i)), ref(a.y()));
    }
  }

  public void backward(BackwardCall.ZeroFill z, MethodSpec.Builder gradients) {
    gradients.addComment("$L: $L = 0 (the next call can only add to it)$L", z.covers().get(0), z.b().name(), shapes(z.b(), null));
    gradients.addStatement("$T.fill(arena, $L, $L + $L, 0f)", Arrays.class, arenaConstant(z.b()), arenaConstant(z.b()), count(z.b()));
  }

  public void backward(BackwardCall.ConcatBackward c, MethodSpec.Builder gradients) {
    ForwardCall.ConcatForward f = c.forward();
    int total = f.widths().stream().mapToInt(Integer::intValue).sum();
    int column = 0;
    for (int i = 0; i < f.inputs().size(); i++) {
      Buffer dx = c.dxs().get(i);
      if (dx != null) {
        gradients.addComment("$L: $L $L $L[..., $L:$L]$L", c.covers().get(0), dx.name(), c.accumulate().get(i) ? "+=" : "=", c.dy().name(), column,
            column + f.widths().get(i), shapes(c.dy(), dx));
        gradients.addStatement("$T.concatBackward($L, $L, $L, $L, $L, $L, $L)", COMBINE, rows(c.dy()), f.widths().get(i), total, column,
            ref(c.dy()), ref(dx), c.accumulate().get(i));
      }
      column += f.widths().get(i);
    }
  }

  public void backward(BackwardCall.AddBackward a, MethodSpec.Builder gradients) {
    for (int i = 0; i < a.dxs().size(); i++) {
      gradients.addComment("$L: $L $L $L$L", a.covers().get(0), a.dxs().get(i).name(), a.accumulate().get(i) ? "+=" : "=", a.dy().name(), shapes(a.dy(), null));
      gradients.addStatement("$T.passBack($L, $L, $L, $L)", COMBINE, count(a.dy()), ref(a.dy()), ref(a.dxs().get(i)), a.accumulate().get(i));
    }
  }
}
