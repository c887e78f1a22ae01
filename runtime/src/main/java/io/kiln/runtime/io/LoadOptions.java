package io.kiln.runtime.io;

/**
 * How strictly {@link ModelFiles#load(io.kiln.runtime.TrainableModel, java.nio.file.Path, LoadOptions)}
 * matches a file to a model. Whatever the options, a tensor of the wrong shape or of a non-float
 * dtype is an error, and nothing changes unless the whole load succeeds.
 *
 * @param allowMissing model tensors the file lacks keep their current values (else an error)
 * @param ignoreUnexpected file tensors the model lacks are skipped (else an error): a PyTorch
 *     {@code state_dict} with extra buffers, a test fixture that also holds inputs, a checkpoint's
 *     optimizer state
 * @param allowOtherModel a file whose {@code kiln.model} metadata names another model is read
 *     (else an error); for moving weights between models that share tensor names
 */
public record LoadOptions(boolean allowMissing, boolean ignoreUnexpected, boolean allowOtherModel) {
  /** Every tensor must match, nothing extra, and a Kiln file must be of this model: what {@code load(path)} does. */
  public static LoadOptions strict() {
    return new LoadOptions(false, false, false);
  }

  /**
   * Like PyTorch's {@code load_state_dict(strict=False)}: missing tensors keep their values, extra
   * ones are ignored, both listed in the {@link LoadReport}; a Kiln file of another model is still
   * refused.
   */
  public static LoadOptions lenient() {
    return new LoadOptions(true, true, false);
  }

  /** These options, but reading files saved by other Kiln models too. */
  public LoadOptions allowingOtherModel() {
    return new LoadOptions(allowMissing, ignoreUnexpected, true);
  }
}
