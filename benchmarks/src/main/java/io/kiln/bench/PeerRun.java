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
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One round of one peer: starts its process on the selected models, passes its stdout lines on
 * (tagged with side and round), refuses a training peer the moment its configuration line shows a
 * reference or unknown BLAS and an inference peer whose outputs are not Kiln's, and fails when it
 * exits badly or leaves a (model, threads) unmeasured.
 */
final class PeerRun {
  private static final int STDERR_LINES_KEPT = 12;

  /**
   * The most an inference peer's output (probabilities) may differ from Kiln's {@code predict} on the
   * same inputs: beyond it the peer does not run the model Kiln times (the tests module checks the
   * export far tighter; this only guards the comparison).
   */
  static final double MAX_ABS_DIFF = 1e-4;

  private PeerRun() {}

  /** Runs {@code peer} once from {@code root}; returns its measurements. */
  static List<Measurement> run(Peer peer, Path root, Path peers, List<String> models, int[] threads, boolean quick,
      int round, PrintStream out) throws BenchFailure {
    ProcessBuilder pb = new ProcessBuilder(peer.command(peers, models)).directory(root.toFile());
    pb.environment().putAll(peer.environment(root, quick));
    return run(peer.id, peer.kind, pb, models, threads, round, out);
  }

  /**
   * Runs the peer process {@code pb} named {@code id}, which measures {@code kind}; returns its
   * measurements of {@code models} × {@code threads}.
   */
  static List<Measurement> run(String id, Peer.Kind kind, ProcessBuilder pb, List<String> models, int[] threads,
      int round, PrintStream out) throws BenchFailure {
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
    boolean configured = false;
    try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        PeerLine parsed = PeerLine.parse(id, round, line);
        if (!configured && !(parsed instanceof PeerLine.Config || parsed instanceof PeerLine.Other)) {
          p.destroyForcibly();
          throw new BenchFailure("peer " + id + " printed a measurement before its "
              + (kind == Peer.Kind.TRAINING ? "BLAS " : "") + "configuration line");
        }
        switch (parsed) {
          case PeerLine.Config c -> {
            configured = true;
            out.println(PeerLine.tagged(id, round, line));
            if (kind == Peer.Kind.TRAINING) {
              checkBlas(id, c, p);
            } else {
              System.err.println("[" + id + "] " + line);
            }
          }
          case PeerLine.Timed t -> {
            out.println(PeerLine.tagged(id, round, line));
            measured.add(t.measurement());
          }
          case PeerLine.Inferred i -> {
            out.println(PeerLine.tagged(id, round, line));
            if (!(i.maxAbsDiff() <= MAX_ABS_DIFF)) {
              p.destroyForcibly();
              throw new BenchFailure(String.format(Locale.ROOT, "peer %s: %s's outputs differ from Kiln's predict"
                  + " by up to %.3g (more than %.0e): it does not run the model Kiln measures", id,
                  i.measurement().model(), i.maxAbsDiff(), MAX_ABS_DIFF));
            }
            measured.add(i.measurement());
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
    if (!configured) {
      throw new BenchFailure("peer " + id + " printed no " + (kind == Peer.Kind.TRAINING ? "BLAS " : "")
          + "configuration line" + lastLines(lastErrors));
    }
    Predicate<Measurement> complete = kind == Peer.Kind.TRAINING ? Measurement::hasTraining : Measurement::hasInference;
    for (String model : models) {
      for (int t : threads) {
        if (measured.stream().noneMatch(m -> m.model().equals(model) && m.threads() == t && complete.test(m))) {
          throw new BenchFailure("peer " + id + " printed no measurement of " + model + " at " + t + " thread(s)"
              + lastLines(lastErrors));
        }
      }
    }
    return measured;
  }

  /** Stops the peer the moment its configuration line shows a reference or unknown BLAS. */
  private static void checkBlas(String id, PeerLine.Config c, Process p) throws BenchFailure {
    BlasCheck blas = c.blas();
    System.err.println("[" + id + "] " + blas.description());
    if (BlasCheck.caveat(c.fields()) != null) {
      System.err.println("[" + id + "] warning: " + BlasCheck.caveat(c.fields()));
    }
    if (blas.refusal() != null) {
      p.destroyForcibly();
      throw new BenchFailure("peer " + id + " " + blas.refusal());
    }
  }

  /** Copies the PyTorch peers of {@code ../shared/peers} into {@code dest} (see {@link #copy}). */
  static void stage(Path shared, Path dest) throws BenchFailure {
    if (!Files.isRegularFile(shared.resolve("torch_bench.py"))) {
      throw new BenchFailure("the peers are not at " + shared + " (expected torch_bench.py and libtorch/ there)");
    }
    copy(shared, dest);
  }

  /**
   * Copies the peer sources under {@code from} into {@code dest}, file by file: unchanged files are
   * left alone and build folders ({@code target}) skipped, so a peer's build and exports in
   * {@code dest/…/target} stay valid.
   */
  static void copy(Path from, Path dest) throws BenchFailure {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path rel = from.relativize(f);
        if (StreamSupport.stream(rel.spliterator(), false).anyMatch(part -> part.toString().equals("target"))) {
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
      throw new BenchFailure("could not copy the peers from " + from + " to " + dest + ": " + e.getMessage());
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
