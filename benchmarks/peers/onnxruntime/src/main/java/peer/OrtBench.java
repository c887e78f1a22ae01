package peer;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The ONNX Runtime peer of {@code ./bench models}: runs the {@code .onnx} files Kiln exported, on the
 * inputs Kiln wrote beside them, and prints one JSON line per (model, threads), threads outer and
 * models inner as the other peers. Each line holds the mean ms of a run at the model's maximum batch
 * and the p50 and p99 of single-sample runs, timed as a JVM application calls ONNX Runtime: a call
 * wraps the Java input arrays into tensors, runs the session and copies the first output into a
 * {@code float[]}, as Kiln's {@code predict} takes arrays and returns a new one.
 *
 * <pre>java peer.OrtBench --dir DIR [--threads 1,2] [--secs 3] [--min-calls 1000] NAME...</pre>
 *
 * DIR holds, per model NAME, {@code NAME.onnx} and {@code NAME.properties} (the input spec:
 * {@code inputs}, per input {@code .type} float32|int32, {@code .shape} at the maximum batch and
 * {@code .file}, little-endian values; {@code output.file}, Kiln's predict of that batch).
 * The first sample of the batch is the single-sample input.
 */
public final class OrtBench {
  static final String VERSION = "1.22.0";

  private OrtBench() {}

  record Input(String name, long[] shape, float[] floats, int[] ints) {
    long[] oneShape() {
      long[] s = shape.clone();
      s[0] = 1;
      return s;
    }

    int length(long[] s) {
      return (int) Arrays.stream(s).reduce(1, (a, b) -> a * b);
    }
  }

  record Spec(String model, int batch, List<Input> inputs, float[] expected) {}

  public static void main(String[] args) throws Exception {
    Path dir = null;
    int[] threads = {1, 2};
    double secs = 3;
    int minCalls = 1000;
    List<String> models = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dir" -> dir = Path.of(args[++i]);
        case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--secs" -> secs = Double.parseDouble(args[++i]);
        case "--min-calls" -> minCalls = Integer.parseInt(args[++i]);
        default -> models.add(args[i]);
      }
    }
    if (dir == null || models.isEmpty()) {
      System.err.println("usage: OrtBench --dir DIR [--threads 1,2] [--secs S] [--min-calls N] NAME...");
      System.exit(2);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    System.out.println("{\"peer\": \"onnxruntime-" + VERSION + "\", \"ort_version\": \"" + env.getVersion()
        + "\", \"providers\": \"" + OrtEnvironment.getAvailableProviders() + "\", \"graph_optimization\": \"ALL_OPT\","
        + " \"execution_mode\": \"SEQUENTIAL\", \"inter_op_threads\": 1, \"intra_op_threads\": \""
        + Arrays.toString(threads) + "\"}");
    System.out.flush();
    Map<String, Spec> specs = new LinkedHashMap<>();
    for (String m : models) {
      specs.put(m, readSpec(dir, m));
    }
    for (int t : threads) { // as torch_bench: threads outer, models inner
      for (Spec spec : specs.values()) {
        System.out.println(measure(env, dir.resolve(spec.model() + ".onnx"), spec, t, secs, minCalls));
        System.out.flush();
      }
    }
  }

  /** ONNX Runtime's best CPU configuration for {@code threads} cores of a single stream of requests. */
  static SessionOptions options(int threads) throws OrtException {
    SessionOptions o = new SessionOptions();
    o.setIntraOpNumThreads(threads);
    o.setInterOpNumThreads(1);
    o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    o.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
    return o;
  }

  static String measure(OrtEnvironment env, Path onnx, Spec spec, int threads, double secs, int minCalls)
      throws OrtException {
    try (SessionOptions options = options(threads);
        OrtSession session = env.createSession(onnx.toString(), options)) {
      List<String> names = inputNames(session, spec);
      Map<String, OnnxJavaType> types = new LinkedHashMap<>();
      for (var e : session.getInputInfo().entrySet()) {
        NodeInfo info = e.getValue();
        types.put(e.getKey(), ((TensorInfo) info.getInfo()).type);
      }
      Call batch = new Call(env, session, spec.inputs(), names, types, false);
      Call one = new Call(env, session, spec.inputs(), names, types, true);
      float[] out = batch.run();
      double diff = maxAbsDiff(spec, out);
      // warm-up as the other peers: at least 5 calls, then a quarter of the loop's time
      double batchMs = loopMeanMs(batch, 5, secs / 4, secs / 2);
      double[] oneMs = latencies(one, minCalls, secs / 4, secs / 2);
      return String.format(Locale.ROOT,
          "{\"model\": \"%s\", \"threads\": %d, \"batch\": %d, \"predict_batch_ms\": %.4f,"
              + " \"predict_one_p50_ms\": %.4f, \"predict_one_p99_ms\": %.4f, \"one_calls\": %d,"
              + " \"max_abs_diff\": %.3g, \"peer\": \"onnxruntime-%s\"}",
          spec.model(), threads, spec.batch(), batchMs, percentile(oneMs, 0.50), percentile(oneMs, 0.99),
          oneMs.length, diff, VERSION);
    }
  }

  /** The session's input names in the spec's order: by name, or by position when the names differ. */
  static List<String> inputNames(OrtSession session, Spec spec) {
    List<String> onnx = new ArrayList<>(session.getInputNames());
    List<String> names = spec.inputs().stream().map(Input::name).toList();
    if (onnx.containsAll(names)) {
      return names;
    }
    if (onnx.size() != names.size()) {
      throw new IllegalStateException(spec.model() + ".onnx has inputs " + onnx + " but the spec gives " + names);
    }
    System.err.println("note: " + spec.model() + ".onnx inputs " + onnx + " matched by position to " + names);
    return onnx;
  }

  /** One predict-like call: Java arrays in, a new float[] out. */
  static final class Call {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<Input> inputs;
    private final List<String> names;
    private final List<Object> buffers = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();
    private final List<OnnxJavaType> types = new ArrayList<>();

    Call(OrtEnvironment env, OrtSession session, List<Input> inputs, List<String> names,
        Map<String, OnnxJavaType> types, boolean oneSample) {
      this.env = env;
      this.session = session;
      this.inputs = inputs;
      this.names = names;
      for (int i = 0; i < inputs.size(); i++) {
        Input in = inputs.get(i);
        long[] shape = oneSample ? in.oneShape() : in.shape();
        int n = in.length(shape);
        OnnxJavaType type = types.get(names.get(i));
        shapes.add(shape);
        this.types.add(type);
        // int64 ids are converted once, outside the timed calls, as an application would hold them
        buffers.add(switch (type) {
          case FLOAT -> Arrays.copyOf(in.floats(), n);
          case INT32 -> Arrays.copyOf(in.ints(), n);
          case INT64 -> Arrays.stream(in.ints(), 0, n).asLongStream().toArray();
          default -> throw new IllegalStateException("input " + names.get(i) + " has type " + type
              + "; expected float, int32 or int64");
        });
      }
    }

    float[] run() throws OrtException {
      Map<String, OnnxTensor> feed = new LinkedHashMap<>();
      try {
        for (int i = 0; i < inputs.size(); i++) {
          feed.put(names.get(i), tensor(buffers.get(i), shapes.get(i)));
        }
        try (OrtSession.Result r = session.run(feed)) {
          FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
          if (fb.hasArray() && fb.arrayOffset() == 0 && fb.array().length == fb.remaining()) {
            return fb.array();
          }
          float[] a = new float[fb.remaining()];
          fb.get(a);
          return a;
        }
      } finally {
        feed.values().forEach(OnnxTensor::close);
      }
    }

    private OnnxTensor tensor(Object data, long[] shape) throws OrtException {
      return switch (data) {
        case float[] f -> OnnxTensor.createTensor(env, FloatBuffer.wrap(f), shape);
        case int[] i -> OnnxTensor.createTensor(env, IntBuffer.wrap(i), shape);
        case long[] l -> OnnxTensor.createTensor(env, LongBuffer.wrap(l), shape);
        default -> throw new IllegalStateException("unexpected buffer " + data);
      };
    }
  }

  /** The largest |ORT − Kiln| over the batch's outputs: the same model must give the same probabilities. */
  static double maxAbsDiff(Spec spec, float[] out) {
    if (out.length != spec.expected().length) {
      throw new IllegalStateException(spec.model() + ".onnx gives " + out.length + " outputs at batch " + spec.batch()
          + " but Kiln's predict gave " + spec.expected().length);
    }
    double d = 0;
    for (int i = 0; i < out.length; i++) {
      d = Math.max(d, Math.abs(out[i] - spec.expected()[i]));
    }
    return d;
  }

  // The timing loops and the percentile below are io.kiln.bench's (ModelBench.loopMeanMs,
  // Timing.latenciesMs, Timing.percentile), copied on purpose: both sides must time alike, and this
  // peer builds alone, with ONNX Runtime on its classpath and no Kiln module on it.

  /** torch_bench's statistic: warm up, then the mean ms over a loop of {@code secs}. */
  static double loopMeanMs(Call op, int warmupCalls, double warmupSecs, double secs) throws OrtException {
    long w0 = System.nanoTime();
    for (int i = 0; i < warmupCalls || System.nanoTime() - w0 < warmupSecs * 1e9; i++) {
      op.run();
    }
    int n = 0;
    long t0 = System.nanoTime();
    while (System.nanoTime() - t0 < secs * 1e9) {
      op.run();
      n++;
    }
    return (System.nanoTime() - t0) / 1e6 / n;
  }

  /** Per-call ms of at least {@code minCalls} calls and {@code secs}, after warming up. */
  static double[] latencies(Call op, int minCalls, double warmupSecs, double secs) throws OrtException {
    long w0 = System.nanoTime();
    for (int i = 0; i < 100 || System.nanoTime() - w0 < warmupSecs * 1e9; i++) {
      op.run();
    }
    double[] ms = new double[Math.max(minCalls, 1024)];
    int n = 0;
    long t0 = System.nanoTime();
    while (n < minCalls || (System.nanoTime() - t0 < secs * 1e9 && n < 1_000_000)) {
      long s = System.nanoTime();
      op.run();
      long e = System.nanoTime();
      if (n == ms.length) {
        ms = Arrays.copyOf(ms, 2 * n);
      }
      ms[n++] = (e - s) / 1e6;
    }
    return Arrays.copyOf(ms, n);
  }

  /** The nearest-rank percentile: the smallest value with at least {@code p} of the values at or below it. */
  static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  static Spec readSpec(Path dir, String model) throws IOException {
    Path file = dir.resolve(model + ".properties");
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    int batch = Integer.parseInt(require(p, file, "batch"));
    List<Input> inputs = new ArrayList<>();
    for (String name : require(p, file, "inputs").split(",")) {
      long[] shape = Arrays.stream(require(p, file, name + ".shape").split(",")).mapToLong(Long::parseLong).toArray();
      boolean isFloat = switch (require(p, file, name + ".type")) {
        case "float32" -> true;
        case "int32" -> false;
        default -> throw new IllegalStateException(file + ": " + name + ".type must be float32 or int32");
      };
      ByteBuffer data = read(dir.resolve(require(p, file, name + ".file")));
      inputs.add(isFloat ? new Input(name, shape, floats(data), null) : new Input(name, shape, null, ints(data)));
    }
    float[] expected = floats(read(dir.resolve(require(p, file, "output.file"))));
    return new Spec(model, batch, inputs, expected);
  }

  private static String require(Properties p, Path file, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalStateException(file + " has no " + key);
    }
    return v.strip();
  }

  private static ByteBuffer read(Path file) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static float[] floats(ByteBuffer b) {
    float[] a = new float[b.remaining() / 4];
    b.asFloatBuffer().get(a);
    return a;
  }

  private static int[] ints(ByteBuffer b) {
    int[] a = new int[b.remaining() / 4];
    b.asIntBuffer().get(a);
    return a;
  }
}
