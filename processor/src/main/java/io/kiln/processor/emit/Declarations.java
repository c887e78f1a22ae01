package io.kiln.processor.emit;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.registry.CallWriters;

/**
 * Asks each layer family's writer what the generated class declares for its forward calls (fields,
 * geometry constants, constructor statements, argument checks), in program order, through
 * {@link CallWriters#declaring}.
 */
final class Declarations extends GeneratedClassPart {
  private final CallWriters writers;

  Declarations(GeneratedClassPart shared) {
    super(shared);
    this.writers = new CallWriters(this);
  }

  void fields(TypeSpec.Builder type) {
    program.forward().forEach(call -> writers.declaring(call).fields(type));
  }

  void geometry(TypeSpec.Builder type) {
    program.forward().forEach(call -> writers.declaring(call).geometry(type));
  }

  void initialize(MethodSpec.Builder m) {
    program.forward().forEach(call -> writers.declaring(call).initialize(m));
  }

  /** Validates every input (its batch, then what each layer checks, such as token ids) and declares {@code batch}. */
  void checkInputs(MethodSpec.Builder m, String method) {
    checkBatches(m, method);
    program.forward().forEach(call -> writers.declaring(call).checkInputs(m, method));
  }
}
