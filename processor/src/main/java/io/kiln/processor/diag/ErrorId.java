package io.kiln.processor.diag;

/**
 * Stable ids of Kiln's diagnostics, shown in brackets before each message and catalogued with a
 * bad example and its fix in {@code docs/errors.md}. Never renumber or reuse one.
 */
public enum ErrorId {
  MODEL_DECLARATION("Kiln/ModelDeclaration"),
  BAD_ATTRIBUTE("Kiln/BadAttribute"),
  NO_LAYER("Kiln/NoLayer"),
  TWO_LAYERS("Kiln/TwoLayers"),
  NODE_DECLARATION("Kiln/NodeDeclaration"),
  DUPLICATE_NODE("Kiln/DuplicateNode"),
  UNKNOWN_NODE("Kiln/UnknownNode"),
  TYPE_MISMATCH("Kiln/TypeMismatch"),
  ARITY("Kiln/Arity"),
  CYCLE("Kiln/Cycle"),
  NO_INPUT("Kiln/NoInput"),
  LABELS("Kiln/Labels"),
  TWO_LOSSES("Kiln/TwoLosses"),
  SHAPE_MISMATCH("Kiln/ShapeMismatch"),
  STEP_ACTIVATION("Kiln/StepActivation"),
  NO_OUTPUT("Kiln/NoOutput"),
  UNUSED_NODE("Kiln/UnusedNode"),
  INTERNAL("Kiln/Internal"),
  // Warnings (lints): the model compiles; each can be suppressed with @SuppressWarnings("<id>").
  DOUBLE_ACTIVATION("Kiln/DoubleActivation"),
  BATCH_NORM_MOMENTUM("Kiln/BatchNormMomentum"),
  MISSING_MODEL("Kiln/MissingModel"),
  CHANNELS_LAST("Kiln/ChannelsLast"),
  NOTHING_TO_TRAIN("Kiln/NothingToTrain");

  private final String code;

  ErrorId(String code) {
    this.code = code;
  }

  /** The id as users see it, e.g. {@code Kiln/ShapeMismatch}. */
  public String code() {
    return code;
  }
}
