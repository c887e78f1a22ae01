package io.kiln.processor.fuse;

import java.util.ArrayList;
import java.util.List;

/** What a kernel call reads: the operands it is given, optional ones (null) left out. */
final class Operands {
  private Operands() {}

  /** {@code dy} and every gradient that is added to (and so read) rather than written. */
  static List<Buffer> readsAccumulated(Buffer dy, List<Buffer> dxs, List<Boolean> accumulate) {
    List<Buffer> r = new ArrayList<>(List.of(dy));
    for (int i = 0; i < dxs.size(); i++) {
      if (dxs.get(i) != null && accumulate.get(i)) {
        r.add(dxs.get(i));
      }
    }
    return r;
  }

  /** The buffers that are there: optional operands (null) are left out. */
  static List<Buffer> present(Buffer... buffers) {
    List<Buffer> list = new ArrayList<>(buffers.length);
    for (Buffer b : buffers) {
      if (b != null) {
        list.add(b);
      }
    }
    return list;
  }
}
