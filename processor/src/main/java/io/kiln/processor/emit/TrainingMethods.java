package io.kiln.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.kiln.processor.codegen.GeneratedClassPart;
import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.ForwardCall;
import io.kiln.processor.fuse.ParamTensor;
import java.util.Arrays;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Writes the generated training API: loss, computeGradients, trainStep and the commit of
 * accumulated gradients.
 */
final class TrainingMethods extends GeneratedClassPart {
  private final Declarations declarations = new Declarations(this);

  TrainingMethods(GeneratedClassPart shared) {
    super(shared);
  }

  TypedApi typedApiWriter() {
    List<TypedApi.Component> inputs = new java.util.ArrayList<>();
    for (Buffer in : program.inputs()) {
      inputs.add(new TypedApi.Component(var(in), in.kind() == Buffer.Kind.TOKENS ? INTS : FLOATS, docs.inputDoc(in)));
    }
    if (sequential()) {
      inputs.add(new TypedApi.Component("steps", TypeName.INT, docs.stepsDoc()));
    }
    TypedApi.Component labels = trains()
        ? new TypedApi.Component(labelsVar, labelsType(), docs.labelsDoc())
        : null;
    Buffer first = program.inputs().get(0);
    return new TypedApi(self, inputs, labels, first.perStep(), sequential());
  }

  /**
   * Declares the records {@code Input} and {@code Batch} and implements {@code InferenceModel} or
   * {@code Classifier}, and {@code SupervisedModel} when the model trains, with methods that take them.
   */
  void typedApi(TypeSpec.Builder type) {
    TypedApi api = typedApiWriter();
    type.addType(api.inputRecord());
    type.addMethod(MethodSpec.methodBuilder("modelName").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(String.class).addStatement("return MODEL_NAME").build());
    type.addMethods(api.inferenceMethods(TENSOR, classifies()));
    if (trains()) {
      type.addType(api.batchRecord());
      type.addMethods(api.supervisedMethods());
      type.addSuperinterface(api.supervisedInterface());
      if (classifies()) {
        type.addSuperinterface(api.inferenceInterface(true));
      }
    } else {
      type.addSuperinterface(api.inferenceInterface(classifies()));
    }
  }

  /**
   * The one commit path: {@code trainStep} and trainers that fill the gradient slab themselves
   * (Spark sums it over machines) both call it, so the non-finite guard, the optimizer step and the
   * step count cannot drift apart.
   */
  MethodSpec applyGradients() {
    return MethodSpec.methodBuilder("applyGradients").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addJavadoc("Commits the gradient in the gradient slab (left by {@code computeGradients}, or written by a trainer):\n"
            + "checks that it is finite, lets {@code optimizer} update every parameter in one pass, and counts the step.\n\n"
            + "@throws io.kiln.runtime.train.NonFiniteLossException if a gradient is NaN or infinite, naming the parameter\n"
            + "    whose gradient holds the first one in backward order; weights, optimizer and step count are left unchanged\n")
        .addParameter(OPTIMIZER, "optimizer")
        .addStatement("$T.requireNonNull(optimizer, $S)", java.util.Objects.class, "optimizer")
        .beginControlFlow("if ($T.firstNonFinite(grads, 0, PARAMETER_COUNT) >= 0)", CHECKS)
        .addStatement("throw gradientFailure(steps + 1)")
        .endControlFlow()
        .addStatement("optimizer.step(params, grads, PARAMETER_COUNT)")
        .addStatement("steps++")
        .build();
  }

  /** The first parameter, in backward order, whose gradient holds a non-finite value. */
  MethodSpec gradientFailure() {
    ClassName exception = ClassName.get(RUNTIME + ".train", "NonFiniteLossException");
    MethodSpec.Builder m = MethodSpec.methodBuilder("gradientFailure").addModifiers(Modifier.PRIVATE).returns(exception)
        .addJavadoc("The first parameter, in backward order, whose gradient is not finite; null if every gradient is finite.\n")
        .addParameter(TypeName.LONG, "step");
    List<ParamTensor> backwardOrder = new java.util.ArrayList<>(program.params());
    java.util.Collections.reverse(backwardOrder);
    for (ParamTensor p : backwardOrder) {
      m.beginControlFlow("if ($T.firstNonFinite(grads, $L, $L) >= 0)", CHECKS, paramConstant(p), p.size())
          .addStatement("return $T.inGradient(MODEL_NAME, step, $S, $S)", exception, p.node(),
              "gradient of " + p.name() + " " + Arrays.toString(p.shape()))
          .endControlFlow();
    }
    return m.addStatement("return null").build();
  }

  /**
   * Makes a trainable model implement {@code TrainableModel}: the existing {@code parameters},
   * {@code buffers}, {@code steps} and checkpoint methods already match it; this adds the four it
   * lacks, so a distributed trainer can ship weights and gradients of any generated class.
   */
  void trainableModel(TypeSpec.Builder type) {
    type.addMethod(MethodSpec.methodBuilder("parameterSlab").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addJavadoc("The live parameter slab ({@code PARAMETER_COUNT} floats), not a copy.\n")
        .returns(FLOATS).addStatement("return params").build());
    type.addMethod(MethodSpec.methodBuilder("gradientSlab").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addJavadoc("The live gradient slab, laid out as {@link #parameterSlab()}, not a copy.\n")
        .returns(FLOATS).addStatement("return grads").build());
    type.addMethod(MethodSpec.methodBuilder("setSteps").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addParameter(TypeName.LONG, "count")
        .beginControlFlow("if (count < 0)")
        .addStatement("throw new IllegalArgumentException(MODEL_NAME + $S + count)", ": the step count must be ≥ 0, got ")
        .endControlFlow()
        .addStatement("steps = count").build());
  }

  MethodSpec lossMethod() {
    Buffer labels = program.labels();
    MethodSpec.Builder m = MethodSpec.methodBuilder("loss").addModifiers(Modifier.PUBLIC).returns(TypeName.FLOAT)
        .addJavadoc("The $L loss on a batch, $L, in inference mode and without computing gradients.\n\n$L@param $L $L\n$L",
            program.loss().kind(), docs.meanOver(), docs.inputDocs(), var(labels), docs.labelsDoc(), docs.throwsMalformed());
    addPublicInputParams(m);
    m.addParameter(labelsType(), var(labels));
    declarations.checkInputs(m, "loss");
    checkLabels(m, "loss");
    m.addStatement("$L", runForwardCall(inputArgs(), batchArgs(), "false"));
    return m.addStatement("return runLoss($L$L, $L, false)", lossInputArgs(), var(labels), batchArgs()).build();
  }

  MethodSpec computeGradients() {
    Buffer labels = program.labels();
    MethodSpec.Builder m = MethodSpec.methodBuilder("computeGradients").addModifiers(Modifier.PUBLIC).returns(TypeName.FLOAT)
        .addJavadoc("Computes the loss and the gradient of every parameter ({@link Parameter#gradient()}) in training mode,\n"
            + "without changing weights$L. Returns the loss, $L.\n\n$L@param $L $L\n$L", docs.trainingSideEffects(), docs.meanOver(), docs.inputDocs(),
            var(labels), docs.labelsDoc(), docs.throwsMalformed());
    addPublicInputParams(m);
    m.addParameter(labelsType(), var(labels));
    declarations.checkInputs(m, "computeGradients");
    checkLabels(m, "computeGradients");
    m.addStatement("return gradients($L, $L, $L)", inputArgs(), var(labels), batchArgs());
    return m.build();
  }

  MethodSpec trainStep() {
    Buffer labels = program.labels();
    MethodSpec.Builder m = MethodSpec.methodBuilder("trainStep").addModifiers(Modifier.PUBLIC).returns(TypeName.FLOAT)
        .addJavadoc("One training step: forward, loss and backward ({@code computeGradients}), then {@link #applyGradients}:\n"
            + "{@code optimizer} updates every parameter in one pass over the slab. Returns the batch's loss before the update,\n"
            + "$L. Allocates nothing after the first call.\n\n$L@param $L $L\n$L"
            + "@throws io.kiln.runtime.train.NonFiniteLossException if the loss or a gradient is NaN or infinite,\n"
            + "    naming the step and the node where the first non-finite value appeared (weights are left unchanged)\n",
            docs.meanOver(), docs.inputDocs(), var(labels), docs.labelsDoc(), docs.throwsMalformed());
    addPublicInputParams(m);
    m.addParameter(labelsType(), var(labels));
    m.addParameter(OPTIMIZER, "optimizer");
    declarations.checkInputs(m, "trainStep");
    checkLabels(m, "trainStep");
    boolean keepsState = !program.state().isEmpty();
    if (keepsState || hasDropout()) {
      m.addComment("A training forward moves batch-norm running statistics and the dropout generator: keep them to undo a rejected step");
    }
    if (keepsState) {
      m.addStatement("$T.arraycopy(state, 0, stateBefore, 0, STATE_COUNT)", System.class);
    }
    if (hasDropout()) {
      m.addStatement("long rngBefore = dropoutRng.state()");
    }
    m.addStatement("float loss = gradients($L, $L, $L)", inputArgs(), var(labels), batchArgs())
        .beginControlFlow("if (Float.isFinite(loss))")
        .beginControlFlow("try")
        .addStatement("applyGradients(optimizer)")
        .addStatement("return loss")
        .nextControlFlow("catch ($T gradientOnly)", ClassName.get(RUNTIME + ".train", "NonFiniteLossException"))
        .addComment("nothing was committed; locate the first non-finite value from the inputs below")
        .endControlFlow()
        .endControlFlow();
    CodeBlock.Builder undo = CodeBlock.builder();
    if (keepsState) {
      undo.addStatement("$T.arraycopy(stateBefore, 0, state, 0, STATE_COUNT)", System.class);
    }
    if (hasDropout()) {
      undo.addStatement("dropoutRng.setState(rngBefore)");
    }
    m.addCode(undo.build())
        .addStatement("$T failure = nonFinite($L, batch, loss)", ClassName.get(RUNTIME + ".train", "NonFiniteLossException"), publicInputArgs())
        .addCode(undo.build()) // the diagnosis re-ran the forward pass (with the same masks)
        .addStatement("throw failure");
    return m.build();
  }

  /**
   * Finds where a non-finite value first appeared: the inputs, then every forward node in order
   * (recomputed, as backward reuses their memory), then each parameter's gradient in backward order.
   */
  MethodSpec nonFinite() {
    ClassName exception = ClassName.get(RUNTIME + ".train", "NonFiniteLossException");
    ClassName phase = exception.nestedClass("Phase");
    MethodSpec.Builder m = MethodSpec.methodBuilder("nonFinite").addModifiers(Modifier.PRIVATE).returns(exception);
    addPublicInputParams(m);
    m.addParameter(TypeName.INT, "batch").addParameter(TypeName.FLOAT, "loss");
    m.addStatement("long step = this.steps + 1"); // this.: a sequence model's parameter steps is the length
    for (Buffer in : program.inputs()) {
      if (in.kind() == Buffer.Kind.TOKENS) {
        continue; // ids are ints: always finite, range-checked by the embedding
      }
      m.beginControlFlow("if ($T.firstNonFinite($L, 0, $L) >= 0)", CHECKS, var(in), count(in))
          .addStatement("return new $T(MODEL_NAME, loss, step, $S, $S, $T.FORWARD)", exception, in.name(), in.shape() + " (input)", phase)
          .endControlFlow();
    }
    // Checked right after each call: later calls may reuse a finished tensor's memory.
    m.addStatement("int at = runForward($L, $L, true, true)", inputArgs(), batchArgs());
    List<ForwardCall> calls = program.forward();
    for (int i = 0; i < calls.size(); i++) {
      Buffer out = calls.get(i).writes().get(0);
      String node = calls.get(i).covers().get(calls.get(i).covers().size() - 1);
      m.beginControlFlow("if (at == $L)", i)
          .addStatement("return new $T(MODEL_NAME, loss, step, $S, $S, $T.FORWARD)", exception, node, out.shape(), phase)
          .endControlFlow();
    }
    m.addStatement("$T inGradient = gradientFailure(step)", exception)
        .beginControlFlow("if (inGradient != null)")
        .addStatement("return new $T(MODEL_NAME, loss, step, inGradient.node().orElseThrow(), inGradient.nodeShape().orElseThrow(), $T.BACKWARD)",
            exception, phase)
        .endControlFlow();
    return m.addStatement("return new $T(MODEL_NAME, loss, step)", exception).build();
  }
}
