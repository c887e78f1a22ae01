package io.kiln.runtime.cnn;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Output sizes and padding from the reference notes, TF's SAME rule, and validation messages. */
class ConvGeometryTest {

  @Test
  void threeByThreeOverFiveByFive() {
    // out = (I − F + 2P)/S + 1
    ConvGeometry valid = ConvGeometry.valid(1, 5, 5, 1, 3, 3, 1);
    assertThat(valid.outHeight()).isEqualTo(3);
    assertThat(valid.outWidth()).isEqualTo(3);
    ConvGeometry same = ConvGeometry.same(1, 5, 5, 1, 3, 3, 1);
    assertThat(same.outHeight()).isEqualTo(5);
    assertThat(same.outWidth()).isEqualTo(5);
    assertThat(same.padTop()).isEqualTo(1);
    assertThat(same.padLeft()).isEqualTo(1);
    assertThat(same.padBottom()).isEqualTo(1);
    assertThat(same).isEqualTo(ConvGeometry.explicit(1, 5, 5, 1, 3, 3, 1, 1));
    assertThat(ConvGeometry.outputSize(5, 3, 1, 0)).isEqualTo(3);
    assertThat(ConvGeometry.outputSize(5, 3, 1, 2)).isEqualTo(5);
  }

  @Test
  void sizes() {
    ConvGeometry g = ConvGeometry.same(6, 14, 14, 16, 5, 5, 1);
    assertThat(g.patchSize()).isEqualTo(150);
    assertThat(g.outPixels()).isEqualTo(196);
    assertThat(g.inputSize()).isEqualTo(6 * 196);
    assertThat(g.outputSize()).isEqualTo(16 * 196);
    assertThat(g.weightSize()).isEqualTo(16 * 150);
    assertThat(g.colsSize()).isEqualTo(150 * 196);
    assertThat(g.isPointwise()).isFalse();
    assertThat(ConvGeometry.valid(3, 4, 4, 2, 1, 1, 1).isPointwise()).isTrue();
  }

  @Test
  void sameIsTensorFlowStyle() {
    // stride 2 over 28 with a 5x5 kernel: out 14, padTotal = 13·2 + 5 − 28 = 3, top 1, bottom 2
    ConvGeometry g = ConvGeometry.same(1, 28, 27, 1, 5, 4, 2);
    assertThat(g.outHeight()).isEqualTo(14);
    assertThat(g.padTop()).isEqualTo(1);
    assertThat(g.padBottom()).isEqualTo(2);
    // width 27, kernel 4: out 14, padTotal = 13·2 + 4 − 27 = 3
    assertThat(g.outWidth()).isEqualTo(14);
    assertThat(g.padLeft()).isEqualTo(1);
    assertThat(g.padRight()).isEqualTo(2);
    // a 1x1 stride-2 SAME conv needs no padding: padTotal = max(3·2 + 1 − 7, 0) = 0
    assertThat(ConvGeometry.samePadTotal(7, 1, 2)).isEqualTo(0);
    assertThat(ConvGeometry.sameOutputSize(7, 2)).isEqualTo(4);
    // even kernel, stride 1: the extra row goes to the bottom
    ConvGeometry even = ConvGeometry.same(1, 6, 6, 1, 2, 2, 1);
    assertThat(even.padTop()).isEqualTo(0);
    assertThat(even.padBottom()).isEqualTo(1);
  }

  @Test
  void explicitFloorsLikePyTorch() {
    // (7 + 2·1 − 3)/2 + 1 = 4; the last window ends at row 6 + 1 pad... implied bottom pad 1
    ConvGeometry g = ConvGeometry.explicit(1, 7, 8, 1, 3, 3, 2, 1);
    assertThat(g.outHeight()).isEqualTo(4);
    assertThat(g.outWidth()).isEqualTo(4); // (8 + 2 − 3)/2 + 1 = 4: the last column is never read
    assertThat(g.padRight()).isEqualTo(0);
    assertThat(ConvGeometry.valid(1, 8, 8, 1, 3, 3, 2).padBottom()).isEqualTo(-1);
  }

  @Test
  void asymmetricPaddingIsAccepted() {
    // one extra zero row at the bottom only: TF SAME with an even kernel, or an explicit asymmetric pad
    ConvGeometry g = new ConvGeometry(1, 5, 5, 1, 3, 3, 1, 0, 0, 4, 3);
    assertThat(g.padBottom()).isEqualTo(1);
    assertThat(g.padRight()).isEqualTo(0);
  }

  @Test
  void validationMessages() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConvGeometry.valid(0, 5, 5, 1, 3, 3, 1)))
        .hasMessageThat().isEqualTo("channels must be positive but was 0");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConvGeometry.valid(1, 5, 5, 1, 3, 3, 0)))
        .hasMessageThat().isEqualTo("stride must be positive but was 0");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConvGeometry.valid(1, 2, 5, 1, 3, 3, 1)))
        .hasMessageThat().contains("kernel 3 is larger than the padded input 2 + 0");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConvGeometry.explicit(1, 5, 5, 1, 3, 3, 1, 3)))
        .hasMessageThat().contains("padTop must be in [0, kernelHeight = 3) but was 3");
    assertThat(assertThrows(IllegalArgumentException.class,
            () -> new ConvGeometry(1, 5, 5, 1, 3, 3, 1, 0, 0, 6, 3)))
        .hasMessageThat().isEqualTo("outHeight = 6 is inconsistent with height = 5, kernelHeight = 3, stride = 1, "
            + "padTop = 0: it implies padBottom = 3, which must be in (-stride, kernelHeight); expected outHeight in [3, 5]");
    assertThat(assertThrows(IllegalArgumentException.class,
            () -> new ConvGeometry(1, 5, 5, 1, 3, 3, 1, 0, 0, 3, 2)))
        .hasMessageThat().contains("outWidth = 2 is inconsistent");
    assertThat(assertThrows(IllegalArgumentException.class,
            () -> new ConvGeometry(1, 5, 5, 1, 3, 3, 1, 0, 0, 3, 6)))
        .hasMessageThat().contains("padRight = 3");
    assertThat(assertThrows(IllegalArgumentException.class,
            () -> ConvGeometry.valid(500_000, 100, 100, 1, 1, 1, 1)))
        .hasMessageThat().contains("inputSize = 5000000000");
  }

  @Test
  void perAxisStrideAndDilation() {
    // PyTorch: Conv2d(1, 1, 3, stride=(1, 3), padding=(0, 1), dilation=2) over 9×11 gives 5×3
    ConvGeometry g = ConvGeometry.explicit(1, 9, 11, 1, 3, 3, new ConvGeometry.Steps(1, 3, 2, 2), 0, 1);
    assertThat(g.outHeight()).isEqualTo(5);
    assertThat(g.outWidth()).isEqualTo(3);
    assertThat(g.padBottom()).isEqualTo(0);
    assertThat(g.padRight()).isEqualTo(-1); // floor rounding: the last column is in no window
    assertThat(g.isPointwise()).isFalse();
    assertThat(assertThrows(IllegalArgumentException.class, () -> new ConvGeometry.Steps(1, 1, 0, 1)))
        .hasMessageThat().isEqualTo("dilationHeight must be positive but was 0");
    assertThat(assertThrows(IllegalArgumentException.class, () -> new ConvGeometry.Steps(1, 0, 1, 1)))
        .hasMessageThat().isEqualTo("strideWidth must be positive but was 0");
    // a dilated 3-wide window spans 5: padding 5 would leave a window entirely in the zeros
    assertThat(assertThrows(IllegalArgumentException.class,
            () -> ConvGeometry.explicit(1, 9, 9, 1, 3, 3, new ConvGeometry.Steps(1, 1, 2, 2), 5, 0)))
        .hasMessageThat().contains("padTop must be in [0, (kernelHeight − 1)·dilationHeight + 1 = 5) but was 5");
    assertThat(assertThrows(IllegalArgumentException.class,
            () -> ConvGeometry.explicit(1, 4, 9, 1, 3, 3, new ConvGeometry.Steps(1, 1, 2, 1), 0, 0)))
        .hasMessageThat().contains("kernel 5 is larger than the padded input 4 + 0");
  }
}
