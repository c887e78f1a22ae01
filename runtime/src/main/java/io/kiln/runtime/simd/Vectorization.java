package io.kiln.runtime.simd;

import java.lang.System.Logger.Level;

/**
 * Chooses the kernel implementation once, Lucene-style: the Vector API provider is loaded by name
 * only when {@code jdk.incubator.vector} is in the module graph, so the scalar path never links
 * it. Without the module, one warning names the fix and the scalar twins run.
 *
 * <p>{@code -Dkiln.vectorization=scalar} forces the scalar path (for tests and comparisons).
 */
public final class Vectorization {
  private static final String PANAMA_PROVIDER = "io.kiln.runtime.panama.PanamaKernelProvider";
  private static final KernelProvider PROVIDER = choose();

  private Vectorization() {}

  /** The provider chosen at start-up. */
  public static KernelProvider provider() {
    return PROVIDER;
  }

  /** The scalar twins, always available (the test oracle). */
  public static KernelProvider scalar() {
    return ScalarKernelProvider.INSTANCE;
  }

  private static KernelProvider choose() {
    if ("scalar".equals(System.getProperty("kiln.vectorization"))) {
      return ScalarKernelProvider.INSTANCE;
    }
    boolean hasModule = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    if (!hasModule) {
      System.getLogger("io.kiln.runtime")
          .log(Level.WARNING,
              "Kiln: jdk.incubator.vector is not in the module graph, so kernels run scalar (several times slower)."
                  + " Start java with --add-modules jdk.incubator.vector to use SIMD.");
      return ScalarKernelProvider.INSTANCE;
    }
    try {
      return (KernelProvider)
          Class.forName(PANAMA_PROVIDER).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      System.getLogger("io.kiln.runtime")
          .log(Level.WARNING, "Kiln: the Vector API kernels failed to load (" + e + "); kernels run scalar.");
      return ScalarKernelProvider.INSTANCE;
    }
  }
}
