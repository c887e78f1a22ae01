package io.kiln.runtime.rnn;

/**
 * The recurrent cells, with PyTorch's gate order so weights import unchanged.
 *
 * <ul>
 *   <li>{@link #RNN_TANH}, {@link #RNN_RELU}: Elman, {@code h' = f(W_ih x + b_ih + W_hh h + b_hh)}
 *       ({@code torch.nn.RNN(nonlinearity='tanh'|'relu')}); one gate block.
 *   <li>{@link #LSTM}: gate blocks i, f, g, o ({@code torch.nn.LSTM}); four.
 *   <li>{@link #GRU}: gate blocks r, z, n ({@code torch.nn.GRU}); three.
 * </ul>
 */
public enum CellKind {
  RNN_TANH(1),
  RNN_RELU(1),
  LSTM(4),
  GRU(3);

  private final int gates;

  CellKind(int gates) {
    this.gates = gates;
  }

  /** The number of gate blocks of {@code hidden} rows in {@code weight_ih}/{@code weight_hh}: 1, 1, 4, 3. */
  public int gates() {
    return gates;
  }

  /** True for the two Elman cells. */
  public boolean isElman() {
    return this == RNN_TANH || this == RNN_RELU;
  }
}
