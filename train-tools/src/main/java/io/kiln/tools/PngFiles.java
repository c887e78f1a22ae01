package io.kiln.tools;

import io.kiln.runtime.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes pictures (training curves, attention heat maps) so a reader never sees half a file. */
public final class PngFiles {
  private PngFiles() {}

  /** Writes {@code image} as a PNG to {@code file}: a temporary file in the same folder, then a rename. */
  public static void write(BufferedImage image, Path file) throws IOException {
    AtomicFiles.write(file, os -> {
      if (!ImageIO.write(image, "png", os)) {
        throw new IOException("no PNG writer available in this JDK (javax.imageio)");
      }
    });
  }
}
