package io.kiln.samples.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kiln.runtime.data.DataFormatException;
import io.kiln.runtime.data.Dataset;
import io.kiln.runtime.data.Idx;
import io.kiln.runtime.data.IdxImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir Path dir;

  @Test
  void embeddedSubsetHasTheDocumentedSizes() throws IOException {
    FashionMnist.Splits s = FashionMnist.loadEmbedded();
    assertThat(s.source()).isEqualTo(FashionMnist.Source.EMBEDDED_SUBSET);
    check(s.train(), 5000, FashionMnist.SUBSET_TRAIN_PER_CLASS);
    check(s.test(), 1000, FashionMnist.SUBSET_TEST_PER_CLASS);
  }

  private static void check(Dataset d, int size, int perClass) {
    assertThat(d.size()).isEqualTo(size);
    assertThat(d.rows()).isEqualTo(28);
    assertThat(d.cols()).isEqualTo(28);
    assertThat(d.images().pixels()).hasLength(size * 784);
    for (int l : d.labels()) {
      assertThat(l).isAtLeast(0);
      assertThat(l).isLessThan(10);
    }
    int[] expected = new int[10];
    Arrays.fill(expected, perClass);
    assertThat(d.classCounts()).isEqualTo(expected);
    float min = 1;
    float max = 0;
    double sum = 0;
    for (float p : d.images().pixels()) {
      min = Math.min(min, p);
      max = Math.max(max, p);
      sum += p;
    }
    assertThat(min).isEqualTo(0f);
    assertThat(max).isEqualTo(1f);
    assertThat(sum / d.images().pixels().length).isWithin(0.05).of(0.286); // Fashion-MNIST's mean pixel
  }

  @Test
  void embeddedResourcesAreSmall() throws IOException {
    long total = 0;
    for (String name : new String[] {FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, FashionMnist.TEST_IMAGES,
        FashionMnist.TEST_LABELS}) {
      try (InputStream in = FashionMnist.class.getResourceAsStream(name + ".gz")) {
        assertThat(in).isNotNull();
        total += in.readAllBytes().length;
      }
    }
    assertThat(total).isAtMost(3_000_000);
  }

  /** The committed subset is exactly what MakeFashionMnistSubset cuts from the Debian files. */
  @Test
  void embeddedSubsetIsReproducibleFromTheDebianPackage() throws IOException {
    Path debian = Path.of(FashionMnist.DEBIAN_DIR);
    if (!Files.isRegularFile(debian.resolve(FashionMnist.TEST_IMAGES + ".gz"))) {
      return; // dataset-fashion-mnist not installed here
    }
    FashionMnist.Splits embedded = FashionMnist.loadEmbedded();
    Dataset test = Idx.load(debian.resolve(FashionMnist.TEST_IMAGES + ".gz"), debian.resolve(FashionMnist.TEST_LABELS + ".gz"));
    Dataset cut = MakeFashionMnistSubset.subset(test, FashionMnist.SUBSET_TEST_PER_CLASS);
    assertThat(embedded.test().labels()).isEqualTo(cut.labels());
    assertThat(embedded.test().images().pixels()).isEqualTo(cut.images().pixels());
    // the training subset: compare labels (cheap) and the first and last images
    int[] trainLabels = Idx.readLabels(debian.resolve(FashionMnist.TRAIN_LABELS + ".gz"));
    int[] picked = MakeFashionMnistSubset.balancedPrefix(trainLabels, FashionMnist.SUBSET_TRAIN_PER_CLASS, 10);
    int[] expected = Arrays.stream(picked).map(i -> trainLabels[i]).toArray();
    assertThat(embedded.train().labels()).isEqualTo(expected);
  }

  @Test
  void balancedPrefixTakesTheFirstOfEachClassInOrder() {
    int[] labels = {1, 0, 1, 1, 2, 0, 2, 0};
    assertThat(MakeFashionMnistSubset.balancedPrefix(labels, 2, 3)).isEqualTo(new int[] {0, 1, 2, 4, 5, 6});
    assertThrows(IllegalArgumentException.class, () -> MakeFashionMnistSubset.balancedPrefix(labels, 3, 3));
  }

  private static void writeSplit(Path dir, String images, String labels, int n, boolean gz) throws IOException {
    float[] px = new float[n * 28 * 28];
    int[] lab = new int[n];
    for (int i = 0; i < n; i++) {
      lab[i] = i % 10;
      px[i * 784 + i] = 1f;
    }
    Idx.writeImages(dir.resolve(images + (gz ? ".gz" : "")), new IdxImages(n, 28, 28, px), gz);
    Idx.writeLabels(dir.resolve(labels + (gz ? ".gz" : "")), lab, gz);
  }

  @Test
  void loadsADataDirectoryAndLogsIt() throws IOException {
    writeSplit(dir, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, 30, true);
    writeSplit(dir, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS, 20, false);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    FashionMnist.Splits s = FashionMnist.load(Optional.of(dir), new PrintStream(log, true, StandardCharsets.UTF_8));
    assertThat(s.source()).isEqualTo(FashionMnist.Source.DATA_DIR);
    assertThat(s.train().size()).isEqualTo(30);
    assertThat(s.test().size()).isEqualTo(20);
    assertThat(log.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("Fashion-MNIST: 30 training and 20 test images (28x28) from the " + dir);
  }

  @Test
  void defaultSourceIsTheDebianPackageOrTheSubset() throws IOException {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    FashionMnist.Splits s = FashionMnist.load(Optional.empty(), new PrintStream(log, true, StandardCharsets.UTF_8));
    String line = log.toString(StandardCharsets.UTF_8);
    if (Files.isDirectory(Path.of(FashionMnist.DEBIAN_DIR))) {
      assertThat(s.source()).isEqualTo(FashionMnist.Source.DEBIAN_PACKAGE);
      assertThat(line).startsWith("Fashion-MNIST: 60,000 training and 10,000 test images (28x28) from the Debian package");
    } else {
      assertThat(s.source()).isEqualTo(FashionMnist.Source.EMBEDDED_SUBSET);
      assertThat(line).startsWith("Fashion-MNIST: 5,000 training and 1,000 test images (28x28) from the embedded subset");
    }
  }

  @Test
  void aDataDirectoryWithoutTheFilesNamesWhatIsMissing() throws IOException {
    writeSplit(dir, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, 3, false);
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> FashionMnist.load(Optional.of(dir), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    assertThat(e).hasMessageThat().contains(dir.toString());
    assertThat(e).hasMessageThat().contains("t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]");
  }

  @Test
  void aCorruptFileIsNamed() throws IOException {
    writeSplit(dir, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, 3, false);
    writeSplit(dir, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS, 3, false);
    Path bad = dir.resolve(FashionMnist.TEST_LABELS);
    Files.write(bad, Arrays.copyOf(Files.readAllBytes(bad), 9));
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> FashionMnist.load(Optional.of(dir), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    assertThat(e).hasMessageThat().startsWith(bad + ": truncated");
  }

  @Test
  void classNamesAndTheDataOption() {
    assertThat(FashionMnist.CLASS_NAMES).hasSize(10);
    assertThat(FashionMnist.className(0)).isEqualTo("T-shirt/top");
    assertThat(FashionMnist.className(9)).isEqualTo("Ankle boot");
    assertThat(FashionMnist.dataOption(new String[] {"--epochs", "3", "--data", "/d"})).hasValue(Path.of("/d"));
    assertThat(FashionMnist.dataOption(new String[] {"--data=/e"})).hasValue(Path.of("/e"));
    assertThat(FashionMnist.dataOption(new String[] {"--epochs", "3"})).isEmpty();
    assertThrows(IllegalArgumentException.class, () -> FashionMnist.dataOption(new String[] {"--data"}));
  }
}
