package io.kiln.processor.parse;

import io.kiln.dsl.Add;
import io.kiln.dsl.Attention;
import io.kiln.dsl.AvgPool;
import io.kiln.dsl.AvgPool1d;
import io.kiln.dsl.Block;
import io.kiln.dsl.BlockInput;
import io.kiln.dsl.Concat;
import io.kiln.dsl.LayerNorm;
import io.kiln.dsl.MultiHeadAttention;
import io.kiln.dsl.PositionEmbedding;
import io.kiln.dsl.Repeat;
import io.kiln.dsl.BatchNorm;
import io.kiln.dsl.Conv;
import io.kiln.dsl.Conv1d;
import io.kiln.dsl.GlobalAvgPool;
import io.kiln.dsl.Dense;
import io.kiln.dsl.Dropout;
import io.kiln.dsl.Embedding;
import io.kiln.dsl.Gru;
import io.kiln.dsl.Lstm;
import io.kiln.dsl.Rnn;
import io.kiln.dsl.Tokens;
import io.kiln.dsl.Flatten;
import io.kiln.dsl.InitialState;
import io.kiln.dsl.Input;
import io.kiln.dsl.Labels;
import io.kiln.dsl.Loss;
import io.kiln.dsl.MaxPool;
import io.kiln.dsl.MaxPool1d;
import io.kiln.dsl.Model;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.diag.SourceRef;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;

/**
 * The parse pass: reads a {@code @Model} class through javax.lang.model into a {@link ModelSpec},
 * reporting declarations that are not a valid model (wrong class or method modifiers, missing or
 * doubled layer annotations, parameter types that are not tensor handles).
 */
public final class ModelParser {
  /**
   * Which record reads each layer annotation, in the order doubled annotations are named in errors.
   * A new layer kind is one entry here; a new attribute of a kind touches only its record's
   * {@code from}, next to the record's components. {@code @Repeat} is a node annotation
   * without a record of its own: {@code expandRepeat} copies its block instead.
   */
  private static final List<LayerReader<?>> READERS = List.of(
      reader(Input.class, Layer.Input::from),
      reader(Tokens.class, Layer.Tokens::from),
      reader(Dense.class, Layer.Dense::from),
      reader(Conv.class, Layer.Conv::from),
      reader(Conv1d.class, Layer.Conv::from),
      reader(MaxPool.class, Layer.Pool::from),
      reader(AvgPool.class, Layer.Pool::from),
      reader(MaxPool1d.class, Layer.Pool::from),
      reader(AvgPool1d.class, Layer.Pool::from),
      reader(GlobalAvgPool.class, Layer.Pool::from),
      reader(Flatten.class, Layer.Flatten::from),
      reader(Dropout.class, Layer.Dropout::from),
      reader(BatchNorm.class, Layer.BatchNorm::from),
      reader(Embedding.class, Layer.Embedding::from),
      reader(Rnn.class, Layer.Recurrent::from),
      reader(Lstm.class, Layer.Recurrent::from),
      reader(Gru.class, Layer.Recurrent::from),
      reader(Attention.class, Layer.Attention::from),
      reader(Concat.class, Layer.Concat::from),
      reader(Add.class, Layer.Add::from),
      reader(LayerNorm.class, Layer.LayerNorm::from),
      reader(MultiHeadAttention.class, Layer.MultiHeadAttention::from),
      reader(PositionEmbedding.class, Layer.PositionEmbedding::from),
      reader(Repeat.class, r -> {
        throw new IllegalStateException("a @Repeat node is expanded into its block's copies, not read as a layer");
      }),
      reader(Loss.class, Layer.Loss::from));
  private static final List<Class<? extends Annotation>> LAYERS = READERS.stream().<Class<? extends Annotation>>map(LayerReader::type).toList();
  /** The most copies one {@code @Repeat} may make; deep Transformers repeat their block about a hundred times. */
  static final int MAX_REPEAT = 1000;
  private static final String TENSOR = "io.kiln.dsl.Tensor";
  private static final String INT_TENSOR = "io.kiln.dsl.IntTensor";

  private final SourceRegistry sources;
  private final Report report;
  private boolean concreteClass;

  /** A per-axis attribute's values ({@code stride = {1, 3}}), compared by value in the layer record. */
  public ModelParser(SourceRegistry sources, Report report) {
    this.sources = sources;
    this.report = report;
  }

  /** Parses {@code type}; errors go to the report (the spec is still returned for what parsed). */
  public ModelSpec parse(TypeElement type) {
    AnnotationMirror modelMirror = mirror(type, Model.class);
    SourceRef modelRef = sources.register(type, modelMirror);
    // Declaration errors are about the class itself (its modifiers, kind, type parameters), not
    // the annotation: pin them to the class name.
    // A concrete class's node methods have bodies because the class does; that is one mistake,
    // reported once on the class (with the methods to change), not again on every method.
    concreteClass = type.getKind() == ElementKind.CLASS && !type.getModifiers().contains(Modifier.ABSTRACT)
        && !type.getModifiers().contains(Modifier.FINAL);
    checkModelClass(type, sources.register(type, null));
    Model model = type.getAnnotation(Model.class);
    if (model.maxBatch() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, modelRef, "maxBatch", Messages.maxBatchNotPositive(type.getSimpleName().toString(), model.maxBatch()));
    }

    List<NodeSpec> nodes = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Map<String, String> repeatOutputs = new HashMap<>(); // a @Repeat node → its last copy's output node
    List<ModelSpec.RepeatSpec> repeats = new ArrayList<>();
    Map<String, String> declared = new LinkedHashMap<>(); // every node method, by name → its layer annotation
    for (ExecutableElement method : nodeMethods(type)) {
      String layer = layerAnnotation(method);
      if (!layer.isEmpty() || method.getModifiers().contains(Modifier.ABSTRACT)) {
        // Overloads: an @Input among them names the node (its readers are what break).
        declared.merge(method.getSimpleName().toString(), layer, (a, b) -> a.equals("@Input") || b.equals("@Input") ? "@Input" : a.isEmpty() ? a : b);
      }
      if (method.getAnnotation(Repeat.class) != null) {
        expandRepeat(method, seen, nodes, repeatOutputs, repeats);
        continue;
      }
      parseNode(method, seen, "", UnaryOperator.identity()).ifPresent(nodes::add);
    }
    // What did not become a node (nor a repeat, which is expanded into its copies) was rejected.
    nodes.forEach(n -> declared.remove(n.name()));
    repeats.forEach(r -> declared.remove(r.name()));
    // A repeat that reads another repeat reads that one's last copy.
    repeats.replaceAll(r -> !repeatOutputs.containsKey(r.firstInput()) ? r
        : new ModelSpec.RepeatSpec(r.name(), r.block(), r.times(), repeatOutputs.get(r.firstInput()), r.firstOutput(), r.outputNode(), r.ref()));
    if (!repeatOutputs.isEmpty()) {
      // Readers of a @Repeat node read its last copy's output.
      nodes.replaceAll(n -> new NodeSpec(n.name(), n.layer(), n.params().stream()
          .map(p -> p.labels() || !repeatOutputs.containsKey(p.name()) ? p
              : new ParamSpec(repeatOutputs.get(p.name()), p.type(), p.labels(), p.ref(), p.initialState()))
          .toList(), n.ref()));
    }
    return new ModelSpec(packageOf(type), declaredName(type), generatedName(type), model.maxBatch(), nodes, modelRef, repeats, declared);
  }

  /**
   * The methods that may declare nodes: the class's own, after those it inherits from abstract
   * superclasses (base first, so inherited inputs come first), minus inherited ones it redeclares.
   */
  public static List<ExecutableElement> nodeMethods(TypeElement type) {
    List<TypeElement> chain = new ArrayList<>();
    for (TypeElement t = type; t != null; t = superclass(t)) {
      chain.add(0, t);
    }
    Set<String> declaredBelow = new HashSet<>();
    List<List<ExecutableElement>> perClass = new ArrayList<>();
    for (int i = chain.size() - 1; i >= 0; i--) {
      List<ExecutableElement> own = new ArrayList<>();
      for (ExecutableElement m : ElementFilter.methodsIn(chain.get(i).getEnclosedElements())) {
        boolean inherited = i < chain.size() - 1;
        if (inherited && (m.getModifiers().contains(Modifier.PRIVATE) || !hasLayer(m) && !m.getModifiers().contains(Modifier.ABSTRACT))) {
          continue; // a superclass's helpers are its own business
        }
        if (!inherited || !declaredBelow.contains(m.getSimpleName().toString())) {
          own.add(m);
        }
      }
      own.forEach(m -> declaredBelow.add(m.getSimpleName().toString()));
      perClass.add(0, own);
    }
    List<ExecutableElement> all = new ArrayList<>();
    perClass.forEach(all::addAll);
    return all;
  }

  /** The superclass when it can hold node methods (an abstract class other than Object), else null. */
  private static TypeElement superclass(TypeElement type) {
    if (!(type.getSuperclass() instanceof DeclaredType d) || !(d.asElement() instanceof TypeElement s)) {
      return null;
    }
    boolean holdsNodes = s.getKind() == ElementKind.CLASS && s.getModifiers().contains(Modifier.ABSTRACT)
        && !s.getQualifiedName().contentEquals("java.lang.Object");
    return holdsNodes ? s : null;
  }

  /** The method's first Kiln annotation other than {@code @Labels}, as {@code "@Dense"}; "" without one. */
  private static String layerAnnotation(ExecutableElement method) {
    for (AnnotationMirror m : method.getAnnotationMirrors()) {
      String qualified = ((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().toString();
      if (qualified.startsWith("io.kiln.dsl.") && !qualified.equals("io.kiln.dsl.Labels")) {
        return "@" + m.getAnnotationType().asElement().getSimpleName();
      }
    }
    return "";
  }

  private static boolean hasLayer(ExecutableElement method) {
    return LAYERS.stream().anyMatch(layer -> method.getAnnotation(layer) != null);
  }

  private void checkModelClass(TypeElement type, SourceRef ref) {
    String name = type.getSimpleName().toString();
    Set<Modifier> mods = type.getModifiers();
    if (type.getKind() != ElementKind.CLASS) {
      report.error(ErrorId.MODEL_DECLARATION, ref, Messages.modelNotClass(name, type.getKind().toString()));
      return;
    }
    if (mods.contains(Modifier.FINAL)) {
      report.error(ErrorId.MODEL_DECLARATION, ref, Messages.modelFinal(name));
    } else if (!mods.contains(Modifier.ABSTRACT)) {
      List<String> withBodies = nodeMethods(type).stream()
          .filter(m -> !m.getModifiers().contains(Modifier.ABSTRACT) && hasLayer(m))
          .map(m -> m.getSimpleName().toString()).toList();
      report.error(ErrorId.MODEL_DECLARATION, ref, Messages.modelNotAbstract(name, withBodies));
    }
    if (type.getNestingKind() == NestingKind.MEMBER && !mods.contains(Modifier.STATIC)) {
      report.error(ErrorId.MODEL_DECLARATION, ref, Messages.modelInner(name));
    } else if (type.getNestingKind() == NestingKind.LOCAL || type.getNestingKind() == NestingKind.ANONYMOUS) {
      report.error(ErrorId.MODEL_DECLARATION, ref, Messages.modelLocal(name));
    }
    if (mods.contains(Modifier.PRIVATE)) {
      report.error(ErrorId.MODEL_DECLARATION, ref, Messages.modelPrivate(name));
    }
    if (!type.getTypeParameters().isEmpty()) {
      report.error(ErrorId.MODEL_DECLARATION, ref, Messages.modelGeneric(name));
    }
  }

  /**
   * Copies the nodes of a {@code @Repeat}'s block {@code times} times, copy i's nodes named
   * {@code name.i.node}; the block input of copy 0 is the repeat's parameter, of copy i the output
   * of copy i − 1. Records the last copy's output as what the repeat node stands for.
   */
  private void expandRepeat(ExecutableElement method, Set<String> seen, List<NodeSpec> nodes, Map<String, String> repeatOutputs,
      List<ModelSpec.RepeatSpec> repeats) {
    String name = method.getSimpleName().toString();
    AnnotationMirror mirror = mirror(method, Repeat.class);
    SourceRef ref = sources.register(method, mirror);
    Repeat repeat = method.getAnnotation(Repeat.class);
    boolean ok = true;
    if (repeat.times() < 1) {
      report.error(ErrorId.BAD_ATTRIBUTE, ref, "times", Messages.notPositive(name, "@Repeat", "times", repeat.times()));
      ok = false;
    } else if (repeat.times() > MAX_REPEAT) {
      // Each copy becomes nodes, parameters and generated code: a mistyped count must not make
      // the processor expand millions of copies (it hung javac; found by DeclarationSpaceTest).
      report.error(ErrorId.BAD_ATTRIBUTE, ref, "times", Messages.tooManyRepeats(name, repeat.times(), MAX_REPEAT));
      ok = false;
    }
    for (Class<? extends Annotation> layer : LAYERS) {
      if (layer != Repeat.class && method.getAnnotation(layer) != null) {
        report.error(ErrorId.TWO_LAYERS, ref, Messages.twoLayers(name, List.of("@Repeat", "@" + layer.getSimpleName())));
        ok = false;
      }
    }
    if (!method.getModifiers().contains(Modifier.ABSTRACT)) {
      report.error(ErrorId.NODE_DECLARATION, sources.register(method, null), Messages.nodeNotAbstract(name, "@Repeat"));
      ok = false;
    }
    if (!seen.add(name)) {
      report.error(ErrorId.DUPLICATE_NODE, sources.register(method, null), Messages.duplicateNode(name));
      ok = false;
    }
    List<? extends VariableElement> params = method.getParameters();
    if (params.size() != 1 || !isType(params.get(0).asType(), TENSOR)) {
      report.error(ErrorId.ARITY, ref, Messages.repeatArity(name, params.stream().map(p -> p.getSimpleName().toString()).toList()));
      ok = false;
    }
    TypeElement block = blockType(mirror);
    if (block == null || block.getAnnotation(Block.class) == null) {
      report.error(ErrorId.BAD_ATTRIBUTE, ref, "block", Messages.notABlock(name, block == null ? "?" : block.getSimpleName().toString()));
      return;
    }
    List<ExecutableElement> inputs = new ArrayList<>();
    List<ExecutableElement> members = new ArrayList<>();
    for (ExecutableElement m : ElementFilter.methodsIn(block.getEnclosedElements())) {
      (m.getAnnotation(BlockInput.class) != null ? inputs : members).add(m);
    }
    SourceRef blockRef = sources.register(block, null);
    if (inputs.size() != 1) {
      report.error(ErrorId.MODEL_DECLARATION, blockRef, Messages.blockInputs(block.getSimpleName().toString(),
          inputs.stream().map(m -> m.getSimpleName().toString()).toList()));
      return;
    }
    ExecutableElement input = inputs.get(0);
    if (!input.getParameters().isEmpty() || !isType(input.getReturnType(), TENSOR) || !input.getModifiers().contains(Modifier.ABSTRACT)) {
      report.error(ErrorId.NODE_DECLARATION, sources.register(input, null), Messages.blockInputDeclaration(input.getSimpleName().toString()));
      return;
    }
    Set<String> local = new HashSet<>();
    Set<String> read = new HashSet<>();
    for (ExecutableElement m : members) {
      local.add(m.getSimpleName().toString());
      m.getParameters().forEach(p -> read.add(p.getSimpleName().toString()));
    }
    List<String> outputs = members.stream().map(m -> m.getSimpleName().toString()).filter(n -> !read.contains(n)).toList();
    if (outputs.size() != 1) {
      report.error(ErrorId.NO_OUTPUT, blockRef, Messages.blockOutputs(block.getSimpleName().toString(), outputs));
      return;
    }
    if (!ok) {
      return;
    }
    String blockInput = input.getSimpleName().toString();
    String previous = params.get(0).getSimpleName().toString();
    for (int i = 0; i < repeat.times(); i++) {
      String prefix = name + "." + i + ".";
      String from = previous;
      UnaryOperator<String> rename = p -> p.equals(blockInput) ? from : local.contains(p) ? prefix + p : p;
      for (ExecutableElement m : members) {
        parseNode(m, seen, prefix, rename).ifPresent(nodes::add);
      }
      previous = prefix + outputs.get(0);
    }
    repeatOutputs.put(name, previous);
    repeats.add(new ModelSpec.RepeatSpec(name, block.getSimpleName().toString(), repeat.times(),
        params.get(0).getSimpleName().toString(), name + ".0." + outputs.get(0), outputs.get(0), ref));
  }

  private static TypeElement blockType(AnnotationMirror repeat) {
    for (var e : repeat.getElementValues().entrySet()) {
      if (e.getKey().getSimpleName().contentEquals("block") && e.getValue().getValue() instanceof DeclaredType t) {
        return (TypeElement) t.asElement();
      }
    }
    return null;
  }

  private Optional<NodeSpec> parseNode(ExecutableElement method, Set<String> seen, String prefix, UnaryOperator<String> rename) {
    String name = prefix + method.getSimpleName().toString();
    List<Class<? extends Annotation>> present = new ArrayList<>();
    for (Class<? extends Annotation> layer : LAYERS) {
      if (method.getAnnotation(layer) != null) {
        present.add(layer);
      }
    }
    boolean isAbstract = method.getModifiers().contains(Modifier.ABSTRACT);
    if (present.isEmpty()) {
      if (isAbstract) {
        report.error(ErrorId.NO_LAYER, sources.register(method, null), Messages.noLayer(name));
      }
      return Optional.empty(); // concrete helper methods are the user's own business
    }
    AnnotationMirror layerMirror = mirror(method, present.get(0));
    SourceRef ref = sources.register(method, layerMirror);
    if (present.get(0) == Repeat.class) {
      report.error(ErrorId.NODE_DECLARATION, ref, Messages.repeatInBlock(name));
      return Optional.empty();
    }
    // Errors in the method's signature or body are pinned to the method, not its annotation.
    SourceRef methodRef = sources.register(method, null);
    boolean ok = true;
    if (present.size() > 1) {
      report.error(ErrorId.TWO_LAYERS, ref, Messages.twoLayers(name, present.stream().map(c -> "@" + c.getSimpleName()).toList()));
      ok = false;
    }
    if (!isAbstract) {
      if (!concreteClass) { // else the class's error names this method already
        report.error(ErrorId.NODE_DECLARATION, methodRef, Messages.nodeNotAbstract(name, "@" + present.get(0).getSimpleName()));
      }
      ok = false;
    }
    if (!method.getTypeParameters().isEmpty()) {
      report.error(ErrorId.NODE_DECLARATION, methodRef, Messages.nodeGeneric(name));
      ok = false;
    }
    boolean tokens = present.get(0) == Tokens.class;
    if (tokens && !isType(method.getReturnType(), INT_TENSOR)) {
      report.error(ErrorId.NODE_DECLARATION, ref, Messages.tokensReturnType(name, simpleName(method.getReturnType())));
      ok = false;
    } else if (!tokens && !isType(method.getReturnType(), TENSOR)) {
      report.error(ErrorId.NODE_DECLARATION, methodRef, present.get(0) == Input.class && isType(method.getReturnType(), INT_TENSOR)
          ? Messages.intInput(name) : Messages.nodeReturnType(name, simpleName(method.getReturnType())));
      ok = false;
    }
    if (!seen.add(name)) {
      report.error(ErrorId.DUPLICATE_NODE, methodRef, Messages.duplicateNode(name));
      ok = false;
    }
    boolean isLoss = present.get(0) == Loss.class;
    List<ParamSpec> params = new ArrayList<>();
    for (VariableElement p : method.getParameters()) {
      String pName = rename.apply(p.getSimpleName().toString());
      SourceRef pRef = sources.register(p, null);
      boolean labels = p.getAnnotation(Labels.class) != null;
      boolean state = p.getAnnotation(InitialState.class) != null;
      boolean recurrent = present.get(0) == Rnn.class || present.get(0) == Lstm.class || present.get(0) == Gru.class;
      if (state && !recurrent) {
        report.error(ErrorId.NODE_DECLARATION, pRef, Messages.initialStateOutsideRecurrent(name, pName));
        ok = false;
      }
      if (labels && !isLoss) {
        report.error(ErrorId.LABELS, pRef, Messages.labelsOutsideLoss(name, pName));
        ok = false;
      }
      ValueType type;
      if (isType(p.asType(), TENSOR)) {
        type = ValueType.TENSOR;
      } else if (isType(p.asType(), INT_TENSOR)) {
        type = ValueType.INT_TENSOR;
      } else {
        report.error(ErrorId.NODE_DECLARATION, pRef, Messages.paramType(name, pName, simpleName(p.asType())));
        ok = false;
        continue;
      }
      params.add(new ParamSpec(pName, type, labels, pRef, state));
    }
    if (!ok) {
      return Optional.empty();
    }
    return Optional.of(new NodeSpec(name, layerOf(method, present.get(0)), params, ref));
  }

  private static Layer layerOf(ExecutableElement method, Class<? extends Annotation> kind) {
    return READERS.stream().filter(r -> r.type() == kind).findFirst().orElseThrow().read(method);
  }

  /** Reads one layer annotation into its record. */
  private record LayerReader<A extends Annotation>(Class<A> type, Function<A, Layer> record) {
    Layer read(ExecutableElement method) {
      return record.apply(method.getAnnotation(type));
    }
  }

  private static <A extends Annotation> LayerReader<A> reader(Class<A> type, Function<A, Layer> record) {
    return new LayerReader<>(type, record);
  }


  /** {@code String} rather than {@code java.lang.String}, as users wrote it. */
  private static String simpleName(TypeMirror type) {
    return type.getKind() == TypeKind.DECLARED ? ((DeclaredType) type).asElement().getSimpleName().toString() : type.toString();
  }

  private static boolean isType(TypeMirror type, String qualifiedName) {
    return type.getKind() == TypeKind.DECLARED
        && ((TypeElement) ((DeclaredType) type).asElement()).getQualifiedName().contentEquals(qualifiedName);
  }

  private static AnnotationMirror mirror(Element element, Class<? extends Annotation> annotation) {
    for (AnnotationMirror m : element.getAnnotationMirrors()) {
      TypeElement t = (TypeElement) m.getAnnotationType().asElement();
      if (t.getQualifiedName().contentEquals(annotation.getCanonicalName())) {
        return m;
      }
    }
    return null;
  }

  private static String packageOf(TypeElement type) {
    Element e = type;
    while (!(e instanceof PackageElement)) {
      e = e.getEnclosingElement();
    }
    return ((PackageElement) e).getQualifiedName().toString();
  }

  private static String declaredName(TypeElement type) {
    String pkg = packageOf(type);
    String qualified = type.getQualifiedName().toString();
    return pkg.isEmpty() ? qualified : qualified.substring(pkg.length() + 1);
  }

  private static String generatedName(TypeElement type) {
    return "Kiln" + declaredName(type).replace('.', '_');
  }
}
