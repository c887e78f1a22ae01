package io.kiln.processor.fuse;

/**
 * A call of the generated {@code runForward}. Sealed apart from {@link BackwardCall} so the
 * writers' switches over either list are checked for exhaustiveness by the compiler.
 */
public sealed interface ForwardCall extends KernelCall
    permits KernelCall.DenseForward,
        KernelCall.ConvForward,
        KernelCall.PoolForward,
        KernelCall.DropoutForward,
        KernelCall.BatchNormForward,
        KernelCall.EmbeddingForward,
        KernelCall.RecurrentForward,
        KernelCall.AttentionForward,
        KernelCall.ConcatForward,
        KernelCall.AddForward,
        KernelCall.LayerNormForward,
        KernelCall.MultiHeadForward,
        KernelCall.PositionForward,
        KernelCall.GeluForward {}
