package io.kiln.tests.compile;

import io.kiln.dsl.Tensor;
import io.kiln.runtime.train.Sgd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.JavaFileObject;

/**
 * Loads the classes one javac run wrote and drives a generated model the way a user would: {@code
 * create}, {@code forward} on a small batch of finite inputs sized from the class's own shape
 * constants, then one {@code trainStep} with labels sized from the output. A model the processor
 * accepted must survive this; whatever it throws is returned as the failure.
 */
final class GeneratedModelRun {
  private GeneratedModelRun() {}

  /** A class loader over the {@code .class} files of one compilation, delegating the rest to the test's loader. */
  static ClassLoader loaderOf(Iterable<JavaFileObject> generatedFiles) {
    Map<String, byte[]> classes = new HashMap<>();
    for (JavaFileObject f : generatedFiles) {
      if (f.getKind() == JavaFileObject.Kind.CLASS) {
        String path = f.toUri().getPath();
        String binary = path.substring(path.indexOf("CLASS_OUTPUT/") + "CLASS_OUTPUT/".length(), path.length() - ".class".length())
            .replace('/', '.');
        try (var in = f.openInputStream()) {
          classes.put(binary, in.readAllBytes());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return new ClassLoader(GeneratedModelRun.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
      }
    };
  }

  /** Null when the model created, ran forward and took a training step; else what went wrong. */
  static String failure(Class<?> model) {
    try {
      run(model);
      return null;
    } catch (InvocationTargetException e) {
      return describe(e.getCause());
    } catch (Throwable e) {
      return describe(e);
    }
  }

  private static String describe(Throwable t) {
    StackTraceElement[] trace = t.getStackTrace();
    return t + (trace.length > 0 ? " at " + trace[0] : "");
  }

  private static void run(Class<?> model) throws ReflectiveOperationException {
    Object instance = model.getMethod("create", long.class).invoke(null, 7L);
    Class<?> inputType = nested(model, "Input");
    int batch = Math.min(2, intConstant(model, "MAX_BATCH", 2));
    int steps = 2;
    for (Field f : model.getDeclaredFields()) {
      if (f.getName().startsWith("MAX_STEPS_") && Modifier.isStatic(f.getModifiers())) {
        f.setAccessible(true);
        steps = Math.min(steps, f.getInt(null));
      }
    }
    Map<String, Object> values = new HashMap<>();
    List<Object> inputArgs = new ArrayList<>();
    RecordComponent[] inputs = inputType.getRecordComponents();
    for (RecordComponent c : inputs) {
      inputArgs.add(inputValue(model, c, batch, steps));
    }
    for (int i = 0; i < inputs.length; i++) {
      if (inputArgs.get(i) == null) {
        probeSeries(instance, model, inputType, inputArgs, i, batch, steps);
      }
      values.put(inputs[i].getName(), inputArgs.get(i));
    }
    Object input = canonical(inputType).newInstance(inputArgs.toArray());
    Tensor out = (Tensor) model.getMethod("forward", inputType).invoke(instance, input);
    for (float v : out.toArray()) {
      if (!Float.isFinite(v)) {
        throw new AssertionError("forward gave a non-finite output " + v + " for finite inputs");
      }
    }
    if (!java.util.Arrays.stream(model.getDeclaredClasses()).anyMatch(c -> c.getSimpleName().equals("Batch"))) {
      return; // no @Loss: an inference-only model
    }
    int[] shape = out.shape();
    Class<?> batchType = nested(model, "Batch");
    List<Object> batchArgs = new ArrayList<>();
    for (RecordComponent c : batchType.getRecordComponents()) {
      Object value = values.get(c.getName());
      if (value == null) {
        value = c.getType() == float[].class ? new float[out.size()] : new int[out.size() / shape[shape.length - 1]];
      }
      batchArgs.add(value);
    }
    Object labeled = canonical(batchType).newInstance(batchArgs.toArray());
    float loss = (float) model.getMethod("trainStep", batchType, io.kiln.runtime.train.Optimizer.class).invoke(instance, labeled, new Sgd(0.01f));
    if (!Float.isFinite(loss)) {
      throw new AssertionError("trainStep gave a non-finite loss " + loss + " for finite inputs");
    }
  }

  private static Object inputValue(Class<?> model, RecordComponent c, int batch, int steps) throws ReflectiveOperationException {
    if (c.getType() == int.class) {
      return steps;
    }
    // The generated class renames an input that clashes with its own names (batch → batch_); the constant keeps the node's name.
    String constant = upperSnake(c.getName().replaceAll("_+$", ""));
    boolean sequence = hasField(model, "MAX_STEPS_" + constant);
    if (c.getType() == int[].class) {
      return new int[batch * steps]; // token id 0 is in every vocabulary
    }
    if (!hasField(model, constant + "_SHAPE")) {
      return null; // a float series: its per-step width is found by probing (see probeSeries)
    }
    int perSample = 1;
    for (int d : (int[]) staticField(model, constant + "_SHAPE")) {
      perSample *= d;
    }
    return floats(batch * perSample * (sequence ? steps : 1));
  }

  private static float[] floats(int length) {
    float[] data = new float[length];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) Math.sin(i * 0.37);
    }
    return data;
  }

  /**
   * A float series has no shape constant (its width is the recurrent layer's): the smallest
   * per-step width the model's own argument checks accept sizes the input.
   */
  private static Object probeSeries(Object instance, Class<?> model, Class<?> inputType, List<Object> args, int series, int batch, int steps)
      throws ReflectiveOperationException {
    for (int width = 1; width <= 4096; width++) {
      args.set(series, floats(batch * steps * width));
      Object input = canonical(inputType).newInstance(args.toArray());
      try {
        model.getMethod("forward", inputType).invoke(instance, input);
        return args.get(series);
      } catch (InvocationTargetException e) {
        if (!(e.getCause() instanceof IllegalArgumentException)) {
          throw e;
        }
      }
    }
    throw new AssertionError("no per-step width up to 4096 accepted by " + model.getName());
  }

  private static String upperSnake(String name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch == '$' || ch == '.') {
        sb.append('_');
        continue;
      }
      if (Character.isUpperCase(ch) && i > 0 && !Character.isUpperCase(name.charAt(i - 1)) && name.charAt(i - 1) != '_') {
        sb.append('_');
      }
      sb.append(Character.toUpperCase(ch));
    }
    return sb.toString();
  }

  private static Class<?> nested(Class<?> model, String simpleName) {
    for (Class<?> c : model.getDeclaredClasses()) {
      if (c.getSimpleName().equals(simpleName)) {
        return c;
      }
    }
    throw new AssertionError(model.getName() + " has no nested " + simpleName);
  }

  private static java.lang.reflect.Constructor<?> canonical(Class<?> record) throws NoSuchMethodException {
    RecordComponent[] components = record.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < types.length; i++) {
      types[i] = components[i].getType();
    }
    return record.getDeclaredConstructor(types);
  }

  private static boolean hasField(Class<?> model, String name) {
    try {
      model.getDeclaredField(name);
      return true;
    } catch (NoSuchFieldException e) {
      return false;
    }
  }

  private static Object staticField(Class<?> model, String name) throws ReflectiveOperationException {
    Field f = model.getDeclaredField(name);
    f.setAccessible(true);
    return f.get(null);
  }

  private static int intConstant(Class<?> model, String name, int otherwise) throws ReflectiveOperationException {
    return hasField(model, name) ? (int) staticField(model, name) : otherwise;
  }
}
