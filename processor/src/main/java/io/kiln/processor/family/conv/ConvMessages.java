package io.kiln.processor.family.conv;

import io.kiln.processor.diag.Messages;
import io.kiln.processor.parse.Layer;
import java.util.List;

/**
 * The texts of the convolution family's diagnostics ({@code @Conv}, {@code @Conv1d} and the pools):
 * what is wrong, with the shapes, and a fix. Kept with the family so that a new conv or pool
 * attribute brings its messages along; the shared texts (sizes below 1, too large) stay in
 * {@link Messages}.
 */
final class ConvMessages {
  private ConvMessages() {}

  static String kernelTwice(String node) {
    return node + ": @Conv gives both kernel and kernelHeight/kernelWidth; use kernel = k for a square kernel or the pair for another shape";
  }

  static String kernelMissing(String node) {
    return node + ": @Conv needs a kernel size; add kernel = k (square) or both kernelHeight and kernelWidth";
  }

  static String padNegative(String node, String annotation, int pad) {
    return node + ": " + annotation + "(pad = " + pad + ") must be 0 or more; it is the number of zeros added on each side:"
        + " pad = 1 adds one, or remove pad and padding = EXPLICIT to add none";
  }

  static String padCoversWindow(String node, String annotation, int pad, long span, String axis) {
    return node + ": " + annotation + "(pad = " + pad + ")" + (axis == null ? "" : " along the " + axis) + " is at least the window's span " + span
        + ", so the windows at the edges would see only padding; use pad below " + span
        + " (pad = (kernel − 1) / 2 keeps the size for an odd kernel), or padding = SAME";
  }

  static String padWithoutExplicit(String node, String annotation, int pad, Object padding) {
    return node + ": " + annotation + "(pad = " + pad + ") is only used with padding = EXPLICIT, but padding is " + padding
        + "; add padding = EXPLICIT or remove pad";
  }

  static String needsImage(String node, String annotation, String input, int[] dims) {
    String inShape = Messages.withBatch(dims);
    return node + ": " + annotation + " needs [B, C, H, W] but " + input + " is " + inShape + "; "
        + (dims.length == 2
            ? "give " + input + " a channel axis: [B, 1, " + dims[0] + ", " + dims[1] + "], e.g. @Input(shape = {1, " + dims[0] + ", " + dims[1] + "})"
            : "read an image: an @Input(shape = {C, H, W}) or the output of @Conv or a pooling layer, e.g. @Input(shape = {1, 28, 28})");
  }

  static String poolStrideNegative(String node, String annotation, int stride) {
    return node + ": " + annotation + "(stride = " + stride + ") must be at least 1; leave it out to step by the window size";
  }

  static String kernelLargerThanInput(String node, Layer.Conv conv, String input, String inShape, int paddedH, int paddedW) {
    String dilated = conv.dilationH() == 1 && conv.dilationW() == 1 ? ""
        : " with dilation " + conv.dilationH() + "×" + conv.dilationW() + " spans " + conv.spanH() + "×" + conv.spanW() + " and";
    return node + ": @Conv kernel " + conv.kh() + "×" + conv.kw() + dilated + " is larger than " + input + " " + inShape + " padded to "
        + paddedH + "×" + paddedW + " (padding " + conv.padding() + "); use a smaller kernel" + (dilated.isEmpty() ? "" : " or dilation")
        + " or padding = SAME";
  }

  static String poolTooLarge(String node, Layer.Pool pool, String input, String inShape) {
    String size = pool.axes() == 1 || pool.size().size() == 1 ? String.valueOf(pool.sizeW()) : "{" + pool.sizeH() + ", " + pool.sizeW() + "}";
    return node + ": " + pool.annotation() + "(size = " + size + ") window is larger than " + input + " " + inShape
        + ", so the output would be empty; use a smaller size or pool earlier";
  }

  /** A per-axis attribute with no value or more values than the layer has axes. */
  static String axisCount(String node, String annotation, String attribute, List<Integer> values, int min) {
    int example = Math.max(min, 1);
    return node + ": " + annotation + "(" + attribute + " = " + values.toString().replace('[', '{').replace(']', '}') + ") gives " + values.size()
        + " values for 2 axes; give one for both (" + attribute + " = " + example + ") or one per axis, height then width ("
        + attribute + " = {" + example + ", " + example + "})";
  }

  static String channelsLastHint(int[] dims) {
    return "; if it is a " + dims[0] + "×" + dims[1] + " image with " + dims[2] + " channels, Kiln is channels-first:"
        + " shape = {" + dims[2] + ", " + dims[0] + ", " + dims[1] + "}";
  }

  /** A 1-D layer ({@code @Conv1d}, {@code @MaxPool1d}, {@code @AvgPool1d}) that does not read {@code [B, C, T]}. */
  static String needsSeries(String node, String annotation, String input, String inShape, int[] dims, boolean sequence) {
    String fix = sequence ? "a sequence's T varies, but " + annotation + " reads a fixed length, channels first: a series @Input(shape = {C, T})"
        : dims.length == 1 ? "give " + input + " a channel axis: [B, 1, " + dims[0] + "], e.g. @Input(shape = {1, " + dims[0] + "})"
        : dims.length == 3 ? "for an image use " + annotation.replace("1d", "") + ", or read a series, e.g. @Input(shape = {" + dims[0] + ", " + dims[1] * dims[2] + "})"
        : "read a series: an @Input(shape = {C, T}) or the output of @Conv1d or a 1-D pooling layer, e.g. @Input(shape = {1, 100})";
    return node + ": " + annotation + " needs [B, C, T] but " + input + " is " + inShape + "; " + fix;
  }

  static String needsPlane(String node, String input, int[] dims) {
    return node + ": @GlobalAvgPool needs [B, C, T] or [B, C, H, W] but " + input + " is " + Messages.withBatch(dims)
        + "; pool the output of @Conv1d or @Conv, e.g. @Input(shape = {8, 100}) → @Conv1d → @GlobalAvgPool";
  }

  static String kernelLargerThanSeries(String node, int kernel, int dilation, String input, String inShape, Object padding, int padded) {
    return node + ": @Conv1d kernel " + kernel + (dilation == 1 ? "" : " with dilation " + dilation + " spans " + ((long) (kernel - 1) * dilation + 1) + " and")
        + " is larger than " + input + " " + inShape + " padded to length " + padded
        + " (padding " + padding + "); use a smaller kernel or padding = SAME";
  }
}
