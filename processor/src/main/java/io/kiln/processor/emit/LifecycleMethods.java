package io.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.fuse.ParamTensor;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Writes construction, initialization, files and checkpoints, and the parameter views of the
 * generated class.
 */
final class LifecycleMethods extends GeneratedClassPart {
  LifecycleMethods(GeneratedClassPart shared) {
    super(shared);
  }

  MethodSpec constructor() {
    MethodSpec.Builder m = MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).addParameter(TypeName.LONG, "seed");
    m.addStatement("this.parameters = $T.of($>$L$<)", List.class, program.params().stream()
        .map(p -> CodeBlock.of("\nnew $T($S, new int[] {$L}, params, grads, $L)", PARAMETER, p.name(), dims(p.shape()), paramConstant(p)))
        .collect(CodeBlock.joining(",")));
    m.addStatement("this.buffers = $T.of($>$L$<)", List.class, program.state().stream()
        .map(p -> CodeBlock.of("\nnew $T($S, new int[] {$L}, state, null, $L)", PARAMETER, p.name(), dims(p.shape()), stateConstant(p)))
        .collect(CodeBlock.joining(",")));
    if (hasDropout()) {
      // A stream of its own, so adding dropout does not change the initial weights.
      m.addStatement("this.dropoutRng = new $T(seed ^ 0x5DEECE66DL)", RNG);
    }
    new Declarations(this).initialize(m);
    return m.build();
  }

  MethodSpec create() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("create").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(self)
        .addJavadoc("A new model with its parameters initialized from {@code seed} (same seed, same weights):\n<ul>\n$L</ul>\n",
            docs.initDocs())
        .addParameter(TypeName.LONG, "seed")
        .addStatement("$T model = new $T(seed)", self, self)
        .addStatement("$T rng = new $T(seed)", RNG, RNG)
        .addComment("Initializers.fill(kind, slab, offset, count, fanIn, fanOut, rng), in the order parameters are declared");
    for (ParamTensor p : program.params()) {
      m.addStatement("$T.fill($T.$L, model.params, $L, $L, $L, $L, rng)", INITIALIZERS, INIT, p.init(), paramConstant(p), p.size(), p.fanIn(), p.fanOut());
    }
    for (ParamTensor p : program.state()) {
      m.addStatement("$T.fill($T.$L, model.state, $L, $L, 1, 1, rng)", INITIALIZERS, INIT, p.init(), stateConstant(p), p.size());
    }
    return m.addStatement("return model").build();
  }

  MethodSpec load() {
    return MethodSpec.methodBuilder("load").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(self)
        .addJavadoc("A model with the weights saved in {@code file} by {@link #save(Path)} (or exported with the same\n"
            + "names and shapes from PyTorch).\n\n@throws IOException if the file cannot be read or does not hold this model's weights\n")
        .addParameter(PATH, "file").addException(IO_EXCEPTION)
        .addStatement("$T model = new $T(0L)", self, self)
        .addStatement("model.loadWeights(file)")
        .addStatement("return model").build();
  }

  MethodSpec save() {
    return MethodSpec.methodBuilder("save").addModifiers(Modifier.PUBLIC)
        .addJavadoc("Writes the weights to {@code file} in safetensors format, atomically: the file is either the old one\n"
            + "or complete.\n")
        .addParameter(PATH, "file").addException(IO_EXCEPTION)
        .addStatement("$T.save(file, MODEL_NAME, $L)", MODEL_FILES, savedTensors()).build();
  }

  MethodSpec loadWeights() {
    return MethodSpec.methodBuilder("loadWeights").addModifiers(Modifier.PUBLIC)
        .addJavadoc("Replaces all weights with those in {@code file}; on any error none is changed.\n")
        .addParameter(PATH, "file").addException(IO_EXCEPTION)
        .addStatement("$T.load(file, MODEL_NAME, $L)", MODEL_FILES, savedTensors()).build();
  }

  MethodSpec saveCheckpoint() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("saveCheckpoint").addModifiers(Modifier.PUBLIC)
        .addJavadoc("Writes everything a run needs to continue exactly: weights, buffers, {@code optimizer}'s state, the step\n"
            + "count$L. Atomic: the file is either the previous one or complete.\n", hasDropout() ? " and the dropout generator's position" : "")
        .addParameter(PATH, "file").addParameter(OPTIMIZER, "optimizer").addException(IO_EXCEPTION);
    if (hasDropout()) {
      m.addStatement("$T.save(file, MODEL_NAME, parameters, buffers, optimizer, steps, $T.of($S, dropoutRng.state()))", CHECKPOINTS, java.util.Map.class, "dropout_rng");
    } else {
      m.addStatement("$T.save(file, MODEL_NAME, parameters, buffers, optimizer, steps)", CHECKPOINTS);
    }
    return m.build();
  }

  MethodSpec loadCheckpoint() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("loadCheckpoint").addModifiers(Modifier.PUBLIC)
        .addJavadoc("Restores a {@link #saveCheckpoint} file into this model and {@code optimizer} (of the same kind); a\n"
            + "resumed run repeats the uninterrupted run's losses exactly. On any error nothing changes.\n")
        .addParameter(PATH, "file").addParameter(OPTIMIZER, "optimizer").addException(IO_EXCEPTION)
        .addStatement("$T.Restored restored = $T.load(file, MODEL_NAME, parameters, buffers, optimizer)", CHECKPOINTS, CHECKPOINTS)
        .addStatement("steps = restored.step()");
    if (hasDropout()) {
      m.addStatement("Long rng = restored.extras().get($S)", "dropout_rng")
          .beginControlFlow("if (rng != null)").addStatement("dropoutRng.setState(rng)").endControlFlow();
    }
    return m.build();
  }

  /** What a file holds: the parameters, then the buffers (as PyTorch's state_dict). */
  CodeBlock savedTensors() {
    return program.state().isEmpty()
        ? CodeBlock.of("parameters")
        : CodeBlock.of("$T.concat(parameters.stream(), buffers.stream()).toList()", ClassName.get("java.util.stream", "Stream"));
  }

  MethodSpec buffersMethod() {
    return MethodSpec.methodBuilder("buffers").addModifiers(Modifier.PUBLIC)
        .addJavadoc("Tensors saved with the weights but not learned (batch-norm {@code running_mean} and\n"
            + "{@code running_var}), as PyTorch's buffers; empty when the model has none.\n")
        .returns(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER))
        .addStatement("return buffers").build();
  }

  MethodSpec parametersMethod() {
    return MethodSpec.methodBuilder("parameters").addModifiers(Modifier.PUBLIC)
        .addJavadoc("All learned tensors, named as PyTorch names them ({@code <node>.weight}, {@code <node>.bias}).\n")
        .returns(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER))
        .addStatement("return parameters").build();
  }

  MethodSpec parameterMethod() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("parameter").addModifiers(Modifier.PUBLIC).returns(PARAMETER)
        .addJavadoc("The parameter called {@code name}, e.g. {@code $S}.\n\n@throws IllegalArgumentException for an unknown name\n",
            program.params().isEmpty() ? "none" : program.params().get(0).name())
        .addParameter(String.class, "name")
        .beginControlFlow("for ($T p : parameters)", PARAMETER)
        .beginControlFlow("if (p.name().equals(name))").addStatement("return p").endControlFlow()
        .endControlFlow()
        .addStatement("throw new $T(MODEL_NAME + $S + name + $S)", IllegalArgumentException.class,
            " has no parameter '", "'; it has " + program.params().stream().map(ParamTensor::name).collect(Collectors.joining(", ")));
    return m.build();
  }

}
