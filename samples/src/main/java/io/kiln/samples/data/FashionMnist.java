package io.kiln.samples.data;

import io.kiln.runtime.data.DataFormatException;
import io.kiln.runtime.data.Dataset;
import io.kiln.runtime.data.Idx;
import io.kiln.runtime.data.IdxImages;
import io.kiln.samples.cli.InputFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017, Zalando Research): 28×28 grey-scale images of
 * clothing in ten classes, 60,000 for training and 10,000 for testing, in the IDX format.
 *
 * <p>{@link #load} looks for the data in this order:
 *
 * <ol>
 *   <li>the directory given with {@code --data DIR}: the four files
 *       {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 *       {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each plain or gzipped
 *       (with or without {@code .gz});
 *   <li>{@value #DEBIAN_DIR}, where Debian's {@code dataset-fashion-mnist} package installs it;
 *   <li>the subset embedded in this jar: the first {@value #SUBSET_TRAIN_PER_CLASS} training and
 *       first {@value #SUBSET_TEST_PER_CLASS} test images of each class (5,000 and 1,000 images),
 *       in their original order, made by {@code MakeFashionMnistSubset} (see docs/data.md).
 * </ol>
 */
public final class FashionMnist {
  /** The class names, indexed by label. */
  public static final List<String> CLASS_NAMES = List.of(
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
  /** The number of classes. */
  public static final int CLASSES = 10;
  /** Image height and width. */
  public static final int SIDE = 28;
  /** Where Debian's {@code dataset-fashion-mnist} package installs the data. */
  public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
  /** Training images per class in the embedded subset. */
  public static final int SUBSET_TRAIN_PER_CLASS = 500;
  /** Test images per class in the embedded subset. */
  public static final int SUBSET_TEST_PER_CLASS = 100;

  /** File names of the four IDX files, without {@code .gz}. */
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  /** Where the data came from. */
  public enum Source {
    /** The directory given with {@code --data}. */
    DATA_DIR,
    /** Debian's {@code dataset-fashion-mnist} package. */
    DEBIAN_PACKAGE,
    /** The subset shipped in this jar. */
    EMBEDDED_SUBSET
  }

  /**
   * The training and test splits.
   *
   * @param train training images and labels
   * @param test test images and labels
   * @param source where they came from
   * @param description a human-readable account of the source, e.g. the directory
   */
  public record Splits(Dataset train, Dataset test, Source source, String description) {
    /** The samples' default training length: 5 epochs of the embedded subset, 10 of a full set. */
    public int defaultEpochs() {
      return source == Source.EMBEDDED_SUBSET ? 5 : 10;
    }
  }

  private FashionMnist() {}

  /**
   * Loads Fashion-MNIST from {@code dataDir} if given, else from {@value #DEBIAN_DIR} if it holds
   * the four files, else the embedded subset, and logs one line to {@code log} saying which and
   * how many images.
   *
   * @throws io.kiln.samples.cli.InputException if {@code dataDir} is given but is not a directory
   * @throws NoSuchFileException if {@code dataDir} is given but lacks a file (naming every missing one)
   * @throws io.kiln.runtime.data.DataFormatException if a file is malformed (naming it)
   * @throws IOException if a file cannot be read
   */
  public static Splits load(Optional<Path> dataDir, PrintStream log) throws IOException {
    Splits s;
    if (dataDir.isPresent()) {
      InputFiles.directory(dataDir.get(), "--data", "a directory holding the four Fashion-MNIST IDX files");
      s = loadDirectory(dataDir.get(), Source.DATA_DIR);
    } else if (hasAllFiles(Path.of(DEBIAN_DIR))) {
      s = loadDirectory(Path.of(DEBIAN_DIR), Source.DEBIAN_PACKAGE);
    } else {
      s = loadEmbedded();
    }
    log.println(summary(s));
    return s;
  }

  /**
   * Loads the four IDX files from {@code dir}.
   *
   * @throws NoSuchFileException naming every missing file
   */
  public static Splits loadDirectory(Path dir, Source source) throws IOException {
    List<String> missing = new ArrayList<>();
    Path trainImages = find(dir, TRAIN_IMAGES, missing);
    Path trainLabels = find(dir, TRAIN_LABELS, missing);
    Path testImages = find(dir, TEST_IMAGES, missing);
    Path testLabels = find(dir, TEST_LABELS, missing);
    if (!missing.isEmpty()) {
      throw new NoSuchFileException(dir.toString(), null, "Fashion-MNIST directory lacks " + String.join(", ", missing)
          + " (each file may be plain or gzipped, with or without .gz)");
    }
    Dataset train = checked(Idx.load(trainImages, trainLabels), trainImages, trainLabels);
    Dataset test = checked(Idx.load(testImages, testLabels), testImages, testLabels);
    String what = source == Source.DEBIAN_PACKAGE ? "Debian package dataset-fashion-mnist (" + dir + ")" : dir.toString();
    return new Splits(train, test, source, what);
  }

  /**
   * A well-formed IDX pair can still be the wrong data (another data set's images, labels beyond the
   * ten classes): the models would fail on it mid-training with an index error.
   */
  private static Dataset checked(Dataset d, Path images, Path labels) throws DataFormatException {
    if (d.size() == 0) {
      throw new DataFormatException(images.toString(), "holds no images");
    }
    if (d.rows() != SIDE || d.cols() != SIDE) {
      throw new DataFormatException(images.toString(), "holds " + d.rows() + "×" + d.cols() + " images; Fashion-MNIST's are "
          + SIDE + "×" + SIDE);
    }
    for (int i = 0; i < d.size(); i++) {
      if (d.label(i) < 0 || d.label(i) >= CLASSES) {
        throw new DataFormatException(labels.toString(), "label " + d.label(i) + " of image " + i + " is not a class 0.."
            + (CLASSES - 1));
      }
    }
    return d;
  }

  /** Loads the subset embedded in this jar. */
  public static Splits loadEmbedded() throws IOException {
    Dataset train = resource(TRAIN_IMAGES, TRAIN_LABELS);
    Dataset test = resource(TEST_IMAGES, TEST_LABELS);
    return new Splits(train, test, Source.EMBEDDED_SUBSET, "embedded subset (pass --data DIR or install the Debian "
        + "package dataset-fashion-mnist for all 70,000 images)");
  }

  /** The name of class {@code label}, e.g. {@code "Ankle boot"} for 9. */
  public static String className(int label) {
    return CLASS_NAMES.get(label);
  }

  /**
   * The directory of a {@code --data DIR} or {@code --data=DIR} argument, if any.
   *
   * @throws IllegalArgumentException if {@code --data} is the last argument
   */
  public static Optional<Path> dataOption(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--data")) {
        if (i + 1 == args.length) {
          throw new IllegalArgumentException("--data needs a directory: --data DIR");
        }
        return Optional.of(Path.of(args[i + 1]));
      }
      if (args[i].startsWith("--data=")) {
        return Optional.of(Path.of(args[i].substring("--data=".length())));
      }
    }
    return Optional.empty();
  }

  /** The line {@link #load} logs. */
  static String summary(Splits s) {
    return String.format(Locale.ROOT, "Fashion-MNIST: %,d training and %,d test images (%dx%d) from the %s",
        s.train().size(), s.test().size(), s.train().rows(), s.train().cols(), s.description());
  }

  private static boolean hasAllFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    List<String> missing = new ArrayList<>();
    for (String name : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
      find(dir, name, missing);
    }
    return missing.isEmpty();
  }

  private static Path find(Path dir, String name, List<String> missing) {
    for (String candidate : List.of(name, name + ".gz")) {
      Path p = dir.resolve(candidate);
      if (Files.isRegularFile(p) && Files.isReadable(p)) {
        return p;
      }
    }
    missing.add(name + "[.gz]");
    return null;
  }

  private static Dataset resource(String images, String labels) throws IOException {
    String imagesName = "classpath:" + FashionMnist.class.getPackageName().replace('.', '/') + "/" + images + ".gz";
    String labelsName = "classpath:" + FashionMnist.class.getPackageName().replace('.', '/') + "/" + labels + ".gz";
    IdxImages img;
    try (InputStream in = open(images + ".gz", imagesName)) {
      img = Idx.readImages(in, imagesName);
    }
    int[] lab;
    try (InputStream in = open(labels + ".gz", labelsName)) {
      lab = Idx.readLabels(in, labelsName);
    }
    return Idx.combine(img, imagesName, lab, labelsName);
  }

  private static InputStream open(String resource, String name) throws IOException {
    InputStream in = FashionMnist.class.getResourceAsStream(resource);
    if (in == null) {
      throw new NoSuchFileException(name, null, "the embedded Fashion-MNIST subset is missing from the class path");
    }
    return in;
  }
}
