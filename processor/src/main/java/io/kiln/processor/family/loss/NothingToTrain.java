package io.kiln.processor.family.loss;

import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Report;
import io.kiln.processor.grad.GradientFlow;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.Node;

/**
 * A loss that no learned parameter reaches (it reads the input, or only layers without weights
 * between): the model compiles with {@code loss} but without {@code trainStep}, since there is
 * nothing to train, which its author most likely did not mean. Asks the grad pass's own rule
 * ({@link GradientFlow}), so it warns exactly when the generated class has no {@code trainStep}.
 */
final class NothingToTrain {
  private NothingToTrain() {}

  static void check(Graph graph, Report report, Node loss) {
    if (!GradientFlow.needsGrad(graph).contains(loss.input())) {
      report.warning(ErrorId.NOTHING_TO_TRAIN, loss.ref(), message(loss.name(), loss.input()));
    }
  }

  private static String message(String loss, String input) {
    return loss + ": no layer with weights lies between the input and this loss (it scores " + input
        + "), so there is nothing to train and the generated class has no trainStep; put a layer that learns before it,"
        + " e.g. @Dense(units = ...) reading " + input;
  }
}
