package io.kiln.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The runtime-wide parallelism setting and its small fixed pool of daemon worker threads (no
 * ForkJoin common pool), shared by every kernel that splits its work.
 *
 * <p>The contract that keeps results bitwise identical whatever the thread count: a kernel splits
 * its work into a number of tasks that depends only on the problem (never on {@link #threads()}),
 * each task writes its own disjoint outputs, and {@link #forEach} merely decides which thread runs
 * which task. Threads pick tasks dynamically, so the split can be finer than the thread count.
 *
 * <p>Defaults to {@link Runtime#availableProcessors()}; override with the system property
 * {@code kiln.threads} or {@link #setThreads(int)}.
 *
 * <p>{@code forEach} allocates nothing: pass a reusable {@link IntConsumer} (e.g. a per-thread
 * context object whose fields hold the call's arguments) rather than a capturing lambda. Calls
 * from inside a task, or from a second application thread while the pool is busy, run their tasks
 * inline on the calling thread (same results, no deadlock).
 */
public final class Parallelism {
  private static final int MAX_THREADS = 256;
  private static final Object LOCK = new Object();
  private static volatile int threads = initialThreads();
  private static volatile Pool pool;

  private Parallelism() {}

  /** The number of threads kernels use (the caller plus {@code threads() - 1} pool workers). */
  public static int threads() {
    return threads;
  }

  /**
   * Sets the number of threads kernels use, from 1 (everything on the calling thread) to 256.
   * Results do not depend on it.
   *
   * @throws IllegalArgumentException when {@code n} is out of range
   */
  public static void setThreads(int n) {
    if (n < 1 || n > MAX_THREADS) {
      throw new IllegalArgumentException("threads must be in 1.." + MAX_THREADS + " but was " + n);
    }
    synchronized (LOCK) {
      if (n == threads) {
        return;
      }
      threads = n;
      Pool old = pool;
      pool = null;
      if (old != null) {
        old.shutdown();
      }
    }
  }

  /**
   * Runs {@code body.accept(t)} for every {@code t} in {@code [0, tasks)}, spread over
   * {@link #threads()} threads (the caller takes part), and returns when all are done. The order
   * and the thread that runs a task are unspecified; the first exception thrown by a task is
   * rethrown here after the others finished.
   */
  public static void forEach(int tasks, IntConsumer body) {
    if (tasks <= 0) {
      return;
    }
    int t = threads;
    if (tasks == 1 || t == 1 || Thread.currentThread() instanceof Worker) {
      for (int i = 0; i < tasks; i++) {
        body.accept(i);
      }
      return;
    }
    Pool p = pool;
    if (p == null) {
      synchronized (LOCK) {
        p = pool;
        if (p == null) {
          p = new Pool(threads - 1);
          pool = p;
        }
      }
    }
    // a nested call from a task on the calling thread, or another application thread using the
    // pool: run inline
    if (p.busy.isHeldByCurrentThread() || !p.busy.tryLock()) {
      for (int i = 0; i < tasks; i++) {
        body.accept(i);
      }
      return;
    }
    try {
      p.run(tasks, body);
    } finally {
      p.busy.unlock();
    }
  }

  /**
   * Whether the current thread is running a task of {@link #forEach} (on a pool worker, or on the
   * thread whose call is running): a {@code forEach} from here runs its tasks inline, one after the
   * other, so a kernel that splits its work for {@link #threads()} threads would only repeat what
   * each of its tasks does once (a GEMM's operand packing), and should not split.
   */
  public static boolean inTask() {
    if (Thread.currentThread() instanceof Worker) {
      return true;
    }
    Pool p = pool;
    return p != null && p.busy.isHeldByCurrentThread();
  }

  /**
   * Which of the {@link #threads()} threads runs the current task: 0 on the thread that called
   * {@link #forEach} (and on any thread outside the pool), 1 to {@code threads() - 1} on the pool's
   * workers. A kernel that needs scratch per task indexes per-worker buffers with it, allocated once
   * for {@code threads()} workers before calling {@code forEach}.
   */
  public static int workerIndex() {
    return Thread.currentThread() instanceof Worker w ? w.index : 0;
  }

  private static int initialThreads() {
    int cores = Math.max(1, Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
    String prop = System.getProperty("kiln.threads");
    if (prop == null || prop.isBlank()) {
      return cores;
    }
    try {
      int n = Integer.parseInt(prop.trim());
      if (n >= 1 && n <= MAX_THREADS) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // fall through to the warning
    }
    System.getLogger("io.kiln.runtime")
        .log(System.Logger.Level.WARNING, "Kiln: ignoring -Dkiln.threads=" + prop + " (expected 1.." + MAX_THREADS
            + "); using " + cores + " threads.");
    return cores;
  }

  /** A pool thread; {@link #forEach} runs nested calls inline on these. */
  private static final class Worker extends Thread {
    private final Pool pool;
    final int index;
    volatile boolean parked;

    Worker(Pool pool, int index) {
      super("kiln-worker-" + index);
      this.pool = pool;
      this.index = index;
      setDaemon(true);
    }

    @Override
    public void run() {
      pool.workerLoop(this);
    }
  }

  private static final class Pool {
    /** How long an idle worker spins before parking: covers back-to-back kernel calls. */
    private static final long SPIN_NANOS = 100_000L;

    final ReentrantLock busy = new ReentrantLock();
    private final Worker[] workers;
    /** Task tickets, never reset: a job owns tickets [base, base + tasks). */
    private final AtomicLong next = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private volatile IntConsumer body;
    private volatile int tasks;
    private volatile long base;
    private volatile int generation;
    private volatile boolean stopped;
    private volatile Thread waiter;
    private volatile Throwable failure;

    Pool(int n) {
      workers = new Worker[n];
      for (int i = 0; i < n; i++) {
        workers[i] = new Worker(this, i + 1);
        workers[i].start();
      }
    }

    void shutdown() {
      stopped = true;
      for (Worker w : workers) {
        LockSupport.unpark(w);
      }
    }

    void run(int n, IntConsumer b) {
      // seqlock: odd while the job fields are being written, even once published
      generation++;
      failure = null;
      body = b;
      tasks = n;
      done.set(0);
      long b0 = next.get();
      base = b0;
      waiter = Thread.currentThread();
      generation++; // even again: publishes the job
      for (Worker w : workers) {
        if (w.parked) {
          LockSupport.unpark(w);
        }
      }
      work(b, n, b0);
      // wait for the tasks other threads picked
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (done.get() < n) {
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          LockSupport.parkNanos(this, 50_000L);
        }
      }
      body = null;
      Throwable f = failure;
      if (f != null) {
        failure = null;
        if (f instanceof RuntimeException re) {
          throw re;
        }
        if (f instanceof Error e) {
          throw e;
        }
        throw new RuntimeException(f);
      }
    }

    private void work(IntConsumer b, int n, long b0) {
      long end = b0 + n;
      while (true) {
        long t = next.get();
        // CAS, not getAndIncrement: a late worker still holding an old job's bounds must not
        // consume a ticket of the next job.
        if (t >= end) {
          return;
        }
        if (!next.compareAndSet(t, t + 1)) {
          continue;
        }
        try {
          b.accept((int) (t - b0));
        } catch (Throwable e) {
          if (failure == null) {
            failure = e;
          }
        }
        if (done.incrementAndGet() == n) {
          Thread w = waiter;
          if (w != Thread.currentThread()) {
            LockSupport.unpark(w);
          }
        }
      }
    }

    void workerLoop(Worker self) {
      int seen = generation;
      while (!stopped) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        int g;
        while (((g = generation) == seen || (g & 1) != 0) && !stopped) {
          if (System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
          } else {
            self.parked = true;
            if ((generation == seen || (generation & 1) != 0) && !stopped) {
              LockSupport.park(this);
            }
            self.parked = false;
          }
        }
        if (stopped) {
          return;
        }
        seen = g;
        IntConsumer b = body;
        int n = tasks;
        long b0 = base;
        if (generation != g) {
          continue; // a newer job is being published: read it on the next round
        }
        if (b != null) {
          work(b, n, b0);
        }
      }
    }
  }
}
