package io.kiln.samples.seq2seq;

import io.kiln.runtime.init.Rng;

/**
 * The task of the {@code seq2seq} sample: reverse a sequence of random tokens. A task a plain
 * encoder–decoder finds hard (the whole sequence must squeeze through the encoder's final state)
 * and attention makes easy (output step t looks at input step L − 1 − t).
 *
 * <p>Tokens: 0 is padding, 1 begins the output, 2 ends it, 3..31 are the symbols (printed as
 * {@code a}..{@code z} and {@code 0}..{@code 2}). An example of length L (1 ≤ L ≤ 23) is
 *
 * <pre>
 * source  s0 s1 … s(L−1) 0 … 0              (24 steps)
 * target  BOS s(L−1) … s0 0 … 0             the decoder's input: teacher forcing
 * next    s(L−1) … s0 EOS 0 … 0             the labels; padding (0) is left out of the loss
 * </pre>
 */
public final class Reversal {
  public static final int PAD = 0;
  public static final int BOS = 1;
  public static final int EOS = 2;
  /** The first symbol token; symbols are {@code FIRST_SYMBOL..VOCAB-1}. */
  public static final int FIRST_SYMBOL = 3;
  public static final int VOCAB = 32;
  /** Steps of every sequence (the models' declared maximum). */
  public static final int STEPS = 24;
  /** The longest source: its reversal plus EOS must fit in {@link #STEPS}. */
  public static final int MAX_LENGTH = STEPS - 1;

  /** A batch of examples, each {@link #STEPS} long, row-major {@code [batch, STEPS]}. */
  public record Batch(int[] source, int[] target, int[] next, int[] lengths) {
    public int size() {
      return lengths.length;
    }

    /** Examples {@code [from, to)} as a batch of their own. */
    public Batch slice(int from, int to) {
      return new Batch(java.util.Arrays.copyOfRange(source, from * STEPS, to * STEPS),
          java.util.Arrays.copyOfRange(target, from * STEPS, to * STEPS),
          java.util.Arrays.copyOfRange(next, from * STEPS, to * STEPS),
          java.util.Arrays.copyOfRange(lengths, from, to));
    }

    /** The positions that count in the loss: each example's L symbols and its EOS. */
    public int labelledPositions() {
      int n = 0;
      for (int l : lengths) {
        n += l + 1;
      }
      return n;
    }

    /** The decoder input for greedy decoding: BOS, then nothing given. */
    public int[] decoderStart() {
      int[] start = new int[target.length];
      for (int b = 0; b < size(); b++) {
        start[b * STEPS] = BOS;
      }
      return start;
    }
  }

  private final int minLength;
  private final int maxLength;
  private final int symbols;

  /**
   * @param minLength the shortest source, ≥ 1
   * @param maxLength the longest source, ≤ {@link #MAX_LENGTH}
   * @param symbols how many distinct symbols appear, 2..29 (tokens 3..3+symbols−1)
   */
  public Reversal(int minLength, int maxLength, int symbols) {
    if (minLength < 1 || maxLength > MAX_LENGTH || minLength > maxLength) {
      throw new IllegalArgumentException("seq2seq: source lengths must satisfy 1 ≤ min ≤ max ≤ " + MAX_LENGTH
          + " (the reversal plus its end token must fit in " + STEPS + " steps) but are " + minLength + ".." + maxLength);
    }
    if (symbols < 2 || symbols > VOCAB - FIRST_SYMBOL) {
      throw new IllegalArgumentException("seq2seq: the number of symbols must be 2.." + (VOCAB - FIRST_SYMBOL) + " but is " + symbols);
    }
    this.minLength = minLength;
    this.maxLength = maxLength;
    this.symbols = symbols;
  }

  public Reversal(int minLength, int maxLength) {
    this(minLength, maxLength, VOCAB - FIRST_SYMBOL);
  }

  /** {@code n} random examples drawn from {@code rng}. */
  public Batch sample(Rng rng, int n) {
    int[] source = new int[n * STEPS];
    int[] target = new int[n * STEPS];
    int[] next = new int[n * STEPS];
    int[] lengths = new int[n];
    for (int b = 0; b < n; b++) {
      int l = minLength + rng.nextInt(maxLength - minLength + 1);
      lengths[b] = l;
      int row = b * STEPS;
      for (int i = 0; i < l; i++) {
        source[row + i] = FIRST_SYMBOL + rng.nextInt(symbols);
      }
      target[row] = BOS;
      for (int i = 0; i < l; i++) {
        int reversed = source[row + l - 1 - i];
        target[row + 1 + i] = reversed;
        next[row + i] = reversed;
      }
      next[row + l] = EOS;
    }
    return new Batch(source, target, next, lengths);
  }

  /** Whether {@code predicted} ({@code [batch, STEPS]}, as greedyDecode returns) has example b's reversal and EOS exactly. */
  public static boolean exact(Batch batch, int[] predicted, int b) {
    int row = b * STEPS;
    for (int t = 0; t <= batch.lengths()[b]; t++) {
      if (predicted[row + t] != batch.next()[row + t]) {
        return false;
      }
    }
    return true;
  }

  /** One token as a character: symbols a..z then 0.., padding ·, BOS ^, EOS $. */
  public static char symbol(int token) {
    return switch (token) {
      case PAD -> '·';
      case BOS -> '^';
      case EOS -> '$';
      default -> token - FIRST_SYMBOL < 26 ? (char) ('a' + token - FIRST_SYMBOL) : (char) ('0' + token - FIRST_SYMBOL - 26);
    };
  }

  /** Tokens {@code [from, from + n)} of {@code tokens} as text. */
  public static String text(int[] tokens, int from, int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(symbol(tokens[from + i]));
    }
    return sb.toString();
  }
}
