package io.kiln.processor.emit;

/** The writers of the layer families, one each, sharing one class's names. */
record Families(
    DenseCalls dense,
    ConvCalls conv,
    BatchNormDropoutCalls batchNormDropout,
    SequenceCalls sequence,
    AttentionCalls attention,
    JoinCalls join) {
  static Families of(GeneratedClassPart shared) {
    return new Families(new DenseCalls(shared), new ConvCalls(shared), new BatchNormDropoutCalls(shared), new SequenceCalls(shared),
        new AttentionCalls(shared), new JoinCalls(shared));
  }
}
