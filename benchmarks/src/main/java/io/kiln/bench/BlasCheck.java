package io.kiln.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a peer's configuration line (torch_bench.py's {@code blas_check}, the libtorch peer's info
 * line) and decides whether the peer multiplies matrices with a real BLAS. A peer on netlib's
 * reference BLAS runs every matmul 10–30× slower, so any speedup against it is void; a peer whose
 * BLAS cannot be identified is refused too.
 */
record BlasCheck(Verdict verdict, String description) {
  /** What the configuration says about the peer's BLAS. */
  enum Verdict { REAL, REFERENCE, UNKNOWN }

  private static final Pattern REAL_LIBRARY = Pattern.compile("(?i)openblas|mkl|blis|accelerate|armpl");
  private static final Pattern REFERENCE_LIBRARY = Pattern.compile("/blas/libblas\\.so");
  private static final Pattern BLAS_INFO = Pattern.compile("BLAS_INFO=(\\w+)");
  private static final Pattern CPU_CAPABILITY = Pattern.compile("CPU capability usage: (\\w+)");
  private static final Pattern MKL_VERSION = Pattern.compile("Math Kernel Library Version ([^\\n]+?)-Product");

  /** The verdict on one configuration line. */
  static BlasCheck of(Map<String, Object> config) {
    List<String> libraries = new ArrayList<>();
    for (String key : List.of("blas_libs", "native_libs")) {
      if (config.get(key) instanceof List<?> list) {
        list.forEach(l -> libraries.add(String.valueOf(l)));
      }
    }
    String showConfig = config.get("show_config") instanceof String s ? s : "";
    String blasInfo = first(BLAS_INFO, showConfig);
    boolean realLibrary = libraries.stream().anyMatch(l -> REAL_LIBRARY.matcher(l).find())
        || (blasInfo != null && REAL_LIBRARY.matcher(blasInfo).find());
    boolean reference = Boolean.TRUE.equals(config.get("reference_blas"))
        || (!realLibrary && libraries.stream().anyMatch(l -> REFERENCE_LIBRARY.matcher(l).find()));

    StringBuilder d = new StringBuilder(String.valueOf(config.getOrDefault("peer", "?")));
    if (blasInfo != null) {
      d.append(", BLAS_INFO=").append(blasInfo);
    }
    String mkl = first(MKL_VERSION, showConfig);
    if (mkl != null) {
      d.append(" (oneMKL ").append(mkl.replace("Version ", "")).append(')');
    }
    String capability = first(CPU_CAPABILITY, showConfig);
    if (capability != null) {
      d.append(", CPU capability ").append(capability);
    }
    if (config.containsKey("mkl_intel_cpu_shim")) {
      d.append(", MKL Intel code paths forced: ").append(config.get("mkl_intel_cpu_shim"));
    }
    List<String> blasLibraries = libraries.stream()
        .filter(l -> REAL_LIBRARY.matcher(l).find() || REFERENCE_LIBRARY.matcher(l).find()).toList();
    if (!blasLibraries.isEmpty()) {
      d.append(", BLAS libraries ").append(String.join(" ", blasLibraries));
    }
    if (config.get("sgemm512_gflops_1t") instanceof Number g) {
      // the peer's own check: torch113's runs before it pins OpenBLAS's threads, so it may use every core
      d.append(String.format(Locale.ROOT, ", its 512³ SGEMM check %.1f GFLOP/s", g.doubleValue()));
    }
    Verdict verdict = reference ? Verdict.REFERENCE : realLibrary ? Verdict.REAL : Verdict.UNKNOWN;
    return new BlasCheck(verdict, d.toString());
  }

  /** Why this peer is refused, or null when it is not. */
  String refusal() {
    return switch (verdict) {
      case REAL -> null;
      case REFERENCE -> "runs on the reference (netlib) BLAS, 10-30x slower than a real one (" + description
          + "); install a real one (apt-get install -y libopenblas0-pthread)";
      case UNKNOWN -> "no real BLAS (OpenBLAS, MKL, BLIS) in its configuration line (" + description + ")";
    };
  }

  /**
   * A note for a configuration that is allowed but is not the comparison: MKL forced onto its Intel
   * code paths on a non-Intel CPU (the libtorch peer's {@code MKL_INTEL_CPU=1}) is an upper bound for
   * PyTorch there, which official builds never reach. Null when there is nothing to say.
   */
  static String caveat(Map<String, Object> config) {
    return "true".equals(String.valueOf(config.get("mkl_intel_cpu_shim")))
        ? "MKL is forced onto its Intel code paths (MKL_INTEL_CPU=1): an upper bound for PyTorch on this CPU,"
            + " not the comparison; official PyTorch builds run MKL's default paths"
        : null;
  }

  private static String first(Pattern p, String text) {
    Matcher m = p.matcher(text);
    return m.find() ? m.group(1) : null;
  }
}
