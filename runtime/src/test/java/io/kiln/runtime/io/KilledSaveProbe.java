package io.kiln.runtime.io;

import java.nio.file.Path;

/**
 * Starts a save of {@code args[0]} that writes a first megabyte, says "writing", and never
 * finishes; {@code AtomicFilesTest} kills it with SIGKILL, as a user's {@code kill -9} or the OOM
 * killer would.
 */
public final class KilledSaveProbe {
  private KilledSaveProbe() {}

  public static void main(String[] args) throws Exception {
    AtomicFiles.writeDurably(Path.of(args[0]), ch -> {
      ch.write(java.nio.ByteBuffer.allocate(1 << 20));
      System.out.println("writing");
      System.out.flush();
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        throw new java.io.IOException("interrupted", e);
      }
    });
  }
}
