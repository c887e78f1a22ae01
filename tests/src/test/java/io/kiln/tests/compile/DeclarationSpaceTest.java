package io.kiln.tests.compile;

import static com.google.common.truth.Truth.assertWithMessage;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.kiln.processor.KilnProcessor;
import io.kiln.tests.compile.DeclarationSpace.Case;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compiles every declaration of {@link DeclarationSpace} and sorts it into one {@link Outcome}.
 * Kiln's promise is that a wrong declaration is a Kiln error (or javac's own error for Java that
 * is not valid Java), never a processor crash, never a javac error inside the generated class, never
 * silence, and that an accepted model creates, runs forward and takes a training step on sensible
 * inputs. Prints the count per outcome and fails on any of the bad ones, listing them.
 */
class DeclarationSpaceTest {
  /** Cases per javac run: the processor's and javac's start-up are paid once per batch. */
  private static final int PER_COMPILE = 80;
  private static final Pattern CASE_ID = Pattern.compile("C\\d{4}");

  enum Outcome {
    /** Compiled; every generated model created, ran forward and took a training step. */
    ACCEPTED_AND_RUNS(true),
    /** Refused with a {@code [Kiln/...]} error (a warning-only Kiln diagnostic on a model that is not generated counts too). */
    KILN_ERROR(true),
    /** javac's own error in the user's source (an annotation where Java does not allow it, a type error), no Kiln crash. */
    JAVAC_ERROR_IN_USER_SOURCE(true),
    /** {@code [Kiln/Internal]} or an exception out of the processor. */
    PROCESSOR_CRASH(false),
    /** javac rejected the class Kiln wrote. */
    ERROR_IN_GENERATED_CODE(false),
    /** Accepted, but the generated model threw or produced non-finite numbers on sensible inputs. */
    FAILS_AT_RUN_TIME(false),
    /** A class annotated {@code @Model} compiled with no generated class and nothing said. */
    SILENTLY_IGNORED(false);

    final boolean good;

    Outcome(boolean good) {
      this.good = good;
    }
  }

  record Result(Case c, Outcome outcome, String detail) {}

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a processor hang fails, not stalls, the build
  void everyDeclarationIsAcceptedAndRunsOrGetsAnErrorNeverACrash() {
    List<Case> cases = DeclarationSpace.all();
    Map<String, Result> results = new LinkedHashMap<>();
    List<Case> accepted = new ArrayList<>();
    for (int i = 0; i < cases.size(); i += PER_COMPILE) {
      List<Case> group = cases.subList(i, Math.min(cases.size(), i + PER_COMPILE));
      for (Result r : compileAndJudge(group)) {
        if (r == null) {
          continue;
        }
        results.put(r.c().id(), r);
      }
    }
    for (Case c : cases) {
      if (!results.containsKey(c.id())) {
        accepted.add(c);
      }
    }
    for (int i = 0; i < accepted.size(); i += PER_COMPILE) {
      runAccepted(accepted.subList(i, Math.min(accepted.size(), i + PER_COMPILE)), results);
    }

    Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
    List<String> bad = new ArrayList<>();
    for (Case c : cases) {
      Result r = results.get(c.id());
      counts.merge(r.outcome(), 1, Integer::sum);
      if (!r.outcome().good) {
        bad.add(c.id() + " " + c.title() + " → " + r.outcome() + ": " + r.detail() + "\n" + c.source());
      }
    }
    System.err.println("declaration space: " + cases.size() + " declarations");
    counts.forEach((o, n) -> System.err.printf("  %-28s %5d%n", o, n));
    assertWithMessage("%s of %s declarations crashed, broke the generated code, failed at run time or were ignored:\n%s", bad.size(),
        cases.size(), String.join("\n", bad)).that(bad).isEmpty();
    // The space is what it claims: each good outcome is reached, so the classifier is not vacuous.
    assertWithMessage("outcomes").that(counts.keySet())
        .containsAtLeast(Outcome.ACCEPTED_AND_RUNS, Outcome.KILN_ERROR, Outcome.JAVAC_ERROR_IN_USER_SOURCE);
  }

  private static Compilation compile(List<Case> group) {
    List<JavaFileObject> sources = group.stream().map(c -> JavaFileObjects.forSourceString("space." + c.id(), c.source())).toList();
    return Compiler.javac().withProcessors(new KilnProcessor()).compile(sources);
  }

  /** The judged cases of {@code group}; accepted ones are left out (null) to be run in a clean compilation. */
  private static List<Result> compileAndJudge(List<Case> group) {
    Compilation compilation;
    try {
      compilation = compile(group);
    } catch (RuntimeException crash) {
      if (group.size() == 1) {
        return List.of(new Result(group.get(0), Outcome.PROCESSOR_CRASH, String.valueOf(crash.getCause() != null ? crash.getCause() : crash)));
      }
      List<Result> one = new ArrayList<>();
      group.forEach(c -> one.addAll(compileAndJudge(List.of(c))));
      return one;
    }
    Map<String, List<Diagnostic<? extends JavaFileObject>>> byCase = new LinkedHashMap<>();
    for (Diagnostic<? extends JavaFileObject> d : compilation.diagnostics()) {
      String id = d.getSource() == null ? null : caseId(d.getSource().getName());
      if (id == null && d.getKind() == Diagnostic.Kind.ERROR && group.size() > 1) {
        // An error javac could not place: judge each case alone.
        List<Result> one = new ArrayList<>();
        group.forEach(c -> one.addAll(compileAndJudge(List.of(c))));
        return one;
      }
      byCase.computeIfAbsent(id == null ? group.get(0).id() : id, k -> new ArrayList<>()).add(d);
    }
    List<Result> results = new ArrayList<>();
    List<Case> unjudged = new ArrayList<>();
    boolean javacRefusedSome = false;
    for (Case c : group) {
      Result r = judge(c, byCase.getOrDefault(c.id(), List.of()));
      results.add(r);
      javacRefusedSome |= r != null && r.outcome() == Outcome.JAVAC_ERROR_IN_USER_SOURCE;
      if (r == null) {
        unjudged.add(c);
      }
    }
    if (javacRefusedSome && !unjudged.isEmpty()) {
      // javac runs no annotation processor over a batch with some errors of its own: judge the rest without them.
      results.removeIf(java.util.Objects::isNull);
      results.addAll(compileAndJudge(unjudged));
    }
    return results;
  }

  private static String caseId(String fileName) {
    Matcher m = CASE_ID.matcher(fileName);
    return m.find() ? m.group() : null;
  }

  private static Result judge(Case c, List<Diagnostic<? extends JavaFileObject>> diagnostics) {
    boolean kilnError = false;
    boolean javacError = false;
    for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
      String message = d.getMessage(null);
      boolean generated = d.getSource() != null && d.getSource().getName().contains("SOURCE_OUTPUT");
      if (message.contains("[Kiln/Internal]") || message.contains("annotation processor threw")) {
        return new Result(c, Outcome.PROCESSOR_CRASH, message.lines().limit(6).reduce("", (a, b) -> a + "\n    " + b));
      }
      if (d.getKind() == Diagnostic.Kind.ERROR && generated) {
        return new Result(c, Outcome.ERROR_IN_GENERATED_CODE, d.getSource().getName() + ":" + d.getLineNumber() + ": " + message);
      }
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        if (message.contains("[Kiln/")) {
          kilnError = true;
        } else {
          javacError = true;
        }
      }
    }
    if (kilnError) {
      return new Result(c, Outcome.KILN_ERROR, null);
    }
    if (javacError) {
      return new Result(c, Outcome.JAVAC_ERROR_IN_USER_SOURCE, null);
    }
    // No error: compiled again with the other accepted cases, where its generated classes can be seen and run.
    return null;
  }

  /** Compiles the accepted cases together, which must succeed, and drives each generated model. */
  private static void runAccepted(List<Case> group, Map<String, Result> results) {
    Compilation compilation = compile(group);
    if (compilation.status() != Compilation.Status.SUCCESS && group.size() > 1) {
      group.forEach(c -> runAccepted(List.of(c), results));
      return;
    }
    if (compilation.status() != Compilation.Status.SUCCESS) {
      // Alone, it may show errors a batch hid (javac stops attributing after some errors of other files).
      Case c = group.get(0);
      Result judged = judge(c, compilation.diagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList());
      results.put(c.id(), judged != null ? judged : new Result(c, Outcome.ERROR_IN_GENERATED_CODE, compilation.errors().toString()));
      return;
    }
    ClassLoader loader = GeneratedModelRun.loaderOf(compilation.generatedFiles());
    for (Case c : group) {
      String failure = null;
      boolean generated = false;
      for (JavaFileObject f : compilation.generatedSourceFiles()) {
        if (c.id().equals(caseId(f.getName()))) {
          generated = true;
          String path = f.toUri().getPath();
          String binary = path.substring(path.indexOf("SOURCE_OUTPUT/") + "SOURCE_OUTPUT/".length(), path.length() - ".java".length())
              .replace('/', '.');
          try {
            failure = GeneratedModelRun.failure(Class.forName(binary, true, loader));
          } catch (ClassNotFoundException | LinkageError e) {
            failure = e.toString();
          }
          if (failure != null) {
            break;
          }
        }
      }
      if (!generated) {
        boolean warned = compilation.diagnostics().stream()
            .anyMatch(d -> d.getSource() != null && c.id().equals(caseId(d.getSource().getName())) && d.getMessage(null).contains("[Kiln/"));
        results.put(c.id(), warned ? new Result(c, Outcome.KILN_ERROR, "a warning, no class") : new Result(c, Outcome.SILENTLY_IGNORED, "no class generated, nothing said"));
        continue;
      }
      results.put(c.id(), failure == null ? new Result(c, Outcome.ACCEPTED_AND_RUNS, null) : new Result(c, Outcome.FAILS_AT_RUN_TIME, failure));
    }
  }
}
