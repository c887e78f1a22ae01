package io.kiln.spark;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * A {@link Supplier} Spark can ship to executors. A lambda or method reference whose target type
 * is this interface is serializable, so {@code () -> KilnLeNet.create(1)} or
 * {@code () -> new Adam(1e-3f)} can be handed to a {@link DataParallelTrainer} as they are.
 */
@FunctionalInterface
public interface SerializableSupplier<T> extends Supplier<T>, Serializable {}
