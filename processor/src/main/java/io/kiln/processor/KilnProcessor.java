package io.kiln.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.JavaFile;
import io.kiln.processor.diag.Diagnostic;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.diag.SourceRef;
import io.kiln.processor.parse.ModelParser;
import io.kiln.processor.parse.ModelSpec;
import io.kiln.processor.parse.SourceRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.annotation.processing.SupportedOptions;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic.Kind;

/**
 * Compiles each {@code @Model} class into a {@code Kiln<Name>} class. Errors are compile errors
 * pinned to the node method and the annotation attribute at fault; a model with errors gets no
 * generated code but never stops the build of other types, and an unexpected exception becomes
 * one error on the model with its stack trace instead of crashing javac.
 */
@AutoService(Processor.class)
// "*", not "io.kiln.dsl.*": javac finds no annotation inside a method body, so a file whose only
// @Model is a local class would never reach the processor and its mistake would go unreported.
@SupportedAnnotationTypes("*")
@SupportedOptions(KilnProcessor.DEBUG_CRASH)
public final class KilnProcessor extends AbstractProcessor {
  /**
   * Test-only: {@code -Akiln.debug.crash=Name} makes the processor throw while compiling the
   * {@code @Model} whose simple or qualified name is {@code Name}, to prove an unexpected exception
   * becomes one {@code [Kiln/Internal]} error on that model and other models still generate. Not
   * for users; it may change without notice.
   */
  static final String DEBUG_CRASH = "kiln.debug.crash";

  private io.kiln.processor.parse.LocalModels localModels;

  @Override
  public synchronized void init(javax.annotation.processing.ProcessingEnvironment env) {
    super.init(env);
    localModels = io.kiln.processor.parse.LocalModels.of(env);
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    TypeElement model = processingEnv.getElementUtils().getTypeElement("io.kiln.dsl.Model");
    if (model == null) {
      return false;
    }
    for (Element element : round.getElementsAnnotatedWith(model)) {
      if (element instanceof TypeElement type) {
        compile(type);
      }
    }
    warnAboutNodesOutsideModels(annotations, round);
    if (localModels != null) {
      localModels.report(round.getRootElements());
    }
    return false;
  }

  /**
   * Layer annotations in a class that is neither a {@code @Model}, a {@code @Block}, nor a
   * superclass of a model in this build would silently generate nothing ([Kiln/MissingModel]). A
   * class a {@code @Repeat} names is not warned about: the missing {@code @Block} is already an error there.
   */
  private void warnAboutNodesOutsideModels(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    Set<Element> models = new HashSet<>();
    for (Element m : round.getElementsAnnotatedWith(io.kiln.dsl.Model.class)) {
      for (Element t = m; t instanceof TypeElement type; t = processingEnv.getTypeUtils().asElement(type.getSuperclass())) {
        models.add(t);
      }
    }
    models.addAll(repeatedBlocks(round));
    Map<TypeElement, List<String>> strays = new LinkedHashMap<>();
    for (TypeElement annotation : annotations) {
      String name = annotation.getQualifiedName().toString();
      if (!name.startsWith("io.kiln.dsl.")) {
        continue; // the processor sees every annotation ("*"), but only Kiln's declare nodes
      }
      if (name.equals("io.kiln.dsl.Model") || name.equals("io.kiln.dsl.Block") || name.equals("io.kiln.dsl.Labels")
          || name.equals("io.kiln.dsl.InitialState") || name.equals("io.kiln.dsl.BlockInput")) {
        continue;
      }
      for (Element e : round.getElementsAnnotatedWith(annotation)) {
        if (e instanceof ExecutableElement method && method.getEnclosingElement() instanceof TypeElement owner
            && !models.contains(owner) && owner.getAnnotation(io.kiln.dsl.Block.class) == null) {
          strays.computeIfAbsent(owner, k -> new ArrayList<>()).add(method.getSimpleName().toString());
        }
      }
    }
    strays.forEach((type, nodes) -> {
      if (!suppressed(type, ErrorId.MISSING_MODEL)) {
        processingEnv.getMessager().printMessage(Kind.WARNING,
            "[" + ErrorId.MISSING_MODEL.code() + "] " + Messages.notAModel(type.getSimpleName().toString(), nodes), type);
      }
    });
  }

  /** The classes that {@code @Repeat(block = ...)} names in this round, with or without {@code @Block}. */
  private Set<Element> repeatedBlocks(RoundEnvironment round) {
    Set<Element> blocks = new HashSet<>();
    for (Element e : round.getElementsAnnotatedWith(io.kiln.dsl.Repeat.class)) {
      for (AnnotationMirror a : e.getAnnotationMirrors()) {
        a.getElementValues().forEach((attribute, value) -> {
          if (attribute.getSimpleName().contentEquals("block") && value.getValue() instanceof javax.lang.model.type.DeclaredType type) {
            blocks.add(type.asElement());
          }
        });
      }
    }
    return blocks;
  }

  /**
   * Whether {@code @SuppressWarnings} on the element or around it names the warning's id
   * ({@code "Kiln/UnusedNode"}) or {@code "Kiln"} for all of Kiln's warnings.
   */
  private static boolean suppressed(Element element, ErrorId id) {
    for (Element e = element; e != null; e = e.getEnclosingElement()) {
      SuppressWarnings s = e.getAnnotation(SuppressWarnings.class);
      if (s != null && (Arrays.asList(s.value()).contains(id.code()) || Arrays.asList(s.value()).contains("Kiln"))) {
        return true;
      }
    }
    return false;
  }

  private void compile(TypeElement type) {
    Locations locations = new Locations();
    Report report = new Report();
    boolean printed = false;
    try {
      ModelSpec spec = new ModelParser(locations, report).parse(type);
      String crash = processingEnv.getOptions().get(DEBUG_CRASH);
      if (crash != null && (type.getSimpleName().contentEquals(crash) || type.getQualifiedName().contentEquals(crash))) {
        throw new IllegalStateException("-A" + DEBUG_CRASH + "=" + crash + " (a test-only crash)");
      }
      // Even after parse errors the later passes check the nodes that parsed, so independent
      // mistakes of every stage show in one build; the rejected methods are skipped downstream.
      // A final or concrete class (or an interface, enum, record) cannot declare the abstract node
      // methods Kiln implements: fixing it changes every method, so its graph is not checked yet.
      boolean declaresNodes = type.getKind() == ElementKind.CLASS && type.getModifiers().contains(Modifier.ABSTRACT);
      JavaFile file = declaresNodes ? Pipeline.compile(spec, spec.rejected(), report) : null;
      printed = true;
      print(report, locations);
      if (file != null && !report.hasErrors()) {
        String name = file.packageName().isEmpty() ? file.typeSpec().name() : file.packageName() + "." + file.typeSpec().name();
        try (java.io.Writer out = processingEnv.getFiler().createSourceFile(name, type).openWriter()) {
          file.writeTo(out);
        } catch (javax.annotation.processing.FilerException taken) {
          // javac's Filer refuses a name a source of this build declares (a class of a previous
          // build on the class path is not refused: it is the stale generated one). Say which
          // class is in the way rather than report an internal error (found by DeclarationSpaceTest).
          processingEnv.getMessager().printMessage(Kind.ERROR, "[" + ErrorId.MODEL_DECLARATION.code() + "] "
              + Messages.generatedNameTaken(type.getSimpleName().toString(), name), type);
        }
      }
    } catch (IOException e) {
      processingEnv.getMessager().printMessage(Kind.ERROR,
          "[" + ErrorId.INTERNAL.code() + "] could not write the generated class for " + type.getSimpleName() + ": " + e, type);
    } catch (RuntimeException | Error e) {
      if (!printed) {
        print(report, locations); // what the passes found before the crash is still true
      }
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      processingEnv.getMessager().printMessage(Kind.ERROR,
          "[" + ErrorId.INTERNAL.code() + "] " + Messages.internalError(type.getSimpleName().toString(), trace.toString()), type);
    }
  }

  private void print(Report report, Locations locations) {
    // A node of a repeated block is checked once per copy; its mistake is one mistake, shown once
    // on the block's declaration (the first copy's message).
    Set<List<Object>> shownInBlocks = new HashSet<>();
    for (Diagnostic d : report.diagnostics()) {
      Kind kind = d.severity() == Diagnostic.Severity.ERROR ? Kind.ERROR : Kind.WARNING;
      Locations.Location at = locations.get(d.ref());
      if (at == null) {
        processingEnv.getMessager().printMessage(kind, d.text());
        continue;
      }
      if (d.severity() == Diagnostic.Severity.WARNING && suppressed(at.element(), d.id())) {
        continue;
      }
      if (insideBlock(at.element())
          && !shownInBlocks.add(Arrays.asList(at.element(), at.annotation(), d.id(), d.attribute(), d.severity()))) {
        continue;
      }
      AnnotationValue value = d.attribute() == null || at.annotation() == null ? null : valueOf(at.annotation(), d.attribute());
      if (value != null) {
        processingEnv.getMessager().printMessage(kind, d.text(), at.element(), at.annotation(), value);
      } else if (at.annotation() != null) {
        processingEnv.getMessager().printMessage(kind, d.text(), at.element(), at.annotation());
      } else {
        processingEnv.getMessager().printMessage(kind, d.text(), at.element());
      }
    }
  }

  private static boolean insideBlock(Element element) {
    for (Element e = element; e != null; e = e.getEnclosingElement()) {
      if (e.getAnnotation(io.kiln.dsl.Block.class) != null) {
        return true;
      }
    }
    return false;
  }

  /** The explicitly written value of {@code attribute}, or null when it is defaulted. */
  private static AnnotationValue valueOf(AnnotationMirror annotation, String attribute) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : annotation.getElementValues().entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(attribute)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** Maps the passes' opaque {@link SourceRef}s back to elements. */
  private static final class Locations implements SourceRegistry {
    record Location(Element element, AnnotationMirror annotation) {}

    private final List<Location> locations = new ArrayList<>();

    @Override
    public SourceRef register(Element element, AnnotationMirror annotation) {
      locations.add(new Location(element, annotation));
      return new SourceRef(locations.size() - 1);
    }

    Location get(SourceRef ref) {
      return ref.id() >= 0 && ref.id() < locations.size() ? locations.get(ref.id()) : null;
    }
  }
}
