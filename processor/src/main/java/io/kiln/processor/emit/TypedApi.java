package io.kiln.processor.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Writes the typed face of a generated class: the nested records {@code Input} (the inputs, and
 * {@code steps} for a sequence model) and {@code Batch} (the inputs and the labels), and the
 * methods of {@code io.kiln.runtime.InferenceModel}, {@code Classifier} and {@code SupervisedModel}
 * that take them. Each such method only unpacks its record and calls the array method of the same
 * name, so checks and messages stay in one place.
 */
final class TypedApi {
  private static final String RUNTIME = "io.kiln.runtime";
  static final ClassName INFERENCE_MODEL = ClassName.get(RUNTIME, "InferenceModel");
  static final ClassName CLASSIFIER = ClassName.get(RUNTIME, "Classifier");
  static final ClassName SUPERVISED_MODEL = ClassName.get(RUNTIME, "SupervisedModel");
  private static final ClassName LABELED_BATCH = ClassName.get(RUNTIME, "LabeledBatch");
  private static final ClassName OPTIMIZER = ClassName.get(RUNTIME + ".train", "Optimizer");
  private static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);
  private static final TypeName INTS = ArrayTypeName.of(TypeName.INT);

  /** A record component: a caller's array (or {@code steps}) and its documentation. */
  record Component(String name, TypeName type, String doc) {}

  private final ClassName self;
  private final ClassName input;
  private final ClassName batch;
  private final List<Component> inputs;
  private final Component labels;
  private final String firstInput;
  private final int firstPerSample;
  private final boolean sequential;

  /**
   * @param self the generated class
   * @param inputs the inputs in declaration order, then {@code steps} for a sequence model
   * @param labels the labels, or null for a model that does not train
   * @param firstPerSample floats (or ids) of the first input per sample, per step for a sequence model
   */
  TypedApi(ClassName self, List<Component> inputs, Component labels, int firstPerSample, boolean sequential) {
    this.self = self;
    this.input = self.nestedClass("Input");
    this.batch = self.nestedClass("Batch");
    this.inputs = List.copyOf(inputs);
    this.labels = labels;
    this.firstInput = inputs.get(0).name();
    this.firstPerSample = firstPerSample;
    this.sequential = sequential;
  }

  ClassName inputType() {
    return input;
  }

  ClassName batchType() {
    return batch;
  }

  /** {@code InferenceModel<Input>} or {@code Classifier<Input>}. */
  TypeName inferenceInterface(boolean classifies) {
    return ParameterizedTypeName.get(classifies ? CLASSIFIER : INFERENCE_MODEL, input);
  }

  /** {@code SupervisedModel<Input, Batch>}. */
  TypeName supervisedInterface() {
    return ParameterizedTypeName.get(SUPERVISED_MODEL, input, batch);
  }

  TypeSpec inputRecord() {
    TypeSpec.Builder r = TypeSpec.recordBuilder(input).addModifiers(Modifier.PUBLIC)
        .addJavadoc("The inputs of one call, for {@link $T#forward(Input)} and the typed interfaces. Holds the caller's arrays,\n"
            + "not copies.\n\n$L", self, componentDocs(inputs));
    r.recordConstructor(MethodSpec.constructorBuilder().addParameters(parameters(inputs)).build());
    return r.build();
  }

  TypeSpec batchRecord() {
    List<Component> all = new ArrayList<>(inputs);
    all.add(labels);
    TypeSpec.Builder r = TypeSpec.recordBuilder(batch).addModifiers(Modifier.PUBLIC)
        .addSuperinterface(ParameterizedTypeName.get(LABELED_BATCH, input))
        .addJavadoc("A batch of inputs with their labels, for {@link $T#trainStep(Batch, $T)}, {@link $T#loss(Batch)} and\n"
            + "{@code io.kiln.runtime.Fit}. Holds the caller's arrays, not copies.\n\n$L", self, OPTIMIZER, self, componentDocs(all));
    r.recordConstructor(MethodSpec.constructorBuilder().addParameters(parameters(all)).build());
    r.addMethod(MethodSpec.methodBuilder("input").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(input)
        .addStatement("return new $T($L)", input, args(inputs, "")).build());
    String per = !sequential ? String.valueOf(firstPerSample) : firstPerSample == 1 ? "steps" : "(steps * " + firstPerSample + ")";
    r.addMethod(MethodSpec.methodBuilder("size").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(TypeName.INT)
        .addJavadoc("The samples in this batch, from the length of '$L': length / $L.\n", firstInput, per)
        .addStatement("return $L.length / $L", firstInput, per).build());
    return r.build();
  }

  /** {@code forward(Input)}, {@code predict(Input)} and, for a classifier, {@code classify(Input)}. */
  List<MethodSpec> inferenceMethods(TypeName tensor, boolean classifies) {
    List<MethodSpec> methods = new ArrayList<>();
    methods.add(delegate("forward", tensor, input, "input", "Runs the network on {@code input}; see {@link #forward($L)}.\n"));
    methods.add(delegate("predict", FLOATS, input, "input", "{@link #predict($L)} on {@code input}.\n"));
    if (classifies) {
      methods.add(delegate("classify", INTS, input, "input", "{@link #classify($L)} on {@code input}.\n"));
    }
    return methods;
  }

  /** {@code loss(Batch)}, {@code computeGradients(Batch)} and {@code trainStep(Batch, Optimizer)}. */
  List<MethodSpec> supervisedMethods() {
    List<Component> all = new ArrayList<>(inputs);
    all.add(labels);
    String arrays = all.stream().map(c -> c.type().toString()).collect(Collectors.joining(", "));
    List<MethodSpec> methods = new ArrayList<>();
    methods.add(delegate("loss", TypeName.FLOAT, batch, "batch", "{@link #loss($L)} on {@code batch}.\n"));
    methods.add(delegate("computeGradients", TypeName.FLOAT, batch, "batch", "{@link #computeGradients($L)} on {@code batch}.\n"));
    methods.add(MethodSpec.methodBuilder("trainStep").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(TypeName.FLOAT)
        .addJavadoc("{@link #trainStep($L, $T)} on {@code batch}.\n", arrays, OPTIMIZER)
        .addParameter(batch, "batch").addParameter(OPTIMIZER, "optimizer")
        .addStatement("return trainStep($L, optimizer)", args(all, "batch.")).build());
    return methods;
  }

  private MethodSpec delegate(String name, TypeName returns, ClassName record, String param, String doc) {
    List<Component> unpacked = new ArrayList<>(inputs);
    if (record.equals(batch)) {
      unpacked.add(labels);
    }
    String arrays = unpacked.stream().map(c -> c.type().toString()).collect(Collectors.joining(", "));
    return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(returns)
        .addJavadoc(doc, arrays)
        .addParameter(record, param)
        .addStatement("return $L($L)", name, args(unpacked, param + ".")).build();
  }

  private static List<ParameterSpec> parameters(List<Component> components) {
    return components.stream().map(c -> ParameterSpec.builder(c.type(), c.name()).build()).toList();
  }

  private static String args(List<Component> components, String prefix) {
    return components.stream().map(c -> prefix + c.name() + (prefix.isEmpty() ? "" : "()")).collect(Collectors.joining(", "));
  }

  private static String componentDocs(List<Component> components) {
    return components.stream().map(c -> "@param " + c.name() + " " + c.doc() + "\n").collect(Collectors.joining());
  }
}
