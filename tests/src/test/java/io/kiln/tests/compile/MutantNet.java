package io.kiln.tests.compile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A model declaration as {@link ModelMutantsTest} builds and mutates it: a {@code @Model} class of
 * node methods, one per line, and optionally one nested {@code @Block}. Rendering records the line
 * of every node, so a mutation's line is known in the generated source.
 */
final class MutantNet {

  /** A node parameter: {@code [@Labels|@InitialState] Tensor|IntTensor name}. */
  record Param(String annotation, String type, String name) {
    static Param of(String type, String name) {
      return new Param("", type, name);
    }

    boolean labels() {
      return annotation.equals("@Labels");
    }

    boolean state() {
      return annotation.equals("@InitialState");
    }

    String render() {
      return (annotation.isEmpty() ? "" : annotation + " ") + type + " " + name;
    }
  }

  /** One node method: its layer annotation's simple name and attributes, its parameters. */
  static final class Decl {
    String kind;
    final String name;
    final Map<String, String> attrs = new LinkedHashMap<>();
    final List<Param> params = new ArrayList<>();

    Decl(String kind, String name) {
      this.kind = kind;
      this.name = name;
    }

    Decl attr(String key, Object value) {
      attrs.put(key, String.valueOf(value));
      return this;
    }

    Decl reads(Decl... sources) {
      for (Decl s : sources) {
        params.add(Param.of(s.kind.equals("Tokens") ? "IntTensor" : "Tensor", s.name));
      }
      return this;
    }

    int integer(String key, int otherwise) {
      String v = attrs.get(key);
      return v == null ? otherwise : Integer.parseInt(v);
    }

    /** The enum constant an attribute names ({@code RELU} of {@code Activation.RELU}), or the default. */
    String constant(String key, String otherwise) {
      String v = attrs.get(key);
      return v == null ? otherwise : v.substring(v.lastIndexOf('.') + 1);
    }

    /** The parameters naming nodes read as data (not labels, not an initial state). */
    List<Param> inputs() {
      return params.stream().filter(p -> !p.labels() && !p.state()).toList();
    }

    Decl copy() {
      Decl d = new Decl(kind, name);
      d.attrs.putAll(attrs);
      d.params.addAll(params);
      return d;
    }

    String render() {
      String annotation = attrs.isEmpty() ? "@" + kind
          : "@" + kind + "(" + attrs.entrySet().stream().map(e -> e.getKey().equals("value") ? e.getValue() : e.getKey() + " = " + e.getValue())
              .collect(Collectors.joining(", ")) + ")";
      String type = kind.equals("Tokens") ? "IntTensor" : "Tensor";
      return annotation + " abstract " + type + " " + name + "(" + params.stream().map(Param::render).collect(Collectors.joining(", ")) + ");";
    }
  }

  final String className;
  final String family;
  String modelAnnotation;
  final List<Decl> nodes = new ArrayList<>();
  /** The nested block's nodes, its {@code @BlockInput} first; empty when the model has no block. */
  final List<Decl> block = new ArrayList<>();

  MutantNet(String className, String family, String modelAnnotation) {
    this.className = className;
    this.family = family;
    this.modelAnnotation = modelAnnotation;
  }

  Decl add(Decl d) {
    nodes.add(d);
    return d;
  }

  Decl node(String name) {
    return nodes.stream().filter(d -> d.name.equals(name)).findFirst().orElse(null);
  }

  Decl blockNode(String name) {
    return block.stream().filter(d -> d.name.equals(name)).findFirst().orElse(null);
  }

  /** A deep copy under another class name, for mutating. */
  MutantNet copy(String name) {
    MutantNet n = new MutantNet(name, family, modelAnnotation);
    nodes.forEach(d -> n.nodes.add(d.copy()));
    block.forEach(d -> n.block.add(d.copy()));
    return n;
  }

  /** The source, and the line of each node ({@link #CLASS_LINE} for the class itself). */
  record Rendered(String text, Map<Decl, Integer> lines) {}

  static final int CLASS_LINE = 6;

  Rendered render() {
    List<String> out = new ArrayList<>(List.of("package test;", "", "import io.kiln.dsl.*;", "", modelAnnotation,
        "abstract class " + className + " {"));
    Map<Decl, Integer> lines = new java.util.IdentityHashMap<>();
    for (Decl d : nodes) {
      out.add("  " + d.render());
      lines.put(d, out.size());
    }
    if (!block.isEmpty()) {
      out.add("  @Block");
      out.add("  abstract static class Layer {");
      for (Decl d : block) {
        out.add("    " + (d.kind.equals("BlockInput") ? "@BlockInput abstract Tensor " + d.name + "();" : d.render()));
        lines.put(d, out.size());
      }
      out.add("  }");
    }
    out.add("}");
    return new Rendered(String.join("\n", out) + "\n", lines);
  }
}
