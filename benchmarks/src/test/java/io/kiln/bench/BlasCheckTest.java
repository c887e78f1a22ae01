package io.kiln.bench;

import static com.google.common.truth.Truth.assertThat;

import io.kiln.bench.BlasCheck.Verdict;
import io.kiln.runtime.io.JsonObjects;
import org.junit.jupiter.api.Test;

/** The BLAS verdict on configuration lines as the peers print them. */
class BlasCheckTest {
  private static BlasCheck check(String line) {
    return BlasCheck.of(JsonObjects.parseObject(line).orElseThrow());
  }

  @Test
  void torchOnOpenBlasIsAccepted() {
    BlasCheck c = check("{\"peer\": \"torch-1.13.0a0\", \"blas_libs\": [\"/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3\","
        + " \"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so\"], \"sgemm512_gflops_1t\": 101.4,"
        + " \"reference_blas\": false}");
    assertThat(c.verdict()).isEqualTo(Verdict.REAL);
    assertThat(c.refusal()).isNull();
    assertThat(c.description()).contains("libopenblasp-r0.3.21.so");
    assertThat(c.description()).contains("101.4 GFLOP/s");
  }

  @Test
  void torchOnTheReferenceBlasIsRefused() {
    // what torch_bench.py prints when apt-get install python3-torch brought only libblas3
    BlasCheck c = check("{\"peer\": \"torch-1.13.0a0\", \"blas_libs\": [\"/usr/lib/x86_64-linux-gnu/blas/libblas.so.3\","
        + " \"/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3\"], \"sgemm512_gflops_1t\": 4.2, \"reference_blas\": true}");
    assertThat(c.verdict()).isEqualTo(Verdict.REFERENCE);
    assertThat(c.refusal()).contains("reference (netlib) BLAS");
    assertThat(c.refusal()).contains("libopenblas0-pthread");
  }

  @Test
  void aReferenceLibraryAloneIsRefusedEvenWithoutTheFlag() {
    BlasCheck c = check("{\"peer\": \"torch-x\", \"blas_libs\": [\"/usr/lib/x86_64-linux-gnu/blas/libblas.so.3\"]}");
    assertThat(c.verdict()).isEqualTo(Verdict.REFERENCE);
  }

  @Test
  void libtorchWithMklIsAcceptedAndDescribed() {
    BlasCheck c = check("{\"peer\": \"libtorch-2.7.1\", \"native_libs\": [\"/root/.djl.ai/pytorch/x/libtorch_cpu.so\"],"
        + " \"sgemm512_gflops_1t\": 85.0, \"mkl_intel_cpu_shim\": \"false\", \"show_config\": \"PyTorch built with:\\n"
        + "  - Intel(R) oneAPI Math Kernel Library Version 2024.2-Product Build 20240605 for Intel(R) 64\\n"
        + "  - CPU capability usage: AVX512\\n  - Build settings: BLAS_INFO=mkl, BUILD_TYPE=Release, LAPACK_INFO=mkl\\n\"}");
    assertThat(c.verdict()).isEqualTo(Verdict.REAL);
    assertThat(c.description()).contains("BLAS_INFO=mkl");
    assertThat(c.description()).contains("oneMKL 2024.2");
    assertThat(c.description()).contains("CPU capability AVX512");
    assertThat(c.description()).contains("MKL Intel code paths forced: false");
  }

  @Test
  void forcedIntelCodePathsAreAcceptedWithACaveat() {
    String line = "{\"peer\": \"libtorch-2.7.1\", \"mkl_intel_cpu_shim\": \"%s\", \"show_config\": \"BLAS_INFO=mkl\"}";
    var forced = JsonObjects.parseObject(line.formatted("true")).orElseThrow();
    assertThat(BlasCheck.of(forced).verdict()).isEqualTo(Verdict.REAL);
    assertThat(BlasCheck.caveat(forced)).contains("upper bound");
    assertThat(BlasCheck.caveat(JsonObjects.parseObject(line.formatted("false")).orElseThrow())).isNull();
  }

  @Test
  void aGenericBuildWithNoKnownLibraryIsRefused() {
    BlasCheck c = check("{\"peer\": \"libtorch-x\", \"native_libs\": [\"/x/libtorch_cpu.so\"],"
        + " \"show_config\": \"BLAS_INFO=generic\"}");
    assertThat(c.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(c.refusal()).contains("no real BLAS");
  }
}
