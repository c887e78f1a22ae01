package io.kiln.processor.parse;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import java.util.HashSet;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic.Kind;

/**
 * Finds {@code @Model} classes declared inside a method body. javac hands processors no local
 * classes, so such a model would silently generate nothing; this reads the source trees instead
 * (javac only: elsewhere it does nothing) and reports each one on its declaration.
 */
public final class LocalModels {
  private final Trees trees;
  private final Set<CompilationUnitTree> scanned = new HashSet<>();

  private LocalModels(Trees trees) {
    this.trees = trees;
  }

  /** Null when the compiler offers no source trees (not javac). */
  public static LocalModels of(ProcessingEnvironment env) {
    try {
      return new LocalModels(Trees.instance(env));
    } catch (IllegalArgumentException | LinkageError notJavac) {
      return null;
    }
  }

  /** Reports the local {@code @Model} classes of the files declaring {@code roots}, each file once. */
  public void report(Iterable<? extends Element> roots) {
    for (Element root : roots) {
      TreePath path = root instanceof TypeElement ? trees.getPath(root) : null;
      if (path == null || !scanned.add(path.getCompilationUnit())) {
        continue;
      }
      CompilationUnitTree unit = path.getCompilationUnit();
      new TreePathScanner<Void, Integer>() {
        @Override
        public Void visitMethod(MethodTree method, Integer depth) {
          return super.visitMethod(method, depth + 1);
        }

        @Override
        public Void visitClass(ClassTree type, Integer depth) {
          if (depth > 0 && type.getModifiers().getAnnotations().stream().anyMatch(LocalModels::isModel)) {
            trees.printMessage(Kind.ERROR, "[" + ErrorId.MODEL_DECLARATION.code() + "] " + Messages.localModel(type.getSimpleName().toString()),
                type, unit);
          }
          // A class inside a method body starts a new scope: its own methods count from there.
          return super.visitClass(type, depth);
        }
      }.scan(unit, 0);
    }
  }

  private static boolean isModel(AnnotationTree annotation) {
    String name = annotation.getAnnotationType().toString();
    return name.equals("Model") || name.equals("io.kiln.dsl.Model");
  }
}
