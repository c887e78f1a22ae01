package io.kiln.processor.diag;

import io.kiln.dsl.LossKind;
import java.util.Arrays;
import java.util.List;

/**
 * Every diagnostic text Kiln prints, in one place. Each names the node, what was found (shapes
 * with the batch as {@code B}) and a fix. The catalogue in {@code docs/errors.md} mirrors this file.
 */
public final class Messages {
  private Messages() {}

  // --- the model class -------------------------------------------------------------------------

  public static String modelNotClass(String model, String kind) {
    return "@Model " + model + " is " + article(kind.toLowerCase().replace('_', ' '))
        + "; declare it as an abstract class";
  }

  public static String modelFinal(String model) {
    return "@Model class " + model + " is final; declare it abstract: it only declares the network, Kiln writes the implementation as Kiln" + model;
  }

  public static String modelNotAbstract(String model, List<String> withBodies) {
    return "@Model class " + model + " must be abstract; its node methods are declarations that Kiln implements"
        + (withBodies.isEmpty() ? ": declare it abstract class " + model
            : ": declare it abstract and make " + String.join(", ", withBodies) + " abstract, without bodies");
  }

  public static String modelInner(String model) {
    return "@Model class " + model + " is an inner class; make it static: a network declaration cannot depend on an instance of its enclosing class";
  }

  public static String modelLocal(String model) {
    return "@Model class " + model + " is local or anonymous; declare it at top level or as a static nested class";
  }

  public static String modelPrivate(String model) {
    return "@Model class " + model + " is private; make it at least package-private so the generated class can see it";
  }

  public static String modelGeneric(String model) {
    return "@Model class " + model + " has type parameters; a model's shapes must be fixed, remove them";
  }

  public static String maxBatchNotPositive(String model, int maxBatch) {
    return "@Model(maxBatch = " + maxBatch + ") on " + model + " must be at least 1; it is the largest batch memory is planned for:"
        + " give the largest batch you will pass, or leave it out for the default";
  }

  public static String emptyModel(String model) {
    return "@Model " + model + " declares no nodes; add an @Input and the layers that read it";
  }

  public static String noInput(String model) {
    return "@Model " + model + " has no @Input; declare one, e.g. @Input(shape = {784}) abstract Tensor x();";
  }

  public static String noOutput(String model, List<String> sinks) {
    return sinks.isEmpty()
        ? "@Model " + model + " computes nothing from its inputs; add a layer that reads an @Input"
        : "@Model " + model + " has no @Loss and several nodes that nothing reads (" + String.join(", ", sinks)
            + "); keep one output or add a @Loss";
  }

  // --- node methods -----------------------------------------------------------------------------

  public static String noLayer(String node) {
    return node + ": abstract method has no layer annotation; annotate it with its layer (@Input, @Tokens, @Dense, @Conv, @MaxPool, @Lstm, @Loss, ...) or give it a body";
  }

  public static String twoLayers(String node, List<String> annotations) {
    return node + ": has " + String.join(" and ", annotations) + "; a node is exactly one layer, declare one method per layer";
  }

  public static String nodeNotAbstract(String node, String annotation) {
    return node + ": " + annotation + " node must be abstract; Kiln writes its implementation, remove the body";
  }

  public static String nodeGeneric(String node) {
    return node + ": node methods cannot have type parameters; remove them";
  }

  public static String nodeReturnType(String node, String type) {
    return node + ": a node returns Tensor but this returns " + type + "; declare it as abstract Tensor " + node + "(...)";
  }

  public static String intInput(String node) {
    return node + ": @Input is a float input (Tensor), but this returns IntTensor; for token ids declare"
        + " @Tokens(maxLength = ...) abstract IntTensor " + node + "() and read it with an @Embedding;"
        + " for float features declare abstract Tensor " + node + "()";
  }

  public static String duplicateNode(String node) {
    return node + ": a node with this name is already declared; node names must be unique (overloads are not allowed),"
        + " rename this one or remove it";
  }

  public static String tokensReturnType(String node, String type) {
    return node + ": @Tokens returns token ids (IntTensor) but this returns " + type + "; declare it as abstract IntTensor " + node + "()";
  }

  public static String paramType(String node, String param, String type) {
    return node + ": parameter '" + param + "' is " + type + "; node parameters are Tensor (a node's output) or, on a @Loss, @Labels IntTensor/Tensor:"
        + " declare it as Tensor " + param + " naming the node it reads";
  }

  public static String labelsOutsideLoss(String node, String param) {
    return node + ": @Labels on '" + param + "' belongs on a @Loss method's parameter; remove it here";
  }

  // --- graph ------------------------------------------------------------------------------------

  public static String unknownNode(String node, String param, String suggestion) {
    return node + ": parameter '" + param + "' names no node"
        + (suggestion != null ? "; did you mean '" + suggestion + "'?" : "; declare a node method named '" + param + "'");
  }

  public static String intTensorParam(String node, String param) {
    return node + ": parameter '" + param + "' is declared IntTensor but node '" + param + "' computes floats; declare it as Tensor " + param;
  }

  public static String tensorParamForTokens(String node, String param) {
    return node + ": parameter '" + param + "' is declared Tensor but node '" + param + "' is @Tokens (ids); declare it as IntTensor " + param
        + " and read it with an @Embedding";
  }

  public static String initialStateOutsideRecurrent(String node, String param) {
    return node + ": @InitialState on '" + param + "' belongs on a parameter of @Rnn, @Lstm or @Gru; remove it here";
  }

  public static String initialStateMismatch(String node, String annotation, int units, String source, String sourceDescription) {
    // a recurrent source is described by its annotation, e.g. "@Lstm(units = 6)", anything else in words
    String fix = sourceDescription.startsWith("@") ? "declare " + node + " as " + sourceDescription
        : "name a @Rnn, @Lstm or @Gru layer whose final state starts " + node;
    return node + ": @InitialState " + source + " is " + sourceDescription + " but " + node + " is " + annotation + "(units = " + units
        + "); the state handed over must be the same kind of cell with the same units: " + fix;
  }

  public static String stateTwice(String node, String source, String other) {
    return node + ": " + source + " already starts " + other + "; a layer's final state can initialize one layer, declare a second encoder";
  }

  public static String stateAlsoRead(String node, String started, String reader) {
    return node + ": is the @InitialState of " + started + " and is also read by " + reader
        + " while returnSequences = false; set returnSequences = true on " + node + " or read the other layer instead";
  }

  public static String readsLoss(String node, String param) {
    return node + ": reads '" + param + "', which is a @Loss; a loss ends the graph, read the node it scores instead or remove " + node;
  }

  public static String arity(String node, String annotation, int expected, List<String> inputs) {
    String what = expected == 0 ? "no nodes" : expected == 1 ? "exactly one node" : expected + " nodes";
    String has = inputs.isEmpty() ? "no node parameters" : inputs.size() + " (" + String.join(", ", inputs) + ")";
    return node + ": " + annotation + " reads " + what + " but the method has " + has + "; "
        + (expected == 0 ? "remove " + (inputs.size() == 1 ? "the parameter" : "the parameters")
            : expected == 1 && inputs.size() > 1 ? "declare one Tensor parameter naming the node it reads, or join "
                + String.join(" and ", inputs) + " first with @Concat (side by side) or @Add (same shape)"
            : expected == 1 ? "declare one Tensor parameter naming the node it reads"
            : "declare " + expected + " Tensor parameters naming the nodes it reads");
  }

  public static String cycle(List<String> cycle) {
    return cycle.get(0) + ": nodes read each other in a cycle (" + String.join(" -> ", cycle) + "); a model must be acyclic, make one of them read a node outside the cycle";
  }

  public static String twoLosses(String node, String first) {
    return node + ": a second @Loss (the first is '" + first + "'); a model trains one objective, remove " + node
        + " or train it in a model of its own";
  }

  public static String unmarkedLabels(String node, LossKind kind, String param) {
    String type = kind == LossKind.SOFTMAX_CROSS_ENTROPY ? "IntTensor" : "Tensor";
    return node + ": @Loss(" + kind + ") needs its labels parameter marked, and " + param + " names no node;"
        + " if " + param + " is the labels, write @Labels " + type + " " + param;
  }

  public static String missingLabels(String node, LossKind kind) {
    String type = kind == LossKind.SOFTMAX_CROSS_ENTROPY ? "IntTensor" : "Tensor";
    return node + ": @Loss(" + kind + ") needs a labels parameter; add @Labels " + type + " label";
  }

  public static String twoLabels(String node, String first, String second) {
    return node + ": '" + second + "' is a second @Labels parameter (the first is '" + first + "'); a loss takes one, remove '" + second + "'";
  }

  public static String unusedNode(String node, String sink) {
    return node + ": is never read on the way to '" + sink + "' and will not be computed; remove it or read it";
  }

  // --- lints (warnings) -------------------------------------------------------------------------

  public static String doubleSigmoid(String node, String loss, Object kind) {
    return node + ": activation = SIGMOID feeds " + loss + ", but @Loss(" + kind + ") applies "
        + (kind == LossKind.SOFTMAX_CROSS_ENTROPY ? "a softmax" : "the sigmoid") + " to its input itself (it takes logits),"
        + " so the model would squash twice; drop the activation (predict() applies the loss's own)";
  }

  public static String kerasMomentum(String node, double momentum) {
    String written = Float.toString((float) momentum); // as the user wrote it: 0.99, not 0.9900000095367432
    String pytorch = java.math.BigDecimal.ONE.subtract(new java.math.BigDecimal(written)).toPlainString();
    return node + ": @BatchNorm(momentum = " + written + ") is the weight of each new batch (PyTorch's convention), so the"
        + " running statistics would follow the last batch almost only; Keras's momentum " + written + " is momentum = "
        + pytorch + "f here";
  }

  public static String channelsLast(String node, int[] dims) {
    return node + ": @Input(shape = " + braces(dims) + ") reads as " + dims[0] + " channels of " + dims[1] + "×" + dims[2] + " pixels"
        + channelsFirstFix(dims) + " and feed pixels channel by channel";
  }

  /** An error: read as written, the channels-last image does not fit the convolutions or pools after it. */
  public static String channelsLastBreaks(String node, int[] dims) {
    return node + ": @Input(shape = " + braces(dims) + ") reads as " + dims[0] + " channels of " + dims[1] + "×" + dims[2]
        + " pixels, too small for the image layers after it" + channelsFirstFix(dims);
  }

  private static String channelsFirstFix(int[] dims) {
    return ": Kiln, like PyTorch, is channels-first [C, H, W]; for a " + dims[0] + "×" + dims[1] + " image with " + dims[2]
        + " channel" + (dims[2] == 1 ? "" : "s") + " write shape = {" + dims[2] + ", " + dims[0] + ", " + dims[1] + "}";
  }

  public static String dropoutOverIds(String node, String input, String shape) {
    return node + ": @Dropout zeroes floats at random, but " + input + " is token ids " + shape
        + " (a zeroed id is another token); read the @Embedding of " + input + " instead";
  }

  public static String notAModel(String type, List<String> nodes) {
    return type + " declares Kiln nodes (" + String.join(", ", nodes) + ") but has no @Model, so Kiln generates nothing for it;"
        + " annotate it @Model (a block that a @Repeat uses needs @Block)";
  }

  // --- shapes and attributes --------------------------------------------------------------------

  public static String emptyInputShape(String node) {
    return node + ": @Input(shape = {}) is empty; give one sample's shape without the batch, e.g. shape = {784}";
  }

  public static String inputDimNotPositive(String node, int[] dims) {
    return node + ": @Input(shape = " + braces(dims) + ") has a dimension below 1; every dimension must be positive:"
        + " write each size of one sample (the batch is not part of the shape, and no size is inferred from -1)";
  }

  public static String inputTooLarge(String node, int[] dims, int maxLength) {
    return maxLength > 0
        ? node + ": @Input(shape = " + braces(dims) + ", maxLength = " + maxLength + ") is too large for one sample (more than 2^25 floats);"
            + " lower maxLength (split longer series) or use fewer features per step"
        : node + ": @Input(shape = " + braces(dims) + ") is too large for one sample (more than 2^25 floats);"
            + " downscale or crop the input to fewer values per sample";
  }

  public static String denseNeedsVector(String node, String input, String inShape, int inRank, boolean tokens, boolean sequence) {
    String fix = tokens ? "; token ids are read by an @Embedding: @Embedding(vocab = ..., dim = ...) abstract Tensor emb(IntTensor "
            + input + "), then @Dense over emb"
        : inRank > 1 && !sequence ? "; insert @Flatten abstract Tensor flat(Tensor " + input + ") and read it"
        : inRank > 1 ? "; @Dense reads one vector per step: reduce each step to a vector first (a recurrent layer or attention)"
        : "; @Dense needs a vector per sample";
    return node + ": @Dense needs [B, n] but " + input + " is " + inShape + fix;
  }

  public static String tooManyRepeats(String node, int times, int most) {
    return node + ": @Repeat(times = " + times + ") is more copies than Kiln expands (at most " + most
        + "); each copy is its own layers and weights: give the depth you mean, e.g. times = 12";
  }

  public static String notPositive(String node, String annotation, String attribute, int value) {
    return node + ": " + annotation + "(" + attribute + " = " + value + ") must be at least 1; " + sizeMeaning(attribute);
  }

  /** What a size attribute counts, with a value that compiles, so "must be at least 1" comes with a fix. */
  private static String sizeMeaning(String attribute) {
    return switch (attribute) {
      case "units" -> "units is the width of the output, e.g. units = 1";
      case "filters" -> "filters is the number of output channels, e.g. filters = 8";
      case "kernel", "kernelHeight", "kernelWidth" -> attribute + " is the window size, e.g. " + attribute + " = 3";
      case "stride" -> "leave it out to step by 1";
      case "dilation" -> "dilation = 1 reads adjacent positions, 2 every other one";
      case "size" -> "size is the window size, e.g. size = 2";
      case "maxLength" -> "maxLength is the longest sequence the input holds, e.g. maxLength = 128";
      case "vocab" -> "vocab is the number of distinct token ids (the largest id + 1), e.g. vocab = 10000";
      case "dim" -> "dim is the width of each token's vector, e.g. dim = 64";
      case "heads" -> "heads = 1 is plain attention";
      case "times" -> "times is the number of copies, e.g. times = 1";
      default -> "give " + attribute + " = 1 or more";
    };
  }

  public static String positionsNegative(String node, int maxLength) {
    return node + ": @PositionEmbedding(maxLength = " + maxLength + ") must not be negative; leave it out (0) to hold as many"
        + " positions as the input's @Tokens maxLength";
  }

  public static String attributeTooLarge(String node, String annotation, String attribute, int value) {
    return node + ": " + annotation + "(" + attribute + " = " + value + ") is larger than any tensor may be (2^25 floats);"
        + " use a value that fits the input";
  }

  public static String weightTooLarge(String node, String annotation, String attribute, int value, String weightShape) {
    boolean width = attribute.equals("units") || attribute.equals("filters");
    return node + ": " + annotation + "(" + attribute + " = " + value + ") needs a weight of " + weightShape
        + ", more than 2^25 floats; " + (width ? "use fewer " + attribute + " or shrink the input first (pooling, a smaller layer)"
            : "use a smaller " + attribute);
  }

  public static String outputTooLarge(String node, String annotation, String attribute, int value, String outShape) {
    return node + ": " + annotation + "(" + attribute + " = " + value + ") gives " + outShape
        + ", more than 2^25 floats per sample; use fewer " + attribute + ", a larger stride or pool earlier";
  }

  public static String dropoutRate(String node, double rate) {
    return node + ": @Dropout(rate = " + rate + ") must be in [0, 1); 0 keeps everything, 0.5 drops half";
  }

  public static String batchNormMomentum(String node, double momentum) {
    return node + ": @BatchNorm(momentum = " + momentum + ") must be in (0, 1]; PyTorch's default is 0.1";
  }

  public static String attentionTooLong(String node, String query, String keys, long steps) {
    return node + ": @Attention keeps a weight for every step of " + query + " against every step of " + keys + ": " + steps + " × " + steps
        + " per sample, more than 2^25 floats; lower the maxLength of the longer sequence's @Tokens or @Input";
  }

  public static String localModel(String model) {
    return "@Model class " + model + " is declared inside a method, where annotation processors cannot see it, so nothing would be"
        + " generated; move it out of the method, e.g. to a static nested class";
  }

  public static String generatedNameTaken(String model, String generated) {
    return "@Model " + model + " is generated as " + generated + ", but a class of that name already exists; rename that class or the model";
  }

  public static String notAFloat(String node, String annotation, String attribute, double value) {
    return node + ": " + annotation + "(" + attribute + " = " + value + ") is outside what a float holds (" + Float.MIN_VALUE + " to "
        + Float.MAX_VALUE + "), and the model computes with floats; the usual value is 1e-5";
  }

  public static String batchNormEpsilon(String node, double epsilon) {
    return node + ": @BatchNorm(epsilon = " + epsilon + ") must be positive; the usual value is 1e-5";
  }

  public static String batchNormSingleValue(String node, String input, String inShape, int maxBatch) {
    return node + ": @BatchNorm normalizes each channel of " + input + " " + inShape + " over the batch and its positions, at most 1 value with"
        + " maxBatch = " + maxBatch + ", and training needs at least 2; raise @Model(maxBatch), or normalize a larger map";
  }

  public static String batchNormRank(String node, String input, String inShape) {
    return node + ": @BatchNorm normalizes [B, n] or [B, C, H, W] but " + input + " is " + inShape
        + "; insert @Flatten abstract Tensor flat(Tensor " + input + ") and normalize that";
  }

  public static String embeddingNeedsTokens(String node, String input, String inShape) {
    return node + ": @Embedding looks up token ids but " + input + " is " + inShape
        + " floats; read an @Tokens input (abstract IntTensor tokens()) instead";
  }

  public static String needsSequence(String node, String annotation, String input, String inShape) {
    return node + ": " + annotation + " needs a sequence of vectors [B, T, n] but " + input + " is " + inShape
        + "; feed it an @Embedding, a series @Input(shape, maxLength) or another recurrent layer with returnSequences = true";
  }

  public static String rnnActivation(String node, Object activation) {
    return node + ": @Rnn(activation = " + activation + ") is not a recurrent activation; use TANH (the default) or RELU";
  }

  public static String ignoreIndexOnlySoftmax(String node, Object kind) {
    return node + ": ignoreIndex only applies to SOFTMAX_CROSS_ENTROPY class labels, not " + kind + "; remove it";
  }

  public static String stepWithoutPerceptron(String node, String consumer) {
    return node + ": activation = STEP has no gradient, but '" + consumer + "' reads it; STEP may only feed @Loss(PERCEPTRON), use SIGMOID or RELU here";
  }

  public static String perceptronWithoutStep(String node, String input) {
    return node + ": @Loss(PERCEPTRON) scores a step output, but '" + input + "' is not @Dense(activation = STEP); set activation = STEP on " + input;
  }

  public static String lossNeedsVector(String node, LossKind kind, String input, String inShape) {
    return node + ": @Loss(" + kind + ") needs [B, classes] but " + input + " is " + inShape + "; insert @Flatten or a @Dense with one unit per class";
  }

  public static String lossOverTokens(String node, LossKind kind, String input, String inShape) {
    return node + ": @Loss(" + kind + ") scores float outputs but " + input + " is token ids " + inShape
        + "; score the layer that predicts the targets (a @Dense), not the @Tokens input";
  }

  public static String softmaxOneClass(String node, String input, String inShape) {
    return node + ": @Loss(SOFTMAX_CROSS_ENTROPY) over " + input + " " + inShape
        + " has a single class; use SIGMOID_BINARY_CROSS_ENTROPY for one output, or give " + input + " one unit per class";
  }

  public static String labelsType(String node, String labels, LossKind kind, String expectedType, String actualType) {
    String what = expectedType.equals("IntTensor") ? "class indices" : "float targets";
    return node + ": @Loss(" + kind + ") takes " + what + " but '" + labels + "' is " + actualType
        + "; declare @Labels " + expectedType + " " + labels;
  }

  public static String modelTooLarge(String model, int maxBatch) {
    return "@Model " + model + " needs more than 2^31 floats of memory at maxBatch = " + maxBatch
        + "; lower maxBatch or use smaller layers";
  }

  // --- internal ---------------------------------------------------------------------------------

  public static String internalError(String model, String stackTrace) {
    return "internal error while compiling @Model " + model + "; please report it with this trace:\n" + stackTrace;
  }

  /** {@code [B, d0, d1, …]}: one sample's dims with the batch axis in front. */
  public static String withBatch(int[] dims) {
    StringBuilder s = new StringBuilder("[B");
    for (int d : dims) {
      s.append(", ").append(d);
    }
    return s.append(']').toString();
  }

  private static String braces(int[] dims) {
    return Arrays.toString(dims).replace('[', '{').replace(']', '}');
  }

  private static String article(String noun) {
    return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
  }

  // --- blocks, attention and the Transformer ----------------------------------------------------

  public static String repeatArity(String node, List<String> params) {
    return node + ": @Repeat reads exactly one node (the first copy's input) but the method has "
        + (params.isEmpty() ? "no parameters" : params.size() + " (" + String.join(", ", params) + ")")
        + "; declare one Tensor parameter naming the node the block starts from";
  }

  public static String notABlock(String node, String type) {
    return node + ": @Repeat(block = " + type + ".class) names a class without @Block; annotate " + type
        + " with @Block (a static nested class whose methods are the block's nodes)";
  }

  public static String blockInputs(String block, List<String> inputs) {
    return "@Block " + block + " has " + (inputs.isEmpty() ? "no @BlockInput" : inputs.size() + " @BlockInput methods (" + String.join(", ", inputs) + ")")
        + "; declare exactly one, e.g. @BlockInput abstract Tensor x();";
  }

  public static String blockInputDeclaration(String method) {
    return method + ": a @BlockInput is an abstract method without parameters returning Tensor; declare it as @BlockInput abstract Tensor "
        + method + "();";
  }

  public static String blockOutputs(String block, List<String> outputs) {
    return "@Block " + block + " must have exactly one output (a node no other block node reads) but has "
        + (outputs.isEmpty() ? "none" : outputs.size() + " (" + String.join(", ", outputs) + ")")
        + "; make every other node feed the last one";
  }

  public static String repeatInBlock(String node) {
    return node + ": @Repeat inside a @Block is not supported; repeat the outer block instead, or list the inner block's nodes in it";
  }

  public static String needsSequenceVector(String node, String annotation, String input, String shape) {
    return node + ": " + annotation + " needs a sequence of vectors [B, T, n] but " + input + " is " + shape
        + "; feed it an @Embedding, a recurrent layer with returnSequences = true, or another sequence layer";
  }

  public static String attentionWidths(String node, String query, String queryShape, String keys, String keysShape) {
    return node + ": @Attention scores decoder states " + query + " " + queryShape + " against encoder states " + keys + " " + keysShape
        + " but their widths differ; give the decoder and the encoder the same number of units";
  }

  public static String attentionUnits(String node, int units, io.kiln.dsl.Score score) {
    return node + ": @Attention(units = " + units + ") " + (units < 0 ? "must not be negative" : "is only used by Score.ADDITIVE, not " + score)
        + "; remove it" + (units < 0 ? " or give a positive width" : "");
  }

  public static String inputsDiffer(String node, String annotation, String first, String firstShape, String other, String otherShape, String need,
      String fix) {
    return node + ": " + annotation + " needs inputs " + need + " but " + first + " is " + firstShape + " and " + other + " is " + otherShape
        + "; " + fix;
  }

  /** The fix for joining an image with vectors: {@code @Add} and {@code @Concat} read vectors per sample or per step. */
  public static String flattenFirstFix(String image) {
    return "flatten " + image + " first: @Flatten abstract Tensor flat(Tensor " + image + "), and read flat";
  }

  public static String tooFewInputs(String node, String annotation, List<String> inputs) {
    return node + ": " + annotation + " reads two or more nodes but the method has "
        + (inputs.isEmpty() ? "no node parameters" : "only " + String.join(", ", inputs)) + "; declare a Tensor parameter per node it joins";
  }

  public static String headsNotDividing(String node, int heads, String input, String shape, int width) {
    return node + ": @MultiHeadAttention(heads = " + heads + ") must divide the model width " + width + " of " + input + " " + shape
        + "; use a number of heads that divides " + width + " (e.g. " + divisorNear(width, heads) + ")";
  }

  private static int divisorNear(int width, int heads) {
    for (int d = 0; ; d++) {
      if (heads - d >= 1 && width % (heads - d) == 0) {
        return heads - d;
      }
      if (width % (heads + d) == 0) {
        return heads + d;
      }
    }
  }

  public static String contextTooLong(String node, int maxLength, String input, int steps) {
    return node + ": @PositionEmbedding(maxLength = " + maxLength + ") holds " + maxLength + " positions but " + input
        + " may be " + steps + " steps long (its @Tokens maxLength); raise maxLength to at least " + steps + " or shorten the input";
  }

  public static String layerNormRank(String node, String input, String inShape) {
    return node + ": @LayerNorm normalizes each vector, [B, n] or [B, T, n], but " + input + " is " + inShape
        + "; insert @Flatten abstract Tensor flat(Tensor " + input + ") and normalize that";
  }

  public static String layerNormEpsilon(String node, double epsilon) {
    return node + ": @LayerNorm(epsilon = " + epsilon + ") must be positive; the default 1e-5 is PyTorch's";
  }

  public static String geluOnlyDense(String node, String annotation) {
    return node + ": " + annotation + "(activation = GELU) is not supported; GELU is available on @Dense (add one after this layer)";
  }

  public static String decodedNeedsOutput(String node, String output, String shape) {
    return node + ": @Tokens(decoded = true) feeds the model's predictions back, so the output " + output
        + " must be per-step class scores [B, T, classes] under a SOFTMAX_CROSS_ENTROPY loss, but it is " + shape
        + "; end the model with a @Dense(units = classes) over a sequence and a @Loss(SOFTMAX_CROSS_ENTROPY) reading it,"
        + " or remove decoded = true";
  }

  public static String decodedClassesExceedVocab(String output, int classes, String tokens, String embedding, int vocab) {
    return output + ": greedy decoding feeds the argmax of " + output + "'s " + classes + " classes back into " + tokens + ", but "
        + embedding + " has rows for ids 0.." + (vocab - 1) + " only (vocab = " + vocab + "); give " + output + " "
        + vocab + " classes (units = " + vocab + ") or " + embedding + " vocab = " + classes;
  }

  public static String flattenSequence(String node, String input, String shape, String fix) {
    return node + ": @Flatten cannot fold the steps of the sequence " + input + " " + shape
        + " into one vector (T varies per call), and keeping them apart would make the next layer run per step; " + fix;
  }

  public static String lastStateFix(String recurrent, String annotation, int units) {
    return "to read the whole sequence, use " + recurrent + "'s last state instead: " + annotation + "(units = " + units
        + ", returnSequences = false) gives [B, " + units + "], and drop @Flatten";
  }

  public static String fixedLengthFix(String input, int[] fixed, int size) {
    return "if every sample has exactly " + fixed[0] + " steps, declare " + input + " @Input(shape = " + braces(fixed)
        + ") without maxLength, and @Flatten gives [B, " + size + "]";
  }

  public static String perStepFix(String node) {
    return "to keep one output per step, read the sequence directly and drop " + node
        + "; to read the whole sequence, put a recurrent layer with returnSequences = false before it";
  }

  public static String repeatChangesShape(String node, String block, int times, String input, String inShape, String output,
      String member, String outShape, int width) {
    return output + ": the output of " + block + ", which @Repeat " + node + " (times = " + times + ") feeds to its next copy, is "
        + outShape + " but the block's input " + input + " is " + inShape + "; make " + member + " return its input's shape"
        + (width > 0 ? " (units = " + width + " for a @Dense)" : "") + ", or repeat the block once (times = 1)";
  }

  public static String twoDecoded(String node, String other) {
    return node + ": only one @Tokens input may be decoded = true, but " + other + " is too; remove it from one of them";
  }

  public static String sharesNoEmbedding(String node, String shares, String why) {
    return node + ": @Embedding(shares = \"" + shares + "\") must name another @Embedding node with a table of its own, but '" + shares + "' " + why
        + "; name the @Embedding that owns the table (one without shares), or remove shares to give " + node + " its own";
  }

  public static String sharedTableDiffers(String node, int vocab, int dim, String owner, int ownerVocab, int ownerDim) {
    return node + ": @Embedding(vocab = " + vocab + ", dim = " + dim + ") shares " + owner + "'s table, which is [" + ownerVocab + ", " + ownerDim
        + "]; declare the same vocab and dim";
  }

  public static String decodedSeesAhead(String tokens, String reader, String annotation) {
    return reader + ": " + annotation + " lets step t see later steps of " + tokens + ", which is @Tokens(decoded = true) and decoded one"
        + " step at a time; make it causal (@MultiHeadAttention(causal = true); @Attention over states that do not depend on " + tokens
        + ") or drop decoded on " + tokens;
  }

  public static String bidirectionalInitialState(String node, String annotation, String source) {
    return node + ": " + annotation + "(bidirectional = true) starts from " + source + "'s final state (@InitialState), but a bidirectional"
        + " layer's reverse direction starts at the last step, where no state is handed over; drop @InitialState or bidirectional";
  }

  public static String bidirectionalHandsOverState(String node, String annotation, String next) {
    return node + ": " + annotation + "(bidirectional = true) is the @InitialState of " + next + ", but a bidirectional layer ends in two"
        + " states, one per direction; make " + node + " one-directional, or feed " + next + " its output instead of its state";
  }

  public static String decodedReadsBackwards(String tokens, String reader, String annotation) {
    return reader + ": " + annotation + "(bidirectional = true) reads " + tokens + " from its last step back, but " + tokens
        + " is @Tokens(decoded = true) and decoded one step at a time; drop bidirectional on " + reader + " or decoded on " + tokens;
  }
}
