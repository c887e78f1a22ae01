package io.kiln.bench;

/** One side's loop-mean times for one model at one thread count in one round (from 1) of {@code ./bench models}. */
record Measurement(String side, String model, int threads, int round, double trainMs, double forwardMs) {
  static final String KILN = "kiln";
}
