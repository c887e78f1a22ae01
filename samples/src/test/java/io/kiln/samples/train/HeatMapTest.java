package io.kiln.samples.train;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeatMapTest {
  @TempDir Path dir;

  @Test
  void cellsAreShadedByTheirWeight() throws Exception {
    float[] alpha = {1f, 0f, 0.5f, 0.5f}; // 2×2
    Path png = new HeatMap("a test", alpha, 2, 2, new String[] {"x", "y"}, new String[] {"a", "b"}).writePng(dir.resolve("m.png"));
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(rgb(img, 0, 0)).isEqualTo(HeatMap.color(1f).getRGB());
    assertThat(rgb(img, 0, 1)).isEqualTo(Color.WHITE.getRGB());
    assertThat(rgb(img, 1, 0)).isEqualTo(rgb(img, 1, 1));
    assertThat(rgb(img, 1, 0)).isNotEqualTo(Color.WHITE.getRGB());
    assertThat(rgb(img, 1, 0)).isNotEqualTo(HeatMap.color(1f).getRGB());
  }

  @Test
  void mismatchedSizesAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new HeatMap("t", new float[3], 2, 2, new String[2], new String[2]));
    assertThat(e).hasMessageThat().contains("needs 4 values");
    assertThrows(IllegalArgumentException.class, () -> new HeatMap("t", new float[4], 2, 2, new String[1], new String[2]));
  }

  private static int rgb(BufferedImage img, int row, int col) {
    int[] xy = HeatMap.cellCentre(row, col);
    return img.getRGB(xy[0], xy[1]);
  }
}
