package io.kiln.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * One round of one peer: starts its process on the selected models, passes its stdout lines on
 * (tagged with side and round), refuses it the moment its configuration line shows a reference or
 * unknown BLAS, and fails when it exits badly or leaves a (model, threads) unmeasured.
 */
final class PeerRun {
  private static final int STDERR_LINES_KEPT = 12;

  private PeerRun() {}

  /** Runs {@code peer} once from {@code root}; returns its measurements. */
  static List<Measurement> run(Peer peer, Path root, Path peers, List<String> models, int[] threads, boolean quick,
      int round, PrintStream out) throws BenchFailure {
    ProcessBuilder pb = new ProcessBuilder(peer.command(peers, models)).directory(root.toFile());
    pb.environment().putAll(peer.environment(root, quick));
    return run(peer.id, pb, models, threads, round, out);
  }

  /** Runs the peer process {@code pb} named {@code id}; returns its measurements of {@code models} × {@code threads}. */
  static List<Measurement> run(String id, ProcessBuilder pb, List<String> models, int[] threads, int round,
      PrintStream out) throws BenchFailure {
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new BenchFailure("peer " + id + " could not start (" + String.join(" ", pb.command()) + "): "
          + e.getMessage());
    }
    Deque<String> lastErrors = new ArrayDeque<>();
    Thread stderr = Thread.ofPlatform().daemon().start(() -> forwardStderr(id, p, lastErrors));
    List<Measurement> measured = new ArrayList<>();
    BlasCheck blas = null;
    try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        switch (PeerLine.parse(id, round, line)) {
          case PeerLine.Config c -> {
            blas = c.blas();
            out.println(PeerLine.tagged(id, round, line));
            System.err.println("[" + id + "] " + blas.description());
            if (BlasCheck.caveat(c.fields()) != null) {
              System.err.println("[" + id + "] warning: " + BlasCheck.caveat(c.fields()));
            }
            if (blas.refusal() != null) {
              p.destroyForcibly();
              throw new BenchFailure("peer " + id + " " + blas.refusal());
            }
          }
          case PeerLine.Timed t -> {
            if (blas == null) {
              p.destroyForcibly();
              throw new BenchFailure("peer " + id + " printed a measurement before its BLAS configuration line");
            }
            out.println(PeerLine.tagged(id, round, line));
            measured.add(t.measurement());
          }
          case PeerLine.Other o -> System.err.println("[" + id + "] " + o.text());
        }
      }
      int rc = p.waitFor();
      stderr.join();
      if (rc != 0) {
        throw new BenchFailure("peer " + id + " exited with status " + rc + lastLines(lastErrors));
      }
    } catch (IOException | InterruptedException e) {
      p.destroyForcibly();
      throw new BenchFailure("peer " + id + " failed while running: " + e);
    }
    if (blas == null) {
      throw new BenchFailure("peer " + id + " printed no BLAS configuration line" + lastLines(lastErrors));
    }
    for (String model : models) {
      for (int t : threads) {
        if (measured.stream().noneMatch(m -> m.model().equals(model) && m.threads() == t)) {
          throw new BenchFailure("peer " + id + " printed no measurement of " + model + " at " + t + " thread(s)"
              + lastLines(lastErrors));
        }
      }
    }
    return measured;
  }

  /**
   * Copies {@code ../shared/peers} into {@code dest} (file by file, unchanged files left alone so the
   * libtorch peer's build and exports in {@code dest/libtorch/target} stay valid).
   */
  static void stage(Path shared, Path dest) throws BenchFailure {
    if (!Files.isRegularFile(shared.resolve("torch_bench.py"))) {
      throw new BenchFailure("the peers are not at " + shared + " (expected torch_bench.py and libtorch/ there)");
    }
    try (Stream<Path> files = Files.walk(shared)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path rel = shared.relativize(f);
        if (rel.startsWith("libtorch/target")) {
          continue;
        }
        Path to = dest.resolve(rel);
        byte[] content = Files.readAllBytes(f);
        if (!Files.isRegularFile(to) || !java.util.Arrays.equals(Files.readAllBytes(to), content)) {
          Files.createDirectories(to.getParent());
          Files.deleteIfExists(to);
          Files.write(to, content);
        }
      }
    } catch (IOException e) {
      throw new BenchFailure("could not copy the peers from " + shared + " to " + dest + ": " + e.getMessage());
    }
  }

  private static void forwardStderr(String id, Process p, Deque<String> lastErrors) {
    try (BufferedReader r = p.errorReader(StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        System.err.println("[" + id + "] " + line);
        synchronized (lastErrors) {
          lastErrors.addLast(line);
          if (lastErrors.size() > STDERR_LINES_KEPT) {
            lastErrors.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      // the process is gone; what it said so far was forwarded
    }
  }

  private static String lastLines(Deque<String> lastErrors) {
    synchronized (lastErrors) {
      return lastErrors.isEmpty() ? "" : "; its last stderr lines: " + String.join(" | ", lastErrors);
    }
  }
}
