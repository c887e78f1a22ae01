package io.kiln.processor.parse;

import io.kiln.processor.diag.SourceRef;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;

/** Hands out {@link SourceRef}s for elements so later passes can point at them without javac. */
public interface SourceRegistry {
  /** {@code annotation} is the Kiln annotation on {@code element} that attributes refer to, or null. */
  SourceRef register(Element element, AnnotationMirror annotation);
}
