package io.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a parameter of a recurrent layer that names another recurrent layer whose final state
 * (hidden state, and cell state for an LSTM) initializes this one: the encoder → decoder hand-off.
 *
 * <pre>
 * {@literal @}Lstm(units = 128) abstract Tensor encoder(Tensor source);
 * {@literal @}Lstm(units = 128) abstract Tensor decoder(Tensor target, {@literal @}InitialState Tensor encoder);
 * </pre>
 *
 * Both layers must be the same kind of cell with the same number of units. Gradients flow back
 * through the hand-off into the encoder.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.PARAMETER)
public @interface InitialState {}
