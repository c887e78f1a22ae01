package io.kiln.tests.models;

import io.kiln.dsl.Dense;
import io.kiln.dsl.Input;
import io.kiln.dsl.Model;
import io.kiln.dsl.Tensor;

/** An inference-only model (no loss): forward, predict and save/load, no trainStep. */
@Model(maxBatch = 2)
public abstract class Regressor {
  @Input(shape = 3)
  abstract Tensor features();

  @Dense(units = 2)
  abstract Tensor value(Tensor features);
}
