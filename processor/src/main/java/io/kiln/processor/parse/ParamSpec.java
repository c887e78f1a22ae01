package io.kiln.processor.parse;

import io.kiln.processor.diag.SourceRef;

/**
 * A parameter of a node method: it names the node it reads ({@code labels} false) or, marked
 * {@code @Labels} on a loss, the targets given at training time, or ({@code initialState}) the
 * recurrent layer whose final state starts this one.
 */
public record ParamSpec(String name, ValueType type, boolean labels, SourceRef ref, boolean initialState) {
  public ParamSpec(String name, ValueType type, boolean labels, SourceRef ref) {
    this(name, type, labels, ref, false);
  }
}
