package io.kiln.processor.plan;

import io.kiln.processor.fuse.Buffer;
import io.kiln.processor.fuse.KernelCall;
import io.kiln.processor.fuse.KernelProgram;
import io.kiln.processor.fuse.ParamTensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan pass: computes each arena buffer's live interval over a whole training step (forward,
 * loss, backward) and packs buffers whose intervals do not overlap into the same memory
 * (greedy, largest first, lowest fitting offset). An activation stays alive past the forward pass
 * only if a backward call reads it.
 */
public final class ArenaPlanner {
  /** Buffers start at multiples of 16 floats (64 bytes: one cache line, one 512-bit vector). */
  static final int ALIGN = 16;

  public MemoryPlan plan(KernelProgram program, int maxBatch) {
    Map<String, Integer> paramOffsets = new LinkedHashMap<>();
    int paramFloats = 0;
    for (ParamTensor p : program.params()) {
      paramOffsets.put(p.name(), paramFloats);
      paramFloats = Math.addExact(paramFloats, p.size());
    }

    List<KernelCall> sequence = program.trainingSequence();
    Map<String, int[]> live = new LinkedHashMap<>();
    Map<String, Buffer> buffers = new HashMap<>();
    for (int i = 0; i < sequence.size(); i++) {
      KernelCall call = sequence.get(i);
      List<Buffer> touched = new ArrayList<>(call.reads());
      touched.addAll(call.writes());
      for (Buffer b : touched) {
        if (!b.inArena()) {
          continue;
        }
        buffers.put(b.name(), b);
        int at = i;
        live.merge(b.name(), new int[] {at, at}, (old, now) -> new int[] {Math.min(old[0], at), Math.max(old[1], at)});
      }
    }
    // forward() returns the output buffer as a view: it must survive to the end of the forward pass.
    Buffer output = program.output();
    if (output.inArena()) {
      buffers.put(output.name(), output);
      live.merge(output.name(), new int[] {0, program.forward().size()}, (old, now) -> new int[] {old[0], Math.max(old[1], now[1])});
    }

    List<String> bySize = new ArrayList<>(live.keySet());
    bySize.sort(Comparator.comparingLong((String n) -> -size(buffers.get(n), maxBatch)).thenComparing(n -> live.get(n)[0]));
    Map<String, Integer> offsets = new HashMap<>();
    int arena = 0;
    long naive = 0;
    for (String name : bySize) {
      int size = size(buffers.get(name), maxBatch);
      naive += size;
      int[] interval = live.get(name);
      List<int[]> taken = new ArrayList<>(); // [start, end) of conflicting placed buffers
      for (Map.Entry<String, Integer> placed : offsets.entrySet()) {
        int[] other = live.get(placed.getKey());
        if (other[0] <= interval[1] && interval[0] <= other[1]) {
          taken.add(new int[] {placed.getValue(), placed.getValue() + size(buffers.get(placed.getKey()), maxBatch)});
        }
      }
      taken.sort(Comparator.comparingInt(t -> t[0]));
      int offset = 0;
      for (int[] t : taken) {
        if (offset + size <= t[0]) {
          break;
        }
        offset = Math.max(offset, t[1]);
      }
      offsets.put(name, offset);
      arena = Math.max(arena, offset + size);
    }
    if (naive > Integer.MAX_VALUE) {
      throw new ArithmeticException("activations of this model exceed 2^31 floats at maxBatch " + maxBatch);
    }
    return new MemoryPlan(program, maxBatch, offsets, arena, (int) naive, paramOffsets, paramFloats);
  }

  /** Floats a buffer occupies at {@code maxBatch}, rounded up to the alignment. */
  static int size(Buffer b, int maxBatch) {
    long floats = b.floats(maxBatch);
    return Math.toIntExact((floats + ALIGN - 1) / ALIGN * ALIGN);
  }
}
