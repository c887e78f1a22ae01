package io.kiln.runtime;

import io.kiln.dsl.Tensor;
import io.kiln.runtime.train.GradientClipping;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named, shaped window onto a model's flat parameter and gradient slabs. A generated model keeps
 * all its weights in one {@code float[]} (and their gradients in a second one of the same length)
 * so optimizers run one loop over everything; a {@code Parameter} gives one weight back its name
 * and shape for inspection, initialization and checkpoints.
 *
 * <p>Views share the model's memory: {@link #set} and {@link #copyFrom} change the model, and
 * {@link #values()} reflects later training steps.
 */
public final class Parameter {
  private final String name;
  private final int[] shape;
  private final float[] values;
  private final float[] gradients;
  private final int offset;
  private final int size;

  /**
   * Creates a view.
   *
   * @param name the parameter's name, e.g. {@code "h.weight"} (PyTorch-style, used in checkpoints)
   * @param shape its shape, outermost first
   * @param values the model's parameter slab
   * @param gradients the model's gradient slab (same layout as {@code values}); may be null for
   *     a model built for inference only
   * @param offset where this parameter starts in both slabs
   * @throws IllegalArgumentException if the shape is invalid or does not fit in the slabs
   */
  public Parameter(String name, int[] shape, float[] values, float[] gradients, int offset) {
    this.name = Objects.requireNonNull(name, "name");
    this.shape = Objects.requireNonNull(shape, "shape").clone();
    this.values = Objects.requireNonNull(values, "values");
    this.gradients = gradients;
    this.offset = offset;
    long n = 1;
    for (int d : this.shape) {
      if (d < 0) {
        throw new IllegalArgumentException(name + ": negative dimension in shape " + Arrays.toString(this.shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(name + ": shape " + Arrays.toString(this.shape) + " is too large");
      }
    }
    this.size = (int) n;
    if (offset < 0 || (long) offset + size > values.length) {
      throw new IllegalArgumentException(
          name + Arrays.toString(this.shape) + " at offset " + offset + " needs " + size
              + " floats but the parameter slab holds " + values.length);
    }
    if (gradients != null && (long) offset + size > gradients.length) {
      throw new IllegalArgumentException(
          name + Arrays.toString(this.shape) + " at offset " + offset + " needs " + size
              + " floats but the gradient slab holds " + gradients.length);
    }
  }

  /** The name, e.g. {@code "h.weight"}. */
  public String name() {
    return name;
  }

  /** A copy of the shape, outermost first. */
  public int[] shape() {
    return shape.clone();
  }

  /** The number of elements (the product of the shape). */
  public int size() {
    return size;
  }

  /** Where this parameter starts in the model's slabs. */
  public int offset() {
    return offset;
  }

  /** A live view of the values (shares the model's memory). */
  public Tensor values() {
    return new Tensor(values, offset, shape);
  }

  /**
   * A live view of the gradient accumulated by the last backward pass.
   *
   * @throws IllegalStateException if the model keeps no gradients
   */
  public Tensor gradient() {
    requireGradients();
    return new Tensor(gradients, offset, shape);
  }

  /**
   * The L2 norm of the gradient of the last backward pass, {@code √Σ g²}, summed in double; reads the
   * slab in place (no allocation), so a training loop can log it every step.
   *
   * @throws IllegalStateException if the model keeps no gradients
   */
  public double gradientNorm() {
    requireGradients();
    return GradientClipping.globalNorm(gradients, offset, size);
  }

  /** The L2 norm of the values, {@code √Σ w²}, summed in double. */
  public double valueNorm() {
    return GradientClipping.globalNorm(values, offset, size);
  }

  private void requireGradients() {
    if (gradients == null) {
      throw new IllegalStateException(name + " has no gradient: the model was built without training buffers");
    }
  }

  /** The value at {@code index} (one entry per dimension). */
  public float get(int... index) {
    return values[offset + flatIndex(index)];
  }

  /** Sets the value at {@code index} (one entry per dimension). */
  public void set(float value, int... index) {
    values[offset + flatIndex(index)] = value;
  }

  /**
   * Overwrites all values from {@code src}, in row-major order.
   *
   * @throws IllegalArgumentException if {@code src.length != size()}
   */
  public void copyFrom(float[] src) {
    Objects.requireNonNull(src, "src");
    if (src.length != size) {
      throw new IllegalArgumentException(
          this + " holds " + size + " floats but the source array has " + src.length);
    }
    System.arraycopy(src, 0, values, offset, size);
  }

  /** A copy of the values in row-major order. */
  public float[] toArray() {
    return Arrays.copyOfRange(values, offset, offset + size);
  }

  /** The name and shape, e.g. {@code h.weight[8, 2]}. */
  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }

  private int flatIndex(int[] index) {
    if (index.length != shape.length) {
      throw new IndexOutOfBoundsException(
          this + ": index " + Arrays.toString(index) + " has " + index.length + " entries but the rank is " + shape.length);
    }
    int flat = 0;
    for (int i = 0; i < shape.length; i++) {
      if (index[i] < 0 || index[i] >= shape[i]) {
        throw new IndexOutOfBoundsException(this + ": index " + Arrays.toString(index) + " is outside the shape");
      }
      flat = flat * shape[i] + index[i];
    }
    return flat;
  }
}
