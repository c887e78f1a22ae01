package io.kiln.runtime.io;

import java.util.List;

/**
 * What a {@link ModelFiles} load did.
 *
 * @param loaded the model tensors read from the file, in the model's order
 * @param missing the model tensors the file lacks (kept their values), in the model's order
 * @param ignored the file's tensors the model lacks (skipped), in the file's order
 */
public record LoadReport(List<String> loaded, List<String> missing, List<String> ignored) {
  public LoadReport {
    loaded = List.copyOf(loaded);
    missing = List.copyOf(missing);
    ignored = List.copyOf(ignored);
  }

  /** True if every model tensor was loaded and nothing in the file was skipped. */
  public boolean isComplete() {
    return missing.isEmpty() && ignored.isEmpty();
  }

  /** One line: {@code loaded 4 tensors; missing [fc.bias]; ignored [input, target]}, names escaped. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("loaded ").append(loaded.size()).append(loaded.size() == 1 ? " tensor" : " tensors");
    if (!missing.isEmpty()) {
      b.append("; missing ").append(SafeText.list(missing));
    }
    if (!ignored.isEmpty()) {
      b.append("; ignored ").append(SafeText.list(ignored));
    }
    return b.toString();
  }
}
