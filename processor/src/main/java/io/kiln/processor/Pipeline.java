package io.kiln.processor;

import com.palantir.javapoet.JavaFile;
import io.kiln.processor.diag.ErrorId;
import io.kiln.processor.diag.Messages;
import io.kiln.processor.diag.Report;
import io.kiln.processor.emit.ModelWriter;
import io.kiln.processor.fuse.KernelProgram;
import io.kiln.processor.grad.BackwardGraph;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.GraphBuilder;
import io.kiln.processor.lint.Lint;
import io.kiln.processor.parse.ModelSpec;
import io.kiln.processor.pass.BackwardDerivation;
import io.kiln.processor.pass.Fusion;
import io.kiln.processor.pass.ShapeInference;
import io.kiln.processor.plan.ArenaPlanner;
import io.kiln.processor.plan.MemoryPlan;
import io.kiln.processor.shape.Shape;
import io.kiln.processor.shape.ShapedGraph;
import java.util.HashMap;
import java.util.Map;

/**
 * The passes after parsing, in order: IR → shapes → backward → fusion → memory plan → emission.
 * The IR and shape passes always run, on the nodes that are sound, so one build reports the
 * independent errors of every stage (a broken node and its downstream are skipped silently); the
 * passes after them run only when the report has no error. Needs no javac, so tests drive it with
 * hand-built specs.
 */
final class Pipeline {
  private Pipeline() {}

  /** Returns the generated file, or null when the report has errors. */
  static JavaFile compile(ModelSpec spec, Report report) {
    return compile(spec, Map.of(), report);
  }

  /**
   * As {@link #compile(ModelSpec, Report)}, for a spec the parse pass could not fully read:
   * {@code broken} names the rejected node methods (see {@link GraphBuilder#buildHealthy}).
   */
  static JavaFile compile(ModelSpec spec, Map<String, String> broken, Report report) {
    MemoryPlan plan = plan(spec, broken, report);
    return plan == null ? null : new ModelWriter(plan).write();
  }

  /** Runs every pass up to the memory plan; null when the report has errors. */
  static MemoryPlan plan(ModelSpec spec, Report report) {
    return plan(spec, Map.of(), report);
  }

  static MemoryPlan plan(ModelSpec spec, Map<String, String> broken, Report report) {
    GraphBuilder builder = new GraphBuilder(report);
    Graph graph = builder.buildHealthy(spec, broken);
    // Shapes and attributes are checked on every sound node, unused ones too; the passes after
    // this one get the nodes that are computed.
    Graph checked = new Graph(spec, builder.checkedNodes(), graph.output(), graph.loss(), graph.labelsType());
    ShapedGraph all = new ShapeInference(report).infer(checked);
    if (all == null || report.hasErrors()) {
      return null;
    }
    Lint.checkAll(all, report);
    Map<String, Shape> shapes = new HashMap<>();
    graph.order().forEach(n -> shapes.put(n.name(), all.shape(n)));
    ShapedGraph shaped = new ShapedGraph(graph, shapes);
    BackwardGraph backward = new BackwardDerivation().derive(shaped);
    KernelProgram program = new Fusion().fuse(shaped, backward);
    try {
      return new ArenaPlanner().plan(program, spec.maxBatch());
    } catch (ArithmeticException e) {
      // Each tensor is checked against 2^25 floats by the shape pass; their sum at maxBatch, or
      // the parameters' total, can still pass 2^31 (RandomModelsTest's huge maxBatch reaches it).
      report.error(ErrorId.BAD_ATTRIBUTE, spec.ref(), "maxBatch", Messages.modelTooLarge(spec.declaredName(), spec.maxBatch()));
      return null;
    }
  }
}
