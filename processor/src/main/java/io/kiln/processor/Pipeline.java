package io.kiln.processor;

import com.palantir.javapoet.JavaFile;
import io.kiln.processor.diag.Report;
import io.kiln.processor.emit.ModelWriter;
import io.kiln.processor.fuse.Fusion;
import io.kiln.processor.fuse.KernelProgram;
import io.kiln.processor.grad.BackwardDerivation;
import io.kiln.processor.grad.BackwardGraph;
import io.kiln.processor.ir.Graph;
import io.kiln.processor.ir.GraphBuilder;
import io.kiln.processor.parse.ModelSpec;
import io.kiln.processor.plan.ArenaPlanner;
import io.kiln.processor.plan.MemoryPlan;
import io.kiln.processor.shape.ShapeInference;
import io.kiln.processor.shape.ShapedGraph;

/**
 * The passes after parsing, in order: IR → shapes → backward → fusion → memory plan → emission.
 * Each runs only if the ones before it reported no error. Needs no javac, so tests drive it with
 * hand-built specs.
 */
final class Pipeline {
  private Pipeline() {}

  /** Returns the generated file, or null when the report has errors. */
  static JavaFile compile(ModelSpec spec, Report report) {
    MemoryPlan plan = plan(spec, report);
    return plan == null ? null : new ModelWriter(plan).write();
  }

  /** Runs every pass up to the memory plan; null when the report has errors. */
  static MemoryPlan plan(ModelSpec spec, Report report) {
    Graph graph = new GraphBuilder(report).build(spec);
    if (graph == null || report.hasErrors()) {
      return null;
    }
    ShapedGraph shaped = new ShapeInference(report).infer(graph);
    if (shaped == null) {
      return null;
    }
    BackwardGraph backward = new BackwardDerivation().derive(shaped);
    KernelProgram program = new Fusion().fuse(shaped, backward);
    return new ArenaPlanner().plan(program, spec.maxBatch());
  }
}
