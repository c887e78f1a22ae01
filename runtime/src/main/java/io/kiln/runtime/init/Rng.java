package io.kiln.runtime.init;

/**
 * A small seeded random generator whose output is fixed by this source file alone: the same seed
 * gives the same numbers on every JVM, JDK version and platform. {@link java.util.Random} could
 * serve for integers but its {@code nextGaussian} uses {@code Math.log}/{@code Math.sqrt}
 * intrinsics whose last bit may differ between JVMs, and {@link java.util.random.RandomGenerator}
 * implementations are not pinned to an algorithm; a model's initial weights must not move when the
 * JDK is upgraded.
 *
 * <p>Integers come from SplitMix64 (Steele, Lea &amp; Flood 2014; the seeding generator of
 * {@code SplittableRandom}); Gaussians from the Box–Muller transform evaluated with
 * {@link StrictMath}, whose results Java specifies bit for bit (fdlibm).
 *
 * <p>Not thread-safe: give each thread its own generator (see {@link #split()}).
 */
public final class Rng {
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  private long state;
  private double spareGaussian;
  private boolean hasSpare;

  /** A generator whose sequence is determined by {@code seed}. */
  public Rng(long seed) {
    this.state = seed;
  }

  /**
   * A generator that continues exactly where the one whose {@link #state()} was {@code state} left
   * off (for resuming from a checkpoint). The same as {@code new Rng(state)}: a seed is a state.
   */
  public static Rng fromState(long state) {
    return new Rng(state);
  }

  /**
   * The generator's whole state for integer and uniform draws ({@link #nextLong()},
   * {@link #nextInt}, {@link #nextFloat()}, {@link #nextDouble()}, {@link #shuffle}, {@link #split()}):
   * saved with a checkpoint and given back to {@link #setState} or {@link #fromState}, the
   * generator produces the same numbers as if it had never stopped. Dropout masks and data
   * shuffles resume exactly this way.
   *
   * <p>Gaussians come in pairs (Box–Muller); the second of a pair, if drawn but not yet returned,
   * is not part of this state and a restored generator draws a fresh pair instead. Save the state
   * after an even number of {@link #nextGaussian()} calls (as initialization does) to resume them
   * exactly too.
   */
  public long state() {
    return state;
  }

  /**
   * Restores a state returned by {@link #state()}; discards a cached Gaussian (see there).
   */
  public void setState(long state) {
    this.state = state;
    this.hasSpare = false;
    this.spareGaussian = 0.0;
  }

  /** The next 64 uniformly random bits. */
  public long nextLong() {
    long z = (state += GOLDEN_GAMMA);
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** The next 32 uniformly random bits. */
  public int nextInt() {
    return (int) (nextLong() >>> 32);
  }

  /**
   * A uniform integer in {@code [0, bound)}, without modulo bias (rejection sampling).
   *
   * @throws IllegalArgumentException if {@code bound <= 0}
   */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    // Lemire's multiply-shift with rejection of the few values that would bias the result.
    long m = (nextLong() >>> 32) * bound;
    long low = m & 0xffffffffL;
    if (low < bound) {
      long threshold = (0x100000000L - bound) % bound;
      while (low < threshold) {
        m = (nextLong() >>> 32) * bound;
        low = m & 0xffffffffL;
      }
    }
    return (int) (m >>> 32);
  }

  /** A uniform double in {@code [0, 1)} with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** A uniform float in {@code [0, 1)} with 24 random bits. */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** A standard normal draw (mean 0, variance 1), by Box–Muller; draws come in cached pairs. */
  public double nextGaussian() {
    if (hasSpare) {
      hasSpare = false;
      return spareGaussian;
    }
    double u1 = 1.0 - nextDouble(); // (0, 1]: log(u1) is finite
    double u2 = nextDouble();
    double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
    double theta = 2.0 * StrictMath.PI * u2;
    spareGaussian = r * StrictMath.sin(theta);
    hasSpare = true;
    return r * StrictMath.cos(theta);
  }

  /** Shuffles {@code a} in place (Fisher–Yates), e.g. to visit a data set in a seeded order. */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /**
   * A new generator seeded from this one, for an independent stream (e.g. dropout masks) that does
   * not disturb this generator's later draws more than by one {@link #nextLong()}.
   */
  public Rng split() {
    return new Rng(nextLong());
  }
}
