package io.kiln.runtime;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shape of kiln-runtime's API, read from its main sources and classes: kernels are layer
 * objects with short calls (no public method or constructor takes more than {@value
 * #MAX_PARAMETERS} parameters), and no call state hides in a {@code ThreadLocal} (a layer object
 * owns its per-call state and per-worker scratch), and no method takes or returns a Vector API value
 * (C2 boxes a vector that crosses a call it does not inline, and whether it inlines depends on what
 * it compiled first and on the CPU: a train step that allocates nothing on one machine allocated
 * 150 KB per step on another).
 */
class RuntimeApiShapeTest {
  static final int MAX_PARAMETERS = 12;
  private static final Path MAIN = Path.of("src/main/java");
  private static final Pattern THREAD_LOCAL = Pattern.compile("\\bThreadLocal\\b");

  @Test
  void noPublicMethodTakesMoreThanTwelveParameters() throws Exception {
    List<Class<?>> classes = runtimeClasses();
    assertThat(classes.size()).isGreaterThan(50); // the sources were found and loaded
    assertWithMessage("public runtime methods with more than %s parameters", MAX_PARAMETERS)
        .that(longSignatures(classes)).isEmpty();
  }

  @Test
  void theCheckerNamesALongSignature() throws Exception {
    assertThat(longSignatures(List.of(Fixture.class))).containsExactly("Fixture.wide (13 parameters)");
  }

  @Test
  void noMethodTakesOrReturnsAVector() throws Exception {
    assertWithMessage("runtime methods with a Vector API parameter or result (write the operations out in the loop)")
        .that(vectorSignatures(runtimeClasses())).isEmpty();
  }

  @Test
  void theVectorCheckerNamesParametersResultsAndMasks() {
    assertThat(vectorSignatures(List.of(VectorFixture.class)))
        .containsExactly("VectorFixture.twice", "VectorFixture.positive", "VectorFixture.scaled");
  }

  @Test
  void noThreadLocalInTheRuntime() throws IOException {
    assertWithMessage("runtime sources using ThreadLocal").that(sourcesWhoseCodeMatches(THREAD_LOCAL)).isEmpty();
  }

  /** The main sources (relative to src/main/java) whose code outside comments matches {@code pattern}. */
  private static List<String> sourcesWhoseCodeMatches(Pattern pattern) throws IOException {
    List<String> users = new ArrayList<>();
    for (Path file : sources()) {
      if (pattern.matcher(code(Files.readString(file))).find()) {
        users.add(MAIN.relativize(file).toString().replace(java.io.File.separatorChar, '/'));
      }
    }
    return users;
  }

  /**
   * One vector species: FloatVector's methods share one type profile across species, and a
   * second species (256-bit pieces beside the 512-bit vectors) made C2 keep a boxed vector in
   * compiled packing code, 2 MB per test window for good, in about one run of six.
   */
  @Test
  void theRuntimeUsesOneVectorSpecies() throws IOException {
    assertWithMessage("runtime sources naming a vector species other than SPECIES_PREFERRED")
        .that(sourcesWhoseCodeMatches(OTHER_SPECIES)).isEmpty();
    assertThat(OTHER_SPECIES.matcher("FloatVector.fromArray(FloatVector.SPECIES_256, a, 0)").find()).isTrue();
    assertThat(OTHER_SPECIES.matcher("VectorSpecies.of(float.class, VectorShape.forBitSize(256))").find()).isTrue();
    assertThat(OTHER_SPECIES.matcher("FloatVector.SPECIES_PREFERRED").find()).isFalse();
  }

  private static final Pattern OTHER_SPECIES =
      Pattern.compile("SPECIES_(?!PREFERRED\\b)\\w+|VectorSpecies\\.of\\(|\\.withShape\\(|VectorShape\\.");

  @Test
  void theThreadLocalCheckSeesCodeButNotComments() {
    assertThat(THREAD_LOCAL.matcher(code("private static final ThreadLocal<Job> JOBS;")).find()).isTrue();
    assertThat(THREAD_LOCAL.matcher(code("// no ThreadLocal here\n/* nor ThreadLocal */ int x;")).find()).isFalse();
    assertThat(THREAD_LOCAL.matcher(code("ThreadLocalRandom.current()")).find()).isFalse();
  }

  /** Public methods and constructors of public classes with too many parameters, as {@code Class.method (n parameters)}. */
  private static List<String> longSignatures(List<Class<?>> classes) {
    List<String> found = new ArrayList<>();
    for (Class<?> c : classes) {
      if (!Modifier.isPublic(c.getModifiers())) {
        continue;
      }
      List<Executable> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
      members.addAll(List.of(c.getDeclaredConstructors()));
      for (Executable m : members) {
        if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && m.getParameterCount() > MAX_PARAMETERS) {
          String name = m instanceof java.lang.reflect.Constructor<?> ? "<init>" : m.getName();
          found.add(c.getSimpleName() + "." + name + " (" + m.getParameterCount() + " parameters)");
        }
      }
    }
    return found;
  }

  /** Methods and constructors (any visibility, lambdas' bodies too) that pass a vector, mask or shuffle. */
  private static List<String> vectorSignatures(List<Class<?>> classes) {
    List<String> found = new ArrayList<>();
    for (Class<?> c : classes) {
      List<Executable> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
      members.addAll(List.of(c.getDeclaredConstructors()));
      for (Executable m : members) {
        List<Class<?>> types = new ArrayList<>(List.of(m.getParameterTypes()));
        if (m instanceof java.lang.reflect.Method method) {
          types.add(method.getReturnType());
        }
        if (types.stream().anyMatch(RuntimeApiShapeTest::isVectorValue)) {
          found.add(c.getSimpleName() + "." + (m instanceof java.lang.reflect.Constructor<?> ? "<init>" : m.getName()));
        }
      }
    }
    return found;
  }

  private static boolean isVectorValue(Class<?> type) {
    return jdk.incubator.vector.Vector.class.isAssignableFrom(type)
        || jdk.incubator.vector.VectorMask.class.isAssignableFrom(type)
        || jdk.incubator.vector.VectorShuffle.class.isAssignableFrom(type);
  }

  /** Every top-level and nested class compiled from the runtime's main sources. */
  private static List<Class<?>> runtimeClasses() throws Exception {
    List<Class<?>> classes = new ArrayList<>();
    for (Path file : sources()) {
      String name = MAIN.relativize(file).toString().replace(java.io.File.separatorChar, '.').replaceAll("\\.java$", "");
      if (name.endsWith("package-info") || name.endsWith("module-info")) {
        continue;
      }
      Class<?> top = Class.forName(name, false, RuntimeApiShapeTest.class.getClassLoader());
      addWithNested(top, classes);
    }
    return classes;
  }

  private static void addWithNested(Class<?> c, List<Class<?>> into) {
    into.add(c);
    for (Class<?> nested : c.getDeclaredClasses()) {
      addWithNested(nested, into);
    }
  }

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  /** The source without comments and string literals. */
  private static String code(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ").replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
  }

  /** A public class with one signature over the limit, so the checker is seen to catch one. */
  public static final class Fixture {
    public static void narrow(int a, int b) {}

    public static void wide(int a, int b, int c, int d, int e, int f, int g, int h, int i, int j, int k, int l, int m) {}

    static void hidden(int a, int b, int c, int d, int e, int f, int g, int h, int i, int j, int k, int l, int m) {}
  }

  /** One method of each kind the vector checker must catch, and one it must not. */
  static final class VectorFixture {
    static jdk.incubator.vector.FloatVector twice(jdk.incubator.vector.FloatVector v) {
      return v.add(v);
    }

    static jdk.incubator.vector.VectorMask<Float> positive(float[] x) {
      return jdk.incubator.vector.FloatVector.fromArray(jdk.incubator.vector.FloatVector.SPECIES_128, x, 0)
          .compare(jdk.incubator.vector.VectorOperators.GT, 0f);
    }

    static void scaled(float[] x, jdk.incubator.vector.IntVector by) {}

    static void plain(float[] x, int n) {}
  }
}
