package io.kiln.tests.compile;

import static com.google.common.truth.Truth.assertWithMessage;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.kiln.processor.KilnProcessor;
import io.kiln.tests.compile.MutantModels.Mutation;
import io.kiln.tests.compile.MutantModels.Site;
import io.kiln.tests.compile.MutantNet.Decl;
import io.kiln.tests.compile.MutantOracle.Verdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Valid models of every layer family ({@link MutantModels}), each mutated once the way people err
 * (an off-by-one size, two attributes or two inputs swapped, a missing flatten, a channels-last
 * image, dropped labels, the wrong loss, a block that changes width …). {@link MutantOracle} says,
 * from the DSL's rules, whether the mutant is still valid and which lines must carry an error; then:
 *
 * <ul>
 *   <li>an invalid mutant gets exactly one Kiln error, on the mutated line, never an internal error
 *       nor a javac crash. The one exception: a size two declarations must agree on, each valid
 *       alone (an encoder's and a decoder's units, a decoded output's classes and its embedding's
 *       vocab, a residual branch's width and the model width, a kernel and the map it slides over,
 *       an embedding sharing a table), where the source cannot say which side was mistyped
 *       ({@link MutantOracle.Verdict#agreements}); the error is then on the declaration that reads the
 *       other, and such mutants are counted apart ({@code agreement});
 *   <li>a mutant that is a lint case (a channels-last image whose kernel still fits, a Keras
 *       momentum, a sigmoid before a loss that applies its own) compiles with that warning on that line;
 *   <li>a mutant that is still valid compiles, and so does the class Kiln writes for it.
 * </ul>
 *
 * Per mutation kind it prints the counts to stderr. Runs with {@code -Dkiln.mutants.count=N}
 * (default 2000) and {@code -Dkiln.mutants.seed=N}; failures print the seed and the sources.
 */
class ModelMutantsTest {
  static final long SEED = Long.getLong("kiln.mutants.seed", 20261204L);
  static final int COUNT = Integer.getInteger("kiln.mutants.count", 2000);
  /** Models per javac run: the processor's and javac's start-up are paid once per batch. */
  static final int PER_COMPILE = 50;
  private static final Pattern ID = Pattern.compile("\\[(Kiln/[A-Za-z]+)\\]");

  /** One compiled model: its mutation (null for an unmutated base), the verdict and the lines to expect. */
  record Case(String name, Mutation mutation, MutantNet net, Verdict verdict, Long mutatedLine, Set<Long> expectedLines, Map<Long, String> expectedWarnings,
      String text, JavaFileObject source) {}

  /** Per mutation kind: what happened. */
  static final class Tally {
    int mutants;
    int invalid;
    int lint;
    int valid;
    int rightLine;
    int onMutatedLine;
    int agreement;
    int cascades;
    int internal;
    int failures;
  }

  @Test
  void mutantsOfValidModelsGetOneKilnErrorOnTheirLineOrCompile() {
    Random random = new Random(SEED);
    MutantModels models = new MutantModels(random);
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < COUNT / 10; i++) {
      cases.add(judge("Base" + i, null, models.valid("Base" + i), null));
    }
    Mutation[] kinds = Mutation.values();
    for (int i = 0; cases.size() < COUNT + COUNT / 10; i++) {
      MutantNet net = models.valid("Mutant" + i);
      Mutation m = kinds[i % kinds.length]; // every kind as often as the models allow
      Site site = models.mutate(net, m);
      if (site != null) {
        cases.add(judge("Mutant" + i, m, net, site));
      }
    }

    Map<String, Tally> tallies = new java.util.TreeMap<>();
    List<String> failures = new ArrayList<>();
    List<Case> compiling = cases.stream().filter(c -> c.verdict().valid()).toList();
    List<Case> rejected = cases.stream().filter(c -> !c.verdict().valid()).toList();
    for (List<Case> group : List.of(compiling, rejected)) {
      for (int i = 0; i < group.size(); i += PER_COMPILE) {
        check(group.subList(i, Math.min(group.size(), i + PER_COMPILE)), tallies, failures);
      }
    }

    Tally total = new Tally();
    System.err.printf("%-22s %7s %7s %5s %5s %10s %8s %9s %8s %8s %8s%n", "mutation (seed " + SEED + ")", "mutants", "invalid", "lint", "valid",
        "right line", "mutated", "agreement", "cascades", "internal", "failures");
    tallies.forEach((kind, t) -> {
      System.err.printf("%-22s %7d %7d %5d %5d %10d %8d %9d %8d %8d %8d%n", kind, t.mutants, t.invalid, t.lint, t.valid, t.rightLine,
          t.onMutatedLine, t.agreement, t.cascades, t.internal, t.failures);
      if (!kind.equals("(unmutated)")) {
        total.mutants += t.mutants;
        total.invalid += t.invalid;
        total.lint += t.lint;
        total.rightLine += t.rightLine;
        total.onMutatedLine += t.onMutatedLine;
        total.agreement += t.agreement;
        total.cascades += t.cascades;
        total.internal += t.internal;
      }
    });
    System.err.printf("%-22s %7d %7d %5d %5s %10d %8d %9d %8d %8d %8d%n", "all mutants", total.mutants, total.invalid, total.lint, "",
        total.rightLine, total.onMutatedLine, total.agreement, total.cascades, total.internal, failures.size());
    System.err.println("right line: the error on the mutated line, or on the reader of a broken agreement (lint mutants: the warning on"
        + " its line); mutated: the error on the mutated line itself; agreement: on the reader of a size two declarations share");

    assertWithMessage("seed %s: %s of %s models failed:\n%s", SEED, failures.size(), cases.size(),
        String.join("\n\n", failures.subList(0, Math.min(10, failures.size())))).that(failures).isEmpty();
    assertWithMessage("mutants").that(total.mutants).isAtLeast(COUNT);
    assertWithMessage("internal errors").that(total.internal).isEqualTo(0);
    // Every invalid mutant is on its mutated line or an agreement (else it is a failure above), one error each.
    assertWithMessage("errors or warnings on the right line").that(total.rightLine).isEqualTo(total.invalid + total.lint);
    assertWithMessage("cascades, of %s invalid mutants", total.invalid).that(total.cascades).isEqualTo(0);
    // Agreements are the documented exception, not a way around the rule: about 5% of the invalid
    // mutants with the default seed (an off-by-one or swap on one side of a shared size).
    assertWithMessage("agreement errors off the mutated line, of %s invalid mutants", total.invalid)
        .that((double) total.agreement).isAtMost(0.06 * total.invalid);
    // The mix is what it claims: every kind is applied, and gives invalid and still-valid mutants overall.
    assertWithMessage("kinds applied").that(tallies.keySet()).containsAtLeastElementsIn(
        java.util.Arrays.stream(kinds).map(Enum::name).toList());
    assertWithMessage("still-valid mutants").that(tallies.values().stream().mapToInt(t -> t.valid).sum() - tallies.get("(unmutated)").valid)
        .isAtLeast(COUNT / 20);
  }

  private static Case judge(String name, Mutation mutation, MutantNet net, Site site) {
    MutantNet.Rendered rendered = net.render();
    Verdict verdict = MutantOracle.judge(net);
    Set<Long> lines = new TreeSet<>();
    verdict.agreements().forEach(d -> lines.add((long) rendered.lines().get(d)));
    Long mutated = site == null ? null : site.classLevel() ? MutantNet.CLASS_LINE : (long) rendered.lines().get(site.node());
    if (mutated != null) {
      lines.add(mutated);
    }
    Map<Long, String> warnings = new java.util.TreeMap<>();
    verdict.warnings().forEach((d, id) -> warnings.put((long) rendered.lines().get(d), id));
    if (verdict.classWarning()) {
      warnings.put((long) MutantNet.CLASS_LINE, "Kiln/MissingModel");
    }
    return new Case(name, mutation, net, verdict, mutated, lines, warnings, rendered.text(),
        JavaFileObjects.forSourceString("test." + name, rendered.text()));
  }

  /** The model a diagnostic belongs to: the file it is in, the generated Kiln class included. */
  private static String owner(Diagnostic<? extends JavaFileObject> d) {
    if (d.getSource() == null) {
      return null;
    }
    String file = d.getSource().getName();
    String simple = file.substring(file.lastIndexOf('/') + 1).replace(".java", "");
    return simple.startsWith("Kiln") ? simple.substring(4) : simple;
  }

  private static Compilation compile(List<Case> batch) {
    return Compiler.javac().withProcessors(new KilnProcessor()).compile(batch.stream().map(Case::source).toList());
  }

  private static void check(List<Case> batch, Map<String, Tally> tallies, List<String> failures) {
    Compilation compilation;
    try {
      compilation = compile(batch);
    } catch (RuntimeException crash) {
      if (batch.size() == 1) {
        Case c = batch.get(0);
        Tally t = tally(tallies, c);
        t.mutants++;
        t.internal++;
        t.failures++;
        failures.add(c.name() + " " + c.mutation() + ": javac crashed: " + crash + "\n" + c.text());
        return;
      }
      batch.forEach(c -> check(List.of(c), tallies, failures)); // find the model that crashes it
      return;
    }
    if (batch.size() > 1 && batch.get(0).verdict().valid() && compilation.status() != Compilation.Status.SUCCESS) {
      // A model expected valid failed: javac then compiles none of the batch's generated classes,
      // so each model is compiled alone to check the others' and to name the one at fault.
      batch.forEach(c -> check(List.of(c), tallies, failures));
      return;
    }
    for (Case c : batch) {
      List<Diagnostic<? extends JavaFileObject>> mine = compilation.diagnostics().stream().filter(d -> c.name().equals(owner(d))).toList();
      judgeOne(c, mine, compilation, tallies, failures);
    }
    List<String> strays = compilation.errors().stream().filter(d -> batch.stream().noneMatch(c -> c.name().equals(owner(d))))
        .map(d -> d.getMessage(null)).toList();
    if (!strays.isEmpty()) {
      failures.add("errors on no model of the batch: " + strays);
    }
  }

  private static Tally tally(Map<String, Tally> tallies, Case c) {
    return tallies.computeIfAbsent(c.mutation() == null ? "(unmutated)" : c.mutation().name(), k -> new Tally());
  }

  private static void judgeOne(Case c, List<Diagnostic<? extends JavaFileObject>> diagnostics, Compilation compilation,
      Map<String, Tally> tallies, List<String> failures) {
    Tally t = tally(tallies, c);
    t.mutants++;
    List<String> errors = new ArrayList<>();
    List<Long> errorLines = new ArrayList<>();
    Map<Long, List<String>> warnings = new java.util.HashMap<>();
    boolean internal = false;
    for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
      String message = d.getMessage(null);
      internal |= message.contains("[Kiln/Internal]");
      Matcher id = ID.matcher(message);
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        errors.add(d.getLineNumber() + ": " + message);
        if (id.find()) {
          errorLines.add(d.getLineNumber());
        }
      } else if (id.find()) {
        warnings.computeIfAbsent(d.getLineNumber(), k -> new ArrayList<>()).add(id.group(1));
      }
    }
    String what = c.name() + " " + (c.mutation() == null ? "(unmutated)" : c.mutation()) + " [" + c.net().family + "]";
    if (internal) {
      t.internal++;
    }
    String failure = null;
    if (!c.verdict().valid()) {
      t.invalid++;
      if (errorLines.isEmpty()) {
        failure = "invalid, expected an error on line(s) " + c.expectedLines() + ", got no Kiln error (javac: " + errors + ")";
      } else if (errorLines.size() != errors.size()) {
        failure = "got errors that are not Kiln's: " + errors;
      } else {
        boolean onMutated = errorLines.stream().allMatch(c.mutatedLine()::equals);
        boolean right = c.expectedLines().containsAll(errorLines);
        if (onMutated) {
          t.onMutatedLine++;
        } else if (right) {
          t.agreement++;
        }
        if (right) {
          t.rightLine++;
        }
        if (errorLines.size() > 1) {
          t.cascades++;
          failure = "one mistake, " + errors.size() + " errors (expected one on line " + c.mutatedLine() + "): " + errors;
        } else if (!right) {
          failure = "error off the mutated line " + c.mutatedLine() + " (and not an agreement's reader " + c.expectedLines() + "): " + errors;
        }
      }
    } else {
      boolean lint = !c.expectedWarnings().isEmpty();
      if (lint) {
        t.lint++;
      } else {
        t.valid++;
      }
      if (!errors.isEmpty()) {
        failure = "valid, got errors " + errors;
      } else if (lint) {
        boolean all = c.expectedWarnings().entrySet().stream()
            .allMatch(e -> warnings.getOrDefault(e.getKey(), List.of()).contains(e.getValue()));
        if (all) {
          t.rightLine++;
        } else {
          failure = "expected warnings " + c.expectedWarnings() + ", got " + warnings;
        }
      }
      if (failure == null && !c.verdict().classWarning() && compilation.status() == Compilation.Status.SUCCESS
          && compilation.generatedSourceFile("test.Kiln" + c.name()).isEmpty()) {
        failure = "valid, generated no class";
      }
    }
    if (internal && failure == null) {
      failure = "internal error: " + errors;
    }
    if (failure != null) {
      t.failures++;
      failures.add(what + ": " + failure + "\n" + numbered(c.text()));
    }
  }

  private static String numbered(String text) {
    String[] lines = text.split("\n");
    return java.util.stream.IntStream.range(0, lines.length).mapToObj(i -> String.format("%3d %s", i + 1, lines[i]))
        .collect(Collectors.joining("\n"));
  }
}
