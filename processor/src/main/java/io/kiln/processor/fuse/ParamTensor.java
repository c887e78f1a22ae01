package io.kiln.processor.fuse;

import io.kiln.dsl.Init;
import java.util.Arrays;

/**
 * A learned tensor in the parameter slab, named as PyTorch names the equivalent module's
 * ({@code <node>.weight [out, in]}, {@code <node>.bias [out]}) so weights move both ways.
 */
public record ParamTensor(String name, String node, int[] shape, Init init, int fanIn, int fanOut) {
  public ParamTensor {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  public int size() {
    int s = 1;
    for (int d : shape) {
      s *= d;
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParamTensor p && p.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
