package io.kiln.samples.data;

import io.kiln.runtime.data.Dataset;
import io.kiln.runtime.data.Idx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cuts the embedded Fashion-MNIST subset from the full data set: the first
 * {@link FashionMnist#SUBSET_TRAIN_PER_CLASS} training and {@link FashionMnist#SUBSET_TEST_PER_CLASS}
 * test images of each class, in their original order, written as gzipped IDX files (deflate
 * level 9, no time stamp: the same input gives the same bytes).
 *
 * <pre>
 * ./mvnw -q -B -pl samples test-compile
 * java -cp "samples/target/test-classes:samples/target/classes:runtime/target/classes" \
 *     io.kiln.samples.data.MakeFashionMnistSubset [SOURCE_DIR [OUTPUT_DIR]]
 * </pre>
 *
 * SOURCE_DIR defaults to {@value FashionMnist#DEBIAN_DIR}; OUTPUT_DIR to
 * {@code samples/src/main/resources/io/kiln/samples/data}.
 */
public final class MakeFashionMnistSubset {
  private MakeFashionMnistSubset() {}

  public static void main(String[] args) throws IOException {
    Path source = Path.of(args.length > 0 ? args[0] : FashionMnist.DEBIAN_DIR);
    Path out = Path.of(args.length > 1 ? args[1] : "samples/src/main/resources/io/kiln/samples/data");
    FashionMnist.Splits full = FashionMnist.loadDirectory(source, FashionMnist.Source.DATA_DIR);
    write(subset(full.train(), FashionMnist.SUBSET_TRAIN_PER_CLASS), out, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS);
    write(subset(full.test(), FashionMnist.SUBSET_TEST_PER_CLASS), out, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS);
  }

  /** The first {@code perClass} examples of each class, in their original order. */
  static Dataset subset(Dataset full, int perClass) {
    return full.select(balancedPrefix(full.labels(), perClass, FashionMnist.CLASSES));
  }

  /** Indices of the first {@code perClass} examples of each of {@code classes} labels, ascending. */
  static int[] balancedPrefix(int[] labels, int perClass, int classes) {
    int[] taken = new int[classes];
    int[] picked = new int[perClass * classes];
    int n = 0;
    for (int i = 0; i < labels.length && n < picked.length; i++) {
      int c = labels[i];
      if (c >= 0 && c < classes && taken[c] < perClass) {
        taken[c]++;
        picked[n++] = i;
      }
    }
    if (n < picked.length) {
      throw new IllegalArgumentException("not enough examples for " + perClass + " of each class");
    }
    return picked;
  }

  private static void write(Dataset d, Path dir, String images, String labels) throws IOException {
    Path fi = dir.resolve(images + ".gz");
    Path fl = dir.resolve(labels + ".gz");
    Idx.writeImages(fi, d.images(), true);
    Idx.writeLabels(fl, d.labels(), true);
    System.out.printf("%s: %d images, %d bytes; %s: %d bytes%n", fi, d.size(), Files.size(fi), fl, Files.size(fl));
  }
}
