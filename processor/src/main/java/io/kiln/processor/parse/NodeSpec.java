package io.kiln.processor.parse;

import io.kiln.processor.diag.SourceRef;
import java.util.List;

/** One abstract node method: its name, its layer annotation and the nodes it reads. */
public record NodeSpec(String name, Layer layer, List<ParamSpec> params, SourceRef ref) {
  public NodeSpec {
    params = List.copyOf(params);
  }
}
