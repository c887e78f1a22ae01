package io.kiln.processor.diag;

/**
 * The messages of mistakes that surface at a later layer but are reported on the declaration that
 * made them (an embedding with vocab and dim swapped, an attention with its inputs swapped, an
 * encoder reading the decoded side): each says what it breaks further on and how to write it.
 */
public final class SourceMessages {
  private SourceMessages() {}

  public static String embeddingSwapped(String node, int vocab, int dim) {
    return node + ": @Embedding(vocab = " + vocab + ", dim = " + dim + ") looks like vocab and dim swapped: the layers after it do not fit"
        + " a width of " + dim + ", and they fit " + vocab + "; write @Embedding(vocab = " + dim + ", dim = " + vocab + ")";
  }

  public static String attentionInputsSwapped(String node, String query, String queryShape, String keys, String concat, String other,
      String otherShape) {
    return node + ": @Attention gives one context vector per step of its first input, the query, but that is " + query + " " + queryShape
        + ", so " + concat + " cannot join it with " + other + " " + otherShape + "; the inputs look swapped: the query (decoder states)"
        + " comes first, the keys second: " + node + "(Tensor " + keys + ", Tensor " + query + ")";
  }

  public static String decodedKeysSeeAhead(String tokens, String entry, String attention) {
    return entry + ": reads " + tokens + "'s side, so the keys of " + attention + " (@Attention) see later steps of " + tokens
        + ", which is @Tokens(decoded = true) and decoded one step at a time; make " + entry
        + " read the encoder's side (states that do not depend on " + tokens + "), or drop decoded on " + tokens;
  }
}
