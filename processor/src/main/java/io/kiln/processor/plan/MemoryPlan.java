package io.kiln.processor.plan;

import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.KernelProgram;
import io.kiln.processor.fuse.ParamTensor;
import java.util.Map;

/**
 * Where every tensor lives: activations and gradients at offsets in one float arena (sized for
 * {@code maxBatch}), parameters at offsets in the parameter slab (gradients mirror it).
 *
 * @param naiveFloats what the arena would need if no two tensors shared memory
 */
public record MemoryPlan(
    KernelProgram program,
    int maxBatch,
    Map<String, Integer> arenaOffsets,
    int arenaFloats,
    int naiveFloats,
    Map<String, Integer> paramOffsets,
    int paramFloats) {
  public MemoryPlan {
    arenaOffsets = Map.copyOf(arenaOffsets);
    paramOffsets = Map.copyOf(paramOffsets);
  }

  public int offset(Buffer buffer) {
    Integer off = arenaOffsets.get(buffer.name());
    if (off == null) {
      throw new IllegalArgumentException(buffer.name() + " is not in the arena");
    }
    return off;
  }

  public int offset(ParamTensor param) {
    return paramOffsets.get(param.name());
  }
}
