package io.kiln.processor.fuse;

/**
 * A call of the generated {@code gradients}: one step of the backward pass. Sealed apart from
 * {@link ForwardCall} so the writers' switches over either list are checked for exhaustiveness.
 */
public sealed interface BackwardCall extends KernelCall
    permits KernelCall.ActivationBackward,
        KernelCall.BiasGrad,
        KernelCall.WeightGrad,
        KernelCall.InputGrad,
        KernelCall.ConvBackward,
        KernelCall.PoolBackward,
        KernelCall.DropoutBackward,
        KernelCall.BatchNormBackward,
        KernelCall.EmbeddingBackward,
        KernelCall.RecurrentBackward,
        KernelCall.ZeroFill,
        KernelCall.AttentionBackward,
        KernelCall.ConcatBackward,
        KernelCall.AddBackward,
        KernelCall.LayerNormBackward,
        KernelCall.MultiHeadBackward,
        KernelCall.PositionBackward,
        KernelCall.GeluBackward {}
