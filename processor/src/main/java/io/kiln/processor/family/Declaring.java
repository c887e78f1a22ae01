package io.kiln.processor.family;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.function.Consumer;

/** What one forward kernel call adds to the generated class besides its statements; most add nothing. */
public interface Declaring {
  Declaring NOTHING = new Declaring() {};

  /** A call that keeps fields and builds them in the constructor, with no geometry or input checks. */
  static Declaring of(Consumer<TypeSpec.Builder> fields, Consumer<MethodSpec.Builder> initialize) {
    return of(fields, type -> {}, initialize);
  }

  /** A call that also declares geometry constants: a convolution, a pool, a recurrent layer. */
  static Declaring of(Consumer<TypeSpec.Builder> fields, Consumer<TypeSpec.Builder> geometry,
      Consumer<MethodSpec.Builder> initialize) {
    return new Declaring() {
      @Override
      public void fields(TypeSpec.Builder type) {
        fields.accept(type);
      }

      @Override
      public void geometry(TypeSpec.Builder type) {
        geometry.accept(type);
      }

      @Override
      public void initialize(MethodSpec.Builder m) {
        initialize.accept(m);
      }
    };
  }

  /** The instance fields a layer keeps between calls: layer objects, GEMM epilogues, workspaces. */
  default void fields(TypeSpec.Builder type) {}

  /** Static geometry constants (convolutions, pools, recurrent layers). */
  default void geometry(TypeSpec.Builder type) {}

  /** What the generated constructor builds once: the epilogues that read the biases, layer objects. */
  default void initialize(MethodSpec.Builder m) {}

  /** Checks of a public method's arguments: token ids within an embedding's vocabulary. */
  default void checkInputs(MethodSpec.Builder m, String method) {}
}
